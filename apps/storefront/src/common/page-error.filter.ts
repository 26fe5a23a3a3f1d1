import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GatewayError } from '../gateway/gateway.client';
import { clearSession } from '../session/session';
import type { Views } from '../views/views';
import { SignInRequired } from './http';

/**
 * Every failure becomes a page a person can read: sign-in when needed, "not found" for another
 * customer's order (the gateway answers 404, never revealing that it exists), and the API's
 * reason otherwise. Nothing internal is shown.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(PageErrorFilter.name);

  constructor(private readonly views: Views) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    if (exception instanceof SignInRequired) {
      response.redirect(303, `/signin?next=${encodeURIComponent(exception.returnTo)}`);
      return;
    }
    let status = 500;
    let message = 'Something went wrong on our side. Please try again.';
    if (exception instanceof GatewayError) {
      if (exception.status === 401) {
        // The token expired or was revoked: sign in again.
        clearSession(response);
        response.redirect(303, `/signin?next=${encodeURIComponent(request.originalUrl)}`);
        return;
      }
      status = exception.status;
      message =
        status === 404
          ? 'We could not find that page or order.'
          : status >= 500
            ? 'The shop cannot answer right now; please try again in a moment.'
            : exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = status === 404 ? 'We could not find that page.' : exception.message;
    }
    if (status >= 500) this.logger.error(exception);
    response.status(status);
    if (request.headers.accept?.includes('text/event-stream')) {
      response.end();
      return;
    }
    response
      .type('html')
      .send(this.views.page(request, 'error.njk', { title: `Error ${status}`, status, message }));
  }
}
