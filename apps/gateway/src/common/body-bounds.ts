import { BadRequestException } from '@nestjs/common';
import { containsNul } from '@ordermesh/contracts';
import type { NextFunction, Request, Response } from 'express';

/** What a request body of the public API may be, checked before any handler sees it. */
export interface BodyBounds {
  /** Nesting of objects and arrays (the deepest DTO is 3: order → items[] → item). */
  maxDepth: number;
  /** Object keys plus array elements, over the whole body. */
  maxEntries: number;
  /** Any one string (the longest field is a 5000-character description). */
  maxStringLength: number;
}

export const DEFAULT_BODY_BOUNDS: BodyBounds = {
  maxDepth: 8,
  maxEntries: 1_000,
  maxStringLength: 10_000,
};

/**
 * The first way a parsed JSON value (or query) exceeds the bounds, or holds NUL in a key or
 * string, in words; undefined when it is within them. Iterative: a body nested thousands of levels
 * deep is refused at the ninth, without recursion.
 */
export function boundsProblem(value: unknown, bounds: BodyBounds): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let entries = 0;
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value === 'string') {
      if (next.value.length > bounds.maxStringLength) {
        return `a string is longer than ${bounds.maxStringLength} characters`;
      }
      if (containsNul(next.value)) return 'a string contains a NUL character';
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= bounds.maxDepth) return `the body is nested deeper than ${bounds.maxDepth}`;
    const children = Array.isArray(next.value)
      ? (next.value as unknown[])
      : Object.entries(next.value).map(([key, child]) => {
          if (containsNul(key)) return '\u0000';
          entries++;
          return child;
        });
    if (Array.isArray(next.value)) entries += children.length;
    if (entries > bounds.maxEntries) return `the body has more than ${bounds.maxEntries} entries`;
    for (const child of children) stack.push({ value: child, depth: next.depth + 1 });
  }
  return undefined;
}

/**
 * Express middleware after the JSON parser: a body or query string outside the bounds is a 400 in
 * the usual error shape before routing, validation or class-transformer (whose recursion a deep
 * body would overflow) run.
 */
export function bodyBounds(bounds: BodyBounds = DEFAULT_BODY_BOUNDS) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const problem = boundsProblem(request.body, bounds) ?? boundsProblem(request.query, bounds);
    next(
      problem
        ? new BadRequestException(`the request is outside the limits: ${problem}`)
        : undefined,
    );
  };
}
