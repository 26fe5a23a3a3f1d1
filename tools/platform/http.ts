// JSON over HTTP for the platform's scripts (seed, bench): the gateway's public API.

export interface JsonResponse<T> {
  status: number;
  body: T;
  /** Seconds from a Retry-After header (429, 503), when the answer carried one. */
  retryAfterSeconds?: number;
}

/** One JSON request (15 s timeout); the body of an empty answer is `{}`. */
export async function requestJson<T>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as T,
    ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** The body when the status is one of `ok`; otherwise an error naming `what` and the answer. */
export function expectStatus<T>(result: JsonResponse<T>, ok: readonly number[], what: string): T {
  if (!ok.includes(result.status)) {
    throw new Error(`${what} failed with ${result.status}: ${JSON.stringify(result.body)}`);
  }
  return result.body;
}
