import { RpcException } from '@nestjs/microservices';
import { GrpcStatus } from '@ordermesh/service-kit';
import { normaliseRegistration } from './users.service';

describe('registration rules', () => {
  it('normalises the email and the name', () => {
    expect(
      normaliseRegistration({
        email: '  Ada@Example.COM ',
        password: 'long enough',
        name: ' Ada ',
      }),
    ).toEqual({ email: 'ada@example.com', name: 'Ada' });
  });

  it('reports every problem at once as INVALID_ARGUMENT', () => {
    try {
      normaliseRegistration({ email: 'not-an-email', password: 'short', name: '  ' });
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as RpcException).getError()).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        message:
          'email must be an email address of at most 254 ASCII characters; password must be 8 to 256 characters; name must be 1 to 200 characters',
      });
    }
  });

  it('refuses what user.registered.v1 or PostgreSQL would refuse, before anything is written', () => {
    for (const input of [
      { email: 'jürgen@example.de', password: 'long enough', name: 'A' },
      { email: '"odd"@example.com', password: 'long enough', name: 'A' },
      { email: 'a@b.de', password: 'long enough', name: 'A\u0000' },
      { email: 'a@b.de', password: 'long\u0000enough', name: 'A' },
    ]) {
      expect(() => normaliseRegistration(input)).toThrow(RpcException);
    }
  });

  it('refuses an absurdly long password before hashing it', () => {
    expect(() =>
      normaliseRegistration({ email: 'a@b.de', password: 'x'.repeat(257), name: 'A' }),
    ).toThrow(RpcException);
  });
});
