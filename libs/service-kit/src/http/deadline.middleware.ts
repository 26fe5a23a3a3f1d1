import { runWithDeadline } from '@ordermesh/resilience';
import type { NextFunction, Request, Response } from 'express';

/**
 * Gives every inbound HTTP request a deadline (its budget from now); outbound gRPC calls made
 * while handling it get at most the remaining time.
 */
export function remainingDeadlineMiddleware(budgetMs: number) {
  return (_request: Request, _response: Response, next: NextFunction): void => {
    runWithDeadline(Date.now() + budgetMs, next);
  };
}
