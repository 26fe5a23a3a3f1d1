import type { Request, Response } from 'express';
import type { ApiUser } from '../gateway/gateway.types';

/** Who is signed in: the gateway's token and the user it was issued to (display only). */
export interface Session {
  token: string;
  user: ApiUser;
}

export const SESSION_COOKIE = 'om_session';

/**
 * The session lives in one HttpOnly, SameSite=Lax cookie: the storefront keeps no state of its
 * own, so any replica serves any request. The token is the gateway's signed JWT, verified by
 * the gateway on every call; the user part only decides what the pages show (a forged role
 * shows an admin form whose calls the gateway refuses).
 */
export function readSession(request: Request): Session | undefined {
  const raw = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Session>;
    if (typeof parsed.token !== 'string' || typeof parsed.user?.id !== 'string') return undefined;
    return parsed as Session;
  } catch {
    return undefined;
  }
}

export function writeSession(
  response: Response,
  session: Session,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  const value = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
  response.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: maxAgeSeconds * 1000,
  });
}

export function clearSession(response: Response): void {
  response.clearCookie(SESSION_COOKIE, { path: '/' });
}
