import type { Next } from 'hono'

/**
 * Calls the next handler and resolves to nothing: what Hono's `next()` resolves to is its context, not a
 * response, and a middleware that handed it back would hide a host handler's missing `return` from
 * Hono's own error. Internal.
 */
export const handOn = (next: Next): Promise<undefined> => next().then(() => undefined)
