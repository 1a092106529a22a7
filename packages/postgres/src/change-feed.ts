import type { StoreChange, StoreChangeFeed } from '@ocpi-credentials/core'
import type { Notification, Pool, PoolClient } from 'pg'

/**
 * Options of the change feed (`listen` of {@link postgresStore}).
 *
 * @example
 * ```ts
 * postgresStore(pool, { listen: { reconnectDelayMs: 100, maxReconnectDelayMs: 2_000 } })
 * ```
 */
export interface ChangeFeedOptions {
  /** First wait before connecting again after the connection was lost (doubles each time). Default 250 ms. */
  readonly reconnectDelayMs?: number
  /** The longest wait between attempts. Default 5 s. */
  readonly maxReconnectDelayMs?: number
}

/**
 * A {@link StoreChangeFeed} over `LISTEN`, with `close()` for its connection.
 *
 * @example
 * ```ts
 * const feed: PostgresChangeFeed = createChangeFeed(pool, 'public_ocpi_changes')
 * ```
 */
export interface PostgresChangeFeed extends StoreChangeFeed {
  /** Stops listening and gives the connection back; later subscriptions stay disconnected. */
  close(): Promise<void>
}

type Status = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed'

/**
 * Follows the store's notification channel on one connection taken from the pool, from the first
 * subscription until `close()`. Each notification (sent by a committed write of any instance) is
 * reported as `changed`; a lost connection is reported as `disconnected` at once, and the feed keeps
 * connecting again (with a growing delay) until it can report `connected`.
 *
 * @example
 * ```ts
 * const feed = createChangeFeed(pool, 'public_ocpi_changes')
 * const stop = feed.subscribe((change) => console.log(change.type))
 * ```
 */
export function createChangeFeed(
  pool: Pool,
  channel: string,
  options: ChangeFeedOptions = {},
): PostgresChangeFeed {
  const firstDelay = options.reconnectDelayMs ?? 250
  const maxDelay = options.maxReconnectDelayMs ?? 5_000
  const listeners = new Set<(change: StoreChange) => void>()
  let status: Status = 'idle'
  let client: PoolClient | undefined
  let delay = firstDelay
  let timer: ReturnType<typeof setTimeout> | undefined

  const report = (change: StoreChange) => {
    for (const listener of [...listeners]) {
      try {
        listener(change)
      } catch {
        // A listener's failure is its own; the others still hear of the change.
      }
    }
  }
  const onNotification = (message: Notification) => {
    if (message.channel === channel) report({ type: 'changed', peerId: message.payload ?? null })
  }

  const lost = (error?: unknown) => {
    if (status === 'closed') return
    const held = client
    client = undefined
    if (held !== undefined) {
      held.off('notification', onNotification)
      held.off('error', lost)
      held.off('end', lost)
      // The connection is dead or in doubt: destroyed, never given back to the pool.
      held.release(error instanceof Error ? error : new Error('the LISTEN connection ended'))
    }
    const wasConnected = status === 'connected'
    status = 'waiting'
    if (wasConnected) report({ type: 'disconnected' })
    timer = setTimeout(connect, delay)
    timer.unref?.()
    delay = Math.min(delay * 2, maxDelay)
  }

  async function connect(): Promise<void> {
    timer = undefined
    if (status === 'closed') return
    status = 'connecting'
    let attempt: PoolClient | undefined
    try {
      attempt = await pool.connect()
      // `status` may have changed while waiting (TypeScript cannot know: hence the widening).
      if ((status as Status) === 'closed') {
        attempt.release()
        return
      }
      client = attempt
      attempt.on('notification', onNotification)
      attempt.on('error', lost)
      attempt.on('end', lost)
      await attempt.query(`LISTEN "${channel}"`)
    } catch (error) {
      if (attempt !== undefined && client !== attempt) return // `lost` already handled it
      lost(error)
      return
    }
    if (status !== 'connecting') return // closed meanwhile (close() released the connection)
    status = 'connected'
    delay = firstDelay
    report({ type: 'connected' })
  }

  return {
    subscribe(listener) {
      const entry = (change: StoreChange) => listener(change)
      listeners.add(entry)
      if (status !== 'connected') entry({ type: 'disconnected' })
      if (status === 'idle') void connect()
      return () => {
        listeners.delete(entry)
      }
    },
    async close() {
      if (status === 'closed') return
      status = 'closed'
      if (timer !== undefined) clearTimeout(timer)
      const held = client
      client = undefined
      if (held === undefined) return
      held.off('notification', onNotification)
      held.off('error', lost)
      held.off('end', lost)
      try {
        await held.query(`UNLISTEN "${channel}"`)
        held.release()
      } catch (error) {
        held.release(error instanceof Error ? error : true)
      }
    },
  }
}
