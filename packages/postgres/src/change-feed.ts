import { OcpiConfigError, type StoreChange, type StoreChangeFeed } from '@ocpi-credentials/core'
import type { Notification, Pool, PoolClient } from 'pg'
import { isPlainIdentifier } from './names.js'
import { checkPool } from './transaction.js'

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
  /**
   * How often the LISTEN connection is asked `SELECT 1`. A connection that has not answered by the next
   * ask is taken as lost (`disconnected`, then connected again): a connection that died without a word
   * (a NAT or firewall dropping the idle flow, a failover, a partition) is noticed within twice this
   * time, instead of never. `close()` waits this long for its UNLISTEN before it drops the connection.
   * Default 5 s.
   */
  readonly heartbeatMs?: number
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
  /**
   * Stops listening and gives the connection back. Subscribers that were told `connected` are told
   * `disconnected` (changes go unheard from now on, so an authentication cache following the feed caches
   * nothing); later subscriptions stay disconnected.
   */
  close(): Promise<void>
}

type Status = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed'

/** A positive number of milliseconds (`fallback` when absent), or an {@link OcpiConfigError}. */
function durationOf(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw new OcpiConfigError(`listen.${name} must be a positive number of milliseconds`)
  }
  return value
}

/**
 * Follows the store's notification channel on one connection taken from the pool, from the first
 * subscription until `close()`. Each notification (sent by a committed write of any instance) is
 * reported as `changed`; a lost connection is reported as `disconnected` at once, and the feed keeps
 * connecting again (with a growing delay) until it can report `connected`. `close()` reports
 * `disconnected` too. The channel must be a plain identifier (lowercase letters, digits and `_`, at most
 * 63 characters), as the store's own `{schema}_{prefix}changes` is: anything else throws an
 * {@link OcpiConfigError}.
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
  checkPool(pool, 'createChangeFeed')
  // The channel is written into LISTEN and UNLISTEN: only a name that needs no escaping is taken, and one
  // that means the same quoted or not (an unquoted `NOTIFY Name` reaches `name`, never `"Name"`).
  if (!isPlainIdentifier(channel)) {
    throw new OcpiConfigError(
      `channel ${JSON.stringify(channel)} must be lowercase letters, digits and _ (not starting with a digit), at most 63 characters`,
    )
  }
  const firstDelay = durationOf('reconnectDelayMs', options.reconnectDelayMs, 250)
  const maxDelay = durationOf('maxReconnectDelayMs', options.maxReconnectDelayMs, 5_000)
  const heartbeatMs = durationOf('heartbeatMs', options.heartbeatMs, 5_000)
  const listeners = new Set<(change: StoreChange) => void>()
  let status: Status = 'idle'
  let client: PoolClient | undefined
  let delay = firstDelay
  let timer: ReturnType<typeof setTimeout> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined

  const stopHeartbeat = () => {
    if (heartbeat !== undefined) clearInterval(heartbeat)
    heartbeat = undefined
  }
  /** Asks the held connection `SELECT 1` every `heartbeatMs`; an ask still unanswered at the next one loses it. */
  const startHeartbeat = (held: PoolClient) => {
    let unanswered = false
    heartbeat = setInterval(() => {
      if (client !== held) return
      if (unanswered) {
        // After the event loop stalled, timers run before sockets are read: the answer may be waiting in
        // the socket. The verdict comes once pending I/O has been handled.
        setImmediate(() => {
          if (unanswered && client === held) lost(new Error('the LISTEN connection stopped answering'))
        })
        return
      }
      unanswered = true
      held.query('SELECT 1').then(
        () => {
          unanswered = false
        },
        (error: unknown) => {
          if (client === held) lost(error)
        },
      )
    }, heartbeatMs)
    heartbeat.unref?.()
  }

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
    stopHeartbeat()
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
    startHeartbeat(attempt)
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
      const wasConnected = status === 'connected'
      status = 'closed'
      if (timer !== undefined) clearTimeout(timer)
      stopHeartbeat()
      // From now on changes go unheard: subscribers must not take the feed for working (a cache following
      // it would keep serving what another instance revoked). The others were told already.
      if (wasConnected) report({ type: 'disconnected' })
      const held = client
      client = undefined
      if (held === undefined) return
      held.off('notification', onNotification)
      held.off('end', lost)
      // Until released, the connection's errors are ours: without a listener, one dying during UNLISTEN
      // would be an unhandled `error` event.
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken ??= error
      }
      held.off('error', lost)
      held.on('error', onError)
      let timeout: ReturnType<typeof setTimeout> | undefined
      try {
        // A connection that stopped answering would keep `close()` waiting for ever: dropped instead.
        await Promise.race([
          held.query(`UNLISTEN "${channel}"`),
          new Promise((_resolve, reject) => {
            timeout = setTimeout(() => reject(new Error('UNLISTEN got no answer')), heartbeatMs)
          }),
        ])
      } catch (error) {
        broken ??= error instanceof Error ? error : new Error('UNLISTEN failed')
      } finally {
        clearTimeout(timeout)
        held.off('error', onError)
        held.release(broken)
      }
    },
  }
}
