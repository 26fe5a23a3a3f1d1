import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Runs a function in the context this module was loaded in, i.e. outside any request: work that
 * outlives a request (the saga worker, best-effort clean-up) must not inherit the request's
 * deadline (deadline propagation caps every outbound call by it) nor its trace.
 */
export const detached = AsyncLocalStorage.snapshot();
