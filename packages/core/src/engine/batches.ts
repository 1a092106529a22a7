interface Waiting {
  readonly item: unknown
  readonly resolve: (result: unknown) => void
  readonly reject: (error: unknown) => void
}

/**
 * Gathers work per key, in this process: what is submitted while a batch of the same key is being
 * applied waits, then is applied with everything else that arrived meanwhile, in one go. A hub's burst of
 * ClientInfo PUTs thus becomes a few writes of its record instead of one compare-and-swap each, which
 * lose to one another (and, behind a load balancer, to the other instances' batches) far more often than
 * a retry budget allows. Internal.
 */
export class Batches {
  readonly #queues = new Map<string, Waiting[]>()

  /**
   * Applies `item` with the others submitted under `key` while a batch was being applied. `apply` gets the
   * items in arrival order and answers one result per item; if it throws, every item of its batch fails
   * with that error. All submitters of one key must pass the same `apply`.
   */
  submit<I, O>(key: string, item: I, apply: (items: readonly I[]) => Promise<readonly O[]>): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const waiting: Waiting = { item, resolve: resolve as (result: unknown) => void, reject }
      const queue = this.#queues.get(key)
      if (queue !== undefined) {
        queue.push(waiting)
        return
      }
      this.#queues.set(key, [waiting])
      void this.#drain(key, apply as (items: readonly unknown[]) => Promise<readonly unknown[]>)
    })
  }

  async #drain(
    key: string,
    apply: (items: readonly unknown[]) => Promise<readonly unknown[]>,
  ): Promise<void> {
    for (;;) {
      const queue = this.#queues.get(key) ?? []
      if (queue.length === 0) {
        this.#queues.delete(key)
        return
      }
      const batch = queue.splice(0)
      try {
        const results = await apply(batch.map((waiting) => waiting.item))
        for (const [i, waiting] of batch.entries()) waiting.resolve(results[i])
      } catch (error) {
        for (const waiting of batch) waiting.reject(error)
      }
    }
  }
}
