import { hashRefreshToken, judgeRefreshToken } from './sessions.service';

describe('judgeRefreshToken', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  const later = new Date(now.getTime() + 60_000);
  const earlier = new Date(now.getTime() - 60_000);
  const muchLater = new Date(now.getTime() + 3_600_000);
  const token = (overrides: Partial<Parameters<typeof judgeRefreshToken>[0]> = {}) => ({
    expiresAt: later,
    sessionEndsAt: muchLater,
    rotatedAt: null,
    revokedAt: null,
    ...overrides,
  });

  it('accepts a current token of a live session', () => {
    expect(judgeRefreshToken(token(), now)).toBe('valid');
  });

  it.each([
    ['an unknown token', null, 'unknown'],
    ['an expired token', token({ expiresAt: earlier }), 'expired'],
    ['a token expiring this instant', token({ expiresAt: now }), 'expired'],
    [
      'a token of a session past its maximum lifetime',
      token({ sessionEndsAt: earlier, expiresAt: earlier }),
      'ended',
    ],
    ['a token of a session ending this instant', token({ sessionEndsAt: now }), 'ended'],
    [
      'a rotated token of an ended session (still a reuse)',
      token({ rotatedAt: earlier, sessionEndsAt: earlier }),
      'reused',
    ],
    ['a rotated token (a reuse)', token({ rotatedAt: earlier }), 'reused'],
    [
      'a rotated and expired token (still a reuse)',
      token({ rotatedAt: earlier, expiresAt: earlier }),
      'reused',
    ],
    ['a token of an ended session', token({ revokedAt: earlier }), 'revoked'],
    [
      'a rotated token of an ended session',
      token({ revokedAt: earlier, rotatedAt: earlier }),
      'revoked',
    ],
  ] as const)('refuses %s', (_case, presented, verdict) => {
    expect(judgeRefreshToken(presented, now)).toBe(verdict);
  });

  it('stores a token as its SHA-256, never the token itself', () => {
    const hashed = hashRefreshToken('abc');
    expect(hashed).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashed).not.toContain('abc');
  });
});
