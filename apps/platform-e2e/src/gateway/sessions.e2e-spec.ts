/**
 * Sessions that can end: short-lived access tokens beside single-use refresh tokens (stored
 * hashed by the user service), rotation with reuse detection, logout, and a suspension or a role
 * change that reaches the caller at the next refresh — within one access-token lifetime.
 */
import { createHash, randomUUID } from 'node:crypto';
import { UserStatus, type UserServiceClient } from '@ordermesh/contracts';
import type { ApiClient } from '@ordermesh/testing';
import { decode } from 'jsonwebtoken';
import { Client } from 'pg';
import { databaseUrl, grpcAddress } from '../support/addresses';
import { admin, anonymous } from '../support/fixtures';
import { type DirectClient, directClient } from '../support/grpc';

interface Tokens {
  accessToken: string;
  expiresIn: number;
  tokenType: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; role: string };
}

interface ErrorBody {
  statusCode: number;
  message: string;
  details?: string[];
}

describe('sessions', () => {
  let users: DirectClient<UserServiceClient>;
  let db: Client;

  beforeAll(async () => {
    users = directClient<UserServiceClient>('user', grpcAddress('user'));
    db = new Client({ connectionString: databaseUrl('user') });
    await db.connect();
  });

  afterAll(async () => {
    users?.close();
    await db?.end();
  });

  /** A new customer and the tokens of their first login. */
  async function signedIn(): Promise<{ tokens: Tokens; email: string; password: string }> {
    const email = `e2e-session-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const registered = await anonymous().post('/api/v1/auth/register', {
      email,
      password,
      name: 'Session Customer',
    });
    expect(registered.status).toBe(201);
    const login = await anonymous().post<Tokens>('/api/v1/auth/login', { email, password });
    expect(login.status).toBe(200);
    return { tokens: login.body, email, password };
  }

  const refresh = (refreshToken: string) =>
    anonymous().post<Tokens & ErrorBody>('/api/v1/auth/refresh', { refreshToken });
  const logout = (refreshToken: string) =>
    anonymous().post<ErrorBody>('/api/v1/auth/logout', { refreshToken });
  const me = (accessToken: string) =>
    anonymous().withToken(accessToken).get<ErrorBody & { role: string }>('/api/v1/users/me');

  it('logs in with a short-lived access token and a refresh token', async () => {
    const { tokens } = await signedIn();
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      refreshTokenExpiresAt: expect.any(String),
      user: expect.objectContaining({ role: 'customer' }),
    });
    const claims = decode(tokens.accessToken) as { iat: number; exp: number; sid: string };
    expect(claims.exp - claims.iat).toBe(tokens.expiresIn);
    expect(tokens.expiresIn).toBeGreaterThanOrEqual(60);
    expect(tokens.expiresIn).toBeLessThanOrEqual(900);
    expect(new Date(tokens.refreshTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await me(tokens.accessToken)).status).toBe(200);
  });

  it('stores only the hash of a refresh token', async () => {
    const { tokens } = await signedIn();
    const sha256 = createHash('sha256').update(tokens.refreshToken).digest('hex');
    const { rows } = await db.query<Record<string, unknown>>(
      'SELECT * FROM refresh_tokens WHERE user_id = $1',
      [tokens.user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!['token_hash']).toBe(sha256);
    expect(JSON.stringify(rows)).not.toContain(tokens.refreshToken);
  });

  it('rotates the refresh token: each one works once, in the same session', async () => {
    const { tokens } = await signedIn();
    const first = await refresh(tokens.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(tokens.refreshToken);
    const sid = (token: string) => (decode(token) as { sid: string }).sid;
    expect(sid(first.body.accessToken)).toBe(sid(tokens.accessToken));
    expect((await me(first.body.accessToken)).status).toBe(200);

    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect((await me(second.body.accessToken)).status).toBe(200);
  });

  it('revokes the whole family when a rotated refresh token is presented again', async () => {
    const { tokens } = await signedIn();
    const rotated = await refresh(tokens.refreshToken);
    expect(rotated.status).toBe(200);

    // An attacker replays the first token (or the client does): refused, and the session ends.
    const replay = await refresh(tokens.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.message).toBe('refresh token reused; the session has ended');
    const legitimate = await refresh(rotated.body.refreshToken);
    expect(legitimate.status).toBe(401);
    expect(legitimate.body.message).toBe('this session has ended');
  });

  it('ends a session at its absolute lifetime, however often it is refreshed', async () => {
    const { tokens } = await signedIn();
    const ends = async () =>
      (
        await db.query<{ ends: Date; expires: Date }>(
          `SELECT session_ends_at AS ends, expires_at AS expires FROM refresh_tokens
           WHERE user_id = $1 AND rotated_at IS NULL AND revoked_at IS NULL`,
          [tokens.user.id],
        )
      ).rows;
    // The login set it: SESSION_MAX_LIFETIME_SECONDS (30 days by default) from now.
    const [login] = await ends();
    const thirtyDays = 30 * 86_400_000;
    expect(Math.abs(login!.ends.getTime() - Date.now() - thirtyDays)).toBeLessThan(60_000);

    // With the end an hour away, a refresh issues a token that lives an hour, not 14 days …
    await db.query(
      `UPDATE refresh_tokens SET session_ends_at = now() + interval '1 hour', expires_at = now() + interval '1 hour' WHERE user_id = $1`,
      [tokens.user.id],
    );
    const capped = await refresh(tokens.refreshToken);
    expect(capped.status).toBe(200);
    const [successor] = await ends();
    expect(successor!.expires.getTime()).toBe(successor!.ends.getTime());
    expect(Date.parse(capped.body.refreshTokenExpiresAt)).toBe(successor!.ends.getTime());
    expect(successor!.ends.getTime() - Date.now()).toBeLessThan(3_600_000 + 60_000);

    // … and once it has passed, the session is over (told apart from an expired token).
    await db.query(
      `UPDATE refresh_tokens SET session_ends_at = now() - interval '1 second',
         expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [tokens.user.id],
    );
    const over = await refresh(capped.body.refreshToken);
    expect(over.status).toBe(401);
    expect(over.body.message).toBe('this session reached its maximum lifetime; sign in again');
  });

  it('refuses unknown and malformed refresh tokens with 401 or 400, never more', async () => {
    expect((await refresh('A'.repeat(43))).status).toBe(401);
    expect((await refresh('not a token')).status).toBe(401);
    expect((await refresh('')).status).toBe(400);
    const untyped = await anonymous().post<ErrorBody>('/api/v1/auth/refresh', { refreshToken: 7 });
    expect(untyped.status).toBe(400);
  });

  it('logs out: the refresh token and the access tokens of the session stop working', async () => {
    const { tokens } = await signedIn();
    const ended = await logout(tokens.refreshToken);
    expect(ended.status).toBe(204);
    const afterLogout = await me(tokens.accessToken);
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.message).toBe('this session has ended');
    expect((await refresh(tokens.refreshToken)).status).toBe(401);
    // Logging out twice, or with an unknown token, is not an error.
    expect((await logout(tokens.refreshToken)).status).toBe(204);
    expect((await logout('B'.repeat(43))).status).toBe(204);
  });

  it('ends one session only: another login of the same user goes on working', async () => {
    const { tokens, email, password } = await signedIn();
    const second = await anonymous().post<Tokens>('/api/v1/auth/login', { email, password });
    expect(second.status).toBe(200);
    expect((await logout(tokens.refreshToken)).status).toBe(204);
    expect((await me(second.body.accessToken)).status).toBe(200);
    expect((await refresh(second.body.refreshToken)).status).toBe(200);
  });

  it('refuses a suspended user at the next refresh and ends their sessions', async () => {
    const { tokens } = await signedIn();
    await users.rpc.setUserStatus({ userId: tokens.user.id, status: UserStatus.SUSPENDED });
    const refused = await refresh(tokens.refreshToken);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe('this session has ended');

    const { tokens: again, email, password } = await signedIn();
    await users.rpc.setUserStatus({ userId: again.user.id, status: UserStatus.SUSPENDED });
    expect((await anonymous().post('/api/v1/auth/login', { email, password })).status).toBe(403);
    // Re-activation does not bring the ended sessions back.
    await users.rpc.setUserStatus({ userId: again.user.id, status: UserStatus.ACTIVE });
    expect((await refresh(again.refreshToken)).status).toBe(401);
    expect((await anonymous().post('/api/v1/auth/login', { email, password })).status).toBe(200);
  });

  it('lets an admin suspend and re-activate an account through the API, and nobody else', async () => {
    const { tokens, email, password } = await signedIn();
    const status = (client: ApiClient, userId: string, body: unknown) =>
      client.put<ErrorBody & { id: string; status: string }>(
        `/api/v1/users/${userId}/status`,
        body,
      );
    const customer = anonymous().withToken(tokens.accessToken);
    expect((await status(customer, tokens.user.id, { status: 'suspended' })).status).toBe(403);
    expect((await status(anonymous(), tokens.user.id, { status: 'suspended' })).status).toBe(401);

    const operator = await admin();
    const bad = await status(operator, tokens.user.id, { status: 'deleted' });
    expect({ status: bad.status, details: bad.body.details }).toEqual({
      status: 400,
      details: expect.arrayContaining(['status must be active or suspended']),
    });
    expect((await status(operator, randomUUID(), { status: 'suspended' })).status).toBe(404);
    expect((await status(operator, 'not-a-uuid', { status: 'suspended' })).status).toBe(400);

    const suspended = await status(operator, tokens.user.id, { status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: tokens.user.id, status: 'suspended' });
    expect((await refresh(tokens.refreshToken)).status).toBe(401);
    expect((await anonymous().post('/api/v1/auth/login', { email, password })).status).toBe(403);

    const active = await status(operator, tokens.user.id, { status: 'active' });
    expect(active.body).toMatchObject({ id: tokens.user.id, status: 'active' });
    expect((await anonymous().post('/api/v1/auth/login', { email, password })).status).toBe(200);
  });

  it('carries a changed role into the access token of the next refresh', async () => {
    const { tokens } = await signedIn();
    const adminOnly = (client: ApiClient) =>
      client.post('/api/v1/products', { name: 'role-change probe' });
    expect((await adminOnly(anonymous().withToken(tokens.accessToken))).status).toBe(403);

    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [tokens.user.id]);
    const refreshed = await refresh(tokens.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.role).toBe('admin');
    expect((decode(refreshed.body.accessToken) as { role: string }).role).toBe('admin');
    // Past the role guard: the (deliberately incomplete) body is what is refused now.
    expect((await adminOnly(anonymous().withToken(refreshed.body.accessToken))).status).toBe(400);

    await db.query(`UPDATE users SET role = 'customer' WHERE id = $1`, [tokens.user.id]);
    const demoted = await refresh(refreshed.body.refreshToken);
    expect((decode(demoted.body.accessToken) as { role: string }).role).toBe('customer');
    expect((await adminOnly(anonymous().withToken(demoted.body.accessToken))).status).toBe(403);
  });
});
