import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { PeerRecord, PeerState } from '../model.js'

/**
 * A periodic job started by the SDK (health checks, scheduled rotation).
 *
 * @example
 * ```ts
 * const job = ocpi.startHealthChecks()
 * process.on('SIGTERM', () => job.stop())
 * ```
 */
export interface Job {
  /**
   * Stops the timer and resolves once a pass under way has stopped: it finishes the peer it is at and
   * leaves the others to the next start.
   */
  stop(): Promise<void>
}

/** The longest a timer waits: Node fires a longer one at once (a job would then run back to back). */
const LONGEST_TIMER_MS = 2_147_483_647

/**
 * Refuses options of the periodic jobs that are not positive finite numbers with
 * `ERR_OCPI_INVALID_INPUT`: `integers` must also be whole, `timers` at most what a timer can wait, and
 * `names` (an instance id) non-empty strings. An option left undefined is its default.
 */
export function checkJobOptions(
  options: object,
  kinds: {
    readonly durations: readonly string[]
    readonly timers?: readonly string[]
    readonly integers?: readonly string[]
    readonly names?: readonly string[]
  },
): void {
  for (const name of kinds.names ?? []) {
    const value = (options as Record<string, unknown>)[name]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${name} must be a non-empty string`)
    }
  }
  for (const name of [...kinds.durations, ...(kinds.timers ?? []), ...(kinds.integers ?? [])]) {
    const value = (options as Record<string, unknown>)[name]
    if (value === undefined) continue
    const integer = kinds.integers?.includes(name) === true
    const timer = kinds.timers?.includes(name) === true
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value > 0 &&
      (!integer || Number.isInteger(value)) &&
      (!timer || value <= LONGEST_TIMER_MS)
    if (!valid) {
      const what = integer
        ? 'a positive integer'
        : timer
          ? 'a positive number of milliseconds up to 2^31 - 1'
          : 'a positive number of milliseconds'
      throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${name} must be ${what}`)
    }
  }
}

/** Peers read per page by the periodic jobs. */
const PAGE = 100

/**
 * Calls `visit` for every peer (of a state, when given), read page by page (keyset on the id), at most
 * `concurrency` at a time (default one), until `stopping()` answers true (checked before each peer). The
 * next page is read as soon as a visit needs it: a slow visit holds up no peer but its own. A visit that
 * throws stops the others from starting new peers; once those under way have ended, the first error is
 * thrown.
 */
export async function eachPeer(
  ctx: Context,
  state: PeerState | undefined,
  visit: (peer: PeerRecord) => Promise<void> | void,
  stopping: () => boolean = () => false,
  concurrency = 1,
): Promise<void> {
  let page: readonly PeerRecord[] = []
  let index = 0
  let after: string | undefined
  let exhausted = false
  let reading: Promise<void> | undefined
  let failure: { error: unknown } | undefined
  /** The next peer to visit, reading the next page when this one is used up; `undefined` at the end. */
  const nextPeer = async (): Promise<PeerRecord | undefined> => {
    for (;;) {
      if (index < page.length) return page[index++]
      if (exhausted) return undefined
      reading ??= (async () => {
        const read = await ctx.store.listPeers({
          ...(state === undefined ? {} : { state }),
          ...(after === undefined ? {} : { after }),
          limit: PAGE,
        })
        page = read
        index = 0
        after = read.at(-1)?.id
        exhausted = read.length < PAGE
      })().finally(() => {
        reading = undefined
      })
      await reading
    }
  }
  const worker = async () => {
    while (failure === undefined && !stopping()) {
      try {
        const peer = await nextPeer()
        if (peer === undefined || failure !== undefined || stopping()) return
        await visit(peer)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  if (failure !== undefined) throw failure.error
}

/**
 * Calls `visit` for each of `items`, in order, at most `concurrency` at a time (the mechanism of
 * {@link eachPeer} over a list in hand): a slow visit holds up no item but its own. A visit that throws
 * stops the others from starting new items; once those under way have ended, the first error is thrown.
 */
export async function eachOf<T>(
  items: readonly T[],
  visit: (item: T) => Promise<void>,
  concurrency: number,
): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      try {
        await visit(items[next++] as T)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
  if (failure !== undefined) throw failure.error
}

/**
 * Runs `pass` now and then every `intervalMs` (never two passes at once), until `stop()`; `pass` is given
 * a function that answers true once `stop()` was called, to end early. A failing pass is logged (its
 * error's name only) and the next one runs on time. The timer is unref'd where the runtime can, so it
 * never keeps a process alive.
 */
export function startJob(
  ctx: Context,
  name: string,
  intervalMs: number,
  pass: (stopping: () => boolean) => Promise<unknown>,
): Job {
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | undefined
  const run = () => {
    timer = undefined
    if (stopped) return
    running = pass(() => stopped)
      .then(() => undefined)
      .catch((error: unknown) => {
        ctx.log.warn?.(`${name} failed`, {
          error: error instanceof OcpiError ? error.code : error instanceof Error ? error.name : typeof error,
        })
      })
      .finally(() => {
        if (stopped) return
        timer = setTimeout(run, intervalMs)
        ;(timer as { unref?: () => void }).unref?.()
      })
  }
  run()
  return {
    async stop() {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      await running
    },
  }
}
