import type { Request } from 'express';
import type { CallOptions } from '../gateway/gateway.client';
import { readSession, type Session } from '../session/session';

/** Thrown by a page that needs a signed-in customer; the filter redirects to the sign-in page. */
export class SignInRequired extends Error {
  constructor(readonly returnTo: string) {
    super('sign-in required');
  }
}

export function requireSession(request: Request): Session {
  const session = readSession(request);
  if (!session) throw new SignInRequired(request.originalUrl);
  return session;
}

/** Options for a gateway call on behalf of the person behind this request. */
export function asCaller(request: Request, session?: Session): CallOptions {
  return { token: session?.token, clientIp: request.ip };
}

/** A form field as a trimmed string ('' when missing or not a string). */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** Only same-site relative paths: an open redirect through ?next= is refused. */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : '/';
}
