import type { ErrorRequestHandler, RequestHandler } from 'express';
import { json } from 'express';
import { bodyBounds } from './body-bounds';
import { ErrorFilter } from './error.filter';

/**
 * The gateway's body handling, in order: the JSON parser (UTF-8/16/32 only, gzip/deflate/br, the
 * size limit), the structural bounds, and an error handler that answers parser and bounds errors
 * in the one error shape (they happen before Nest's filters see the request).
 */
export function bodyParsing(limit: string): (RequestHandler | ErrorRequestHandler)[] {
  const onError: ErrorRequestHandler = (error: unknown, _request, response, next) =>
    error ? new ErrorFilter().catchExpress(error, response) : next();
  return [json({ limit }), bodyBounds(), onError];
}
