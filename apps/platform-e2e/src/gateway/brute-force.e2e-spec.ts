/**
 * Password guessing: failed logins of one account slow down with growing delays (kept in Redis),
 * per client address and per account, before the password is checked; the delays are bounded, so
 * a stranger can make an owner wait but never lock them out. Unknown emails behave exactly alike.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { anonymous } from '../support/fixtures';

const address = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ErrorBody {
  message: string;
}

describe('login throttling', () => {
  const login = (from: string, email: string, password: string) =>
    anonymous().from(from).post<ErrorBody>('/api/v1/auth/login', { email, password });

  async function failures(from: string, email: string, count: number) {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await login(from, email, `wrong-${i}`)).status);
    return seen;
  }

  /** A new account whose password the test knows. */
  async function account(): Promise<{ email: string; password: string }> {
    const email = `e2e-guessed-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const registered = await anonymous().post('/api/v1/auth/register', {
      email,
      password,
      name: 'Guessed Customer',
    });
    expect(registered.status).toBe(201);
    return { email, password };
  }

  /** Waits out a 429's Retry-After. */
  const waitOut = (response: { headers: Headers }) =>
    sleep(Number(response.headers.get('retry-after')) * 1_000 + 200);

  it('delays the next attempt after five failures, even with the right password', async () => {
    const { email, password } = await account();
    const guesser = address();
    expect(await failures(guesser, email, 5)).toEqual([401, 401, 401, 401, 401]);

    const delayed = await login(guesser, email, password);
    expect(delayed.status).toBe(429);
    expect(delayed.body.message).toMatch(/^too many failed logins, retry in \d+ s$/);
    expect(Number(delayed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The owner elsewhere is not delayed by a guesser at one address.
    expect((await login(address(), email, password)).status).toBe(200);

    // After the delay the right password works again and clears the count.
    await waitOut(delayed);
    expect((await login(guesser, email, password)).status).toBe(200);
    expect(await failures(guesser, email, 5)).toEqual([401, 401, 401, 401, 401]);
  });

  it('makes each further failure wait longer', async () => {
    const { email } = await account();
    const guesser = address();
    await failures(guesser, email, 5);
    const first = await login(guesser, email, 'wrong again');
    expect(first.status).toBe(429);
    await waitOut(first);
    expect((await login(guesser, email, 'still wrong')).status).toBe(401);
    const second = await login(guesser, email, 'wrong once more');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(
      Number(first.headers.get('retry-after')) - 1,
    );
  });

  it('slows guessing spread over many addresses, for a minute at most', async () => {
    const { email } = await account();
    for (let i = 0; i < 20; i++) expect((await login(address(), email, `w${i}`)).status).toBe(401);
    const delayed = await login(address(), email, 'from yet another address');
    expect(delayed.status).toBe(429);
    const retryAfter = Number(delayed.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('treats an unknown email exactly like a known one', async () => {
    const unknown = `nobody-${randomUUID()}@example.com`;
    const guesser = address();
    expect(await failures(guesser, unknown, 5)).toEqual([401, 401, 401, 401, 401]);
    const delayed = await login(guesser, unknown, 'anything');
    expect(delayed.status).toBe(429);
    expect(delayed.body.message).toMatch(/^too many failed logins, retry in \d+ s$/);
  });
});
