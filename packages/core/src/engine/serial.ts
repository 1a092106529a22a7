/**
 * Runs tasks one after another per key, in this process; tasks of other keys run freely. Used where
 * many concurrent requests would each rewrite the same record with a compare-and-swap (a hub's burst of
 * ClientInfo PUTs): queued, they no longer make each other fail. Internal.
 */
export class SerialQueues {
  readonly #tails = new Map<string, Promise<void>>()

  /** Runs `task` once every task queued before it under `key` has settled; answers what `task` answers. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }
}
