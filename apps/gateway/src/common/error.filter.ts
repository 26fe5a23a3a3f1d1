import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { errorDetails, GrpcStatus, isGrpcCallError } from '@ordermesh/service-kit';
import type { Response } from 'express';
import { type ErrorBody, httpStatusForGrpc, reasonPhrase } from './http-errors';

/** Seconds a client should wait before retrying when a dependency is unavailable. */
const RETRY_AFTER_UNAVAILABLE_S = 2;

/**
 * Every error leaves the gateway as `{ statusCode, error, message, details? }`. Downstream gRPC
 * errors keep their reason and map to HTTP consistently; anything unexpected is a logged 500 that
 * reveals nothing internal.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    this.catchExpress(exception, host.switchToHttp().getResponse<Response>());
  }

  /** Also used as an express error handler for errors raised before Nest routes the request. */
  catchExpress(exception: unknown, response: Response): void {
    const body = this.toBody(exception);
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE && !response.getHeader('Retry-After')) {
      // An open breaker knows when it will let a probe through; otherwise a short default.
      const retryAfterMs = (exception as { retryAfterMs?: unknown }).retryAfterMs;
      const seconds =
        typeof retryAfterMs === 'number'
          ? Math.max(1, Math.ceil(retryAfterMs / 1000))
          : RETRY_AFTER_UNAVAILABLE_S;
      response.setHeader('Retry-After', String(seconds));
    }
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, statusCode: body.statusCode }, body.message);
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const payload = typeof raw === 'string' ? { message: raw } : (raw as Record<string, unknown>);
      const messages = payload['message'];
      const body: ErrorBody = {
        statusCode: status,
        error: reasonPhrase(status),
        message: Array.isArray(messages)
          ? 'request validation failed'
          : String(messages ?? exception.message),
      };
      const details = Array.isArray(messages) ? messages : payload['details'];
      if (details !== undefined) body.details = details;
      return body;
    }
    if (isGrpcCallError(exception)) {
      const status = httpStatusForGrpc(exception.code);
      const internal = status === HttpStatus.INTERNAL_SERVER_ERROR;
      const body: ErrorBody = {
        statusCode: status,
        error: reasonPhrase(status),
        message: internal ? 'internal error' : this.grpcMessage(exception.code, exception.details),
      };
      const details = internal ? undefined : errorDetails(exception);
      if (details !== undefined) body.details = details;
      return body;
    }
    const parserError = bodyParserError(exception);
    if (parserError) return parserError;
    return { statusCode: 500, error: reasonPhrase(500), message: 'internal error' };
  }

  private grpcMessage(code: GrpcStatus, details: string): string {
    if (code === GrpcStatus.UNAVAILABLE) return 'a service is temporarily unavailable, retry later';
    if (code === GrpcStatus.DEADLINE_EXCEEDED) return 'the request timed out';
    return details;
  }
}

/** What each body-parser failure tells the client (its own messages may echo internals). */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'request body too large',
  'entity.parse.failed': 'malformed JSON body',
  'charset.unsupported': 'unsupported charset: send the body as UTF-8',
  'encoding.unsupported': 'unsupported Content-Encoding: use gzip, deflate, br or identity',
  'request.aborted': 'the request body was not sent completely',
  'request.size.invalid': 'the request body does not match its Content-Length',
};

/**
 * Errors of Express's body parser (http-errors with a 4xx `status` and `expose`), raised before
 * Nest routes the request: an unsupported charset or Content-Encoding is 415, a body that does not
 * decode (corrupt gzip) or parse is 400, too large is 413 — never a 500.
 */
function bodyParserError(exception: unknown): ErrorBody | undefined {
  const candidate = exception as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { status, type } = candidate;
  if (typeof status !== 'number' || status < 400 || status > 499 || candidate.expose !== true) {
    return undefined;
  }
  const message =
    (typeof type === 'string' ? BODY_PARSER_MESSAGES[type] : undefined) ??
    (status === 400 ? 'the request body could not be decoded' : reasonPhrase(status).toLowerCase());
  return { statusCode: status, error: reasonPhrase(status), message };
}
