import { randomUUID } from 'node:crypto';
import { waitFor } from '@ordermesh/testing';
import { admin, anonymous, type ProductView } from '../support/fixtures';
import { connection } from '../support/connection-env';

describe('vertical slice: gateway → user and product over gRPC', () => {
  it('registers a customer, logs in and reads the profile back', async () => {
    const email = `slice-${randomUUID()}@example.com`;
    const registered = await anonymous().post('/api/v1/auth/register', {
      email,
      password: 'correct horse battery',
      name: 'Slice Tester',
    });
    expect(registered.status).toBe(201);

    const { client: customer, userId } = await anonymous().signIn(email, 'correct horse battery');
    const me = await customer.get<{ id: string; email: string; role: string; status: string }>(
      '/api/v1/users/me',
    );
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: userId, email, role: 'customer', status: 'active' });
  });

  it('answers a registration the same whether or not the email has an account', async () => {
    const email = `slice-${randomUUID()}@example.com`;
    const register = (password: string, name: string) =>
      anonymous().post('/api/v1/auth/register', { email, password, name });
    const first = await register('first password', 'First Owner');
    const second = await register('second password', 'Someone Else');
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(first.status).toBe(201);
    expect(JSON.stringify(first.body)).not.toContain(email);
    // The account is the first registration's: the second changed nothing.
    const me = await (await anonymous().login(email, 'first password')).get('/api/v1/users/me');
    expect(me.body).toMatchObject({ name: 'First Owner' });
    expect(
      (await anonymous().post('/api/v1/auth/login', { email, password: 'second password' })).status,
    ).toBe(401);
  });

  it('refuses a wrong password with 401 and the same message as an unknown email', async () => {
    const { email } = await anonymous().newCustomer();
    const wrong = await anonymous().post('/api/v1/auth/login', {
      email,
      password: 'not-the-password',
    });
    const unknown = await anonymous().post('/api/v1/auth/login', {
      email: `nobody-${randomUUID()}@example.com`,
      password: 'whatever-password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body['message']).toBe(unknown.body['message']);
  });

  it('lets an admin create a product that everyone can read back', async () => {
    const adminClient = await admin();
    const category = `slice-${randomUUID().slice(0, 8)}`;
    const created = await adminClient.post<ProductView>('/api/v1/products', {
      name: 'Slice Lamp',
      category,
      basePrice: { amountMinor: 2599, currency: 'EUR' },
    });
    expect(created.status).toBe(201);

    const read = await anonymous().get<ProductView>(`/api/v1/products/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, name: 'Slice Lamp', category });

    const listed = await anonymous().get<{ items: ProductView[] }>(
      `/api/v1/products?category=${category}`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p) => p.id)).toEqual([created.body.id]);
  });

  it('keeps admin routes for admins', async () => {
    const body = { name: 'Nope', category: 'x', basePrice: { amountMinor: 1, currency: 'EUR' } };
    expect((await anonymous().post('/api/v1/products', body)).status).toBe(401);
    const { client } = await anonymous().newCustomer();
    const forbidden = await client.post('/api/v1/products', body);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it("reports the gateway's dependencies in its readiness", async () => {
    // Readiness probes each dependency with a short deadline: poll rather than trust one answer
    // on a busy machine.
    const ready = await waitFor(
      async () => {
        // On the management port: the public one does not tell (management-port.e2e-spec.ts).
        const response = await fetch(`${connection.services['gateway']!.management}/health/ready`);
        const body = (await response.json()) as {
          status: string;
          checks: Record<string, { status: string }>;
        };
        return response.status === 200 ? body : undefined;
      },
      { timeoutMs: 15_000, what: 'the gateway ready' },
    );
    expect(ready.checks['redis']?.status).toBe('up');
    expect(ready.checks['grpc:user']?.status).toBe('up');
    expect(ready.checks['grpc:product']?.status).toBe('up');
  });
});
