/**
 * Tries of a compare-and-swap on one record that keeps losing to other writers (other instances behind a
 * load balancer, a hub's ClientInfo batches, health passes) before it gives up: with the waits of
 * {@link waitBeforeRetry} between them, about 2 s at most. Internal.
 */
export const CAS_ATTEMPTS = 16

/** The first wait between two tries, doubling up to 32 times this. */
const BACKOFF_MS = 5

/**
 * Waits before try `attempt + 1` of a lost compare-and-swap: a random time that grows with each try
 * (5 ms, doubling up to 160 ms), so that writers racing for one record do not collide again at once.
 * Internal.
 *
 * @example
 * ```ts
 * for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
 *   if (await tryOnce()) return
 *   await waitBeforeRetry(attempt)
 * }
 * ```
 */
export function waitBeforeRetry(attempt: number): Promise<void> {
  const wait = Math.random() * BACKOFF_MS * 2 ** Math.min(attempt, 5)
  return new Promise((resolve) => setTimeout(resolve, wait))
}
