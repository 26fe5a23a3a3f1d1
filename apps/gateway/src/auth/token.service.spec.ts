import { JwtService } from '@nestjs/jwt';
import { sign } from 'jsonwebtoken';
import type { GatewayEnv } from '../config/env.schema';
import { InvalidTokenError, TokenService } from './token.service';

const config = {
  JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
  JWT_ISSUER: 'ordermesh-test',
  JWT_AUDIENCE: 'ordermesh-api',
  JWT_TTL_SECONDS: 60,
} as GatewayEnv;

describe('TokenService', () => {
  const tokens = new TokenService(new JwtService({ secret: config.JWT_SECRET }), config);
  const sid = '6f1c2b9e-8a51-4c1e-9a8e-0d1f2a3b4c5d';
  const now = () => Math.floor(Date.now() / 1000);
  const forge = (payload: object, options: object = {}, secret = config.JWT_SECRET) =>
    sign({ exp: now() + 60, sid, ...payload }, secret, {
      algorithm: 'HS256',
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      subject: 'u-1',
      ...options,
    });
  const expired = () => forge({ role: 'customer', exp: now() - 10 });

  it('round-trips a principal with its session', async () => {
    const principal = { userId: 'u-1', role: 'admin', sessionId: sid } as const;
    const { accessToken, expiresIn } = await tokens.issue(principal);
    expect(expiresIn).toBe(60);
    await expect(tokens.verify(accessToken)).resolves.toEqual(principal);
  });

  it.each([
    [
      'signed with another key',
      forge({ role: 'customer' }, {}, 'another-secret-another-secret-0123'),
    ],
    ['from another issuer', forge({ role: 'customer' }, { issuer: 'evil' })],
    ['for another audience', forge({ role: 'customer' }, { audience: 'other-api' })],
    ['expired', expired()],
    ['with an unknown role', forge({ role: 'root' })],
    ['without a session', forge({ role: 'customer', sid: undefined })],
    ['with a session id that is no UUID', forge({ role: 'customer', sid: 'x' })],
    ['unsigned (alg none)', forge({ role: 'admin' }, { algorithm: 'none' }, '')],
    ['signed with HS512', forge({ role: 'customer' }, { algorithm: 'HS512' })],
    ['garbage', 'not-a-token'],
  ])('rejects a token %s', async (_case, token) => {
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('says when a token expired', async () => {
    await expect(tokens.verify(expired())).rejects.toThrow('token expired');
  });
});
