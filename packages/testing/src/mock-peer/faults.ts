import type { MockPeerStep } from './records.js'

/**
 * A way for the mock to misbehave, switched on with {@link MockPeer.fail}:
 *
 * - `unreachable`: a network error; the request is not processed.
 * - `slow`: the request is held until the caller aborts it (its `AbortSignal`, e.g. a client timeout),
 *   until `delayMs` passes (then it is processed and answered normally), or until `heal()` (same).
 *   An aborted request is not processed. No timer outlives the request.
 * - `http-500`: HTTP 500 with an envelope (3000); not processed.
 * - `http-401`: HTTP 401 with an envelope (2000), as a peer that no longer knows the caller's token (it
 *   dropped the link without a DELETE); not processed. Usually aimed at module calls (`on: 'GET tokens'`)
 *   while the link is kept; {@link MockPeer.forgetLink} drops the link itself.
 * - `invalid-json`: HTTP 200 with a body that is not JSON; not processed.
 * - `missing-endpoints`: the version details leave out `drop` (default `['credentials']`).
 * - `401-instead-of-405`: where the mock would answer 405, it answers 401.
 * - `lost-response`: the request is processed and committed, then the answer is lost (network error).
 *
 * @example
 * ```ts
 * peer.fail('lost-response', { on: 'POST credentials', times: 1 })
 * peer.fail('http-401', { on: 'GET tokens' })
 * ```
 */
export type MockPeerFaultMode =
  | 'unreachable'
  | 'slow'
  | 'http-500'
  | 'http-401'
  | 'invalid-json'
  | 'missing-endpoints'
  | '401-instead-of-405'
  | 'lost-response'

/**
 * What a fault affects. An endpoint of the mock: a {@link MockPeerStep} (`'POST credentials'`) or
 * `<METHOD> <module>` (`'GET tokens'`); a leading `/` is ignored (`'PUT /credentials'`). One of the
 * mock's own outbound steps: `send <step>` (`'send PUT credentials'`, `'send GET versions'` for its
 * callback discovery), where only `unreachable` (the request is never sent) and `lost-response` (the
 * platform under test processes it, the mock never sees the answer) apply.
 *
 * @example
 * ```ts
 * const target: MockPeerFaultTarget = 'send POST credentials'
 * ```
 */
export type MockPeerFaultTarget =
  | MockPeerStep
  | `send ${MockPeerStep}`
  | `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} ${string}`

/**
 * The options of {@link MockPeer.fail}.
 *
 * @example
 * ```ts
 * peer.fail('slow', { on: 'GET details', delayMs: 5 })
 * ```
 */
export interface MockPeerFailOptions {
  /** Default: every endpoint of the mock (never its own outbound steps, which must be named). */
  readonly on?: MockPeerFaultTarget | readonly MockPeerFaultTarget[]
  /** How many times the fault applies before it switches itself off. Default: until `heal()`. */
  readonly times?: number
  /** `slow` only: answer normally after this many milliseconds unless aborted first. Default: never. */
  readonly delayMs?: number
  /** `missing-endpoints` only: the identifiers left out of the details. Default `['credentials']`. */
  readonly drop?: readonly string[]
}

/**
 * A fault in force.
 *
 * @example
 * ```ts
 * const fault = faults.take('GET details', 'missing-endpoints')
 * ```
 */
export interface ActiveFault {
  readonly mode: MockPeerFaultMode
  readonly targets: readonly string[] | null
  remaining: number | null
  readonly delayMs: number | null
  readonly drop: readonly string[]
}

/**
 * The faults in force and the requests held by `slow`.
 *
 * @example
 * ```ts
 * const faults = createFaultBoard()
 * faults.add('unreachable', {})
 * ```
 */
export interface FaultBoard {
  add(mode: MockPeerFaultMode, options: MockPeerFailOptions): void
  /** Switches every fault off and lets held requests go on. */
  clear(): void
  /** The first fault of that mode for the target, counted as used; `undefined` if none. */
  take(target: string, mode: MockPeerFaultMode): ActiveFault | undefined
  /** Waits for the signal to abort, the delay to pass, or `clear()`. */
  hold(signal: AbortSignal, delayMs: number | null): Promise<'aborted' | 'elapsed' | 'released'>
}

// Every mode, checked against the type: one added to MockPeerFaultMode and not here fails the build.
const MODES = Object.keys({
  unreachable: true,
  slow: true,
  'http-500': true,
  'http-401': true,
  'invalid-json': true,
  'missing-endpoints': true,
  '401-instead-of-405': true,
  'lost-response': true,
} as const satisfies Record<MockPeerFaultMode, true>) as readonly MockPeerFaultMode[]
const OUTBOUND_MODES: readonly MockPeerFaultMode[] = ['unreachable', 'lost-response']
const MUTATIONS = ['POST credentials', 'PUT credentials', 'DELETE credentials']
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
/** The mock's own outbound steps: its callback discovery and its own POST, PUT and DELETE. */
const OWN_STEPS = ['GET versions', 'GET details', ...MUTATIONS]
/** The endpoints of every mock, besides its modules; `unknown` is any other path (answered 404). */
const CONFIGURATION_ENDPOINTS = ['versions', 'details', 'credentials']

/**
 * Normalises a fault target: upper-case method, no leading slash, single spaces.
 *
 * @example
 * ```ts
 * normalizeTarget('put /credentials') // 'PUT credentials'
 * ```
 */
export function normalizeTarget(target: string): string {
  const words = target.trim().split(/\s+/)
  const send = words[0]?.toLowerCase() === 'send'
  const [method = '', ...rest] = send ? words.slice(1) : words
  const name = rest.join(' ').replace(/^\/+/, '')
  return `${send ? 'send ' : ''}${method.toUpperCase()} ${name}`
}

/**
 * Throws a `TypeError` naming the valid targets when a target (normalised) names nothing the mock
 * serves or sends: a fault there would never fire, and a test relying on it would pass for the wrong
 * reason. TypeScript's types catch most misspellings; this catches the rest (JavaScript, casts, module
 * names).
 */
function checkKnown(target: string, given: string, modules: readonly string[]): void {
  const own = OWN_STEPS.map((step) => `send ${step}`)
  if (target.startsWith('send ')) {
    if (!own.includes(target))
      throw new TypeError(
        `fault target "${given}": the mock never sends that; its own steps are ${own.join(', ')}`,
      )
    return
  }
  const [method = '', ...rest] = target.split(' ')
  const name = rest.join(' ')
  if (!METHODS.includes(method) || name === '')
    throw new TypeError(
      `fault target "${given}": the method must be one of ${METHODS.join(', ')}, followed by an endpoint (GET details)`,
    )
  const endpoints = [...CONFIGURATION_ENDPOINTS, ...new Set(modules)]
  if (!endpoints.includes(name) && name !== 'unknown')
    throw new TypeError(
      `fault target "${given}": no such endpoint on this mock; its endpoints are ${endpoints.join(', ')} (and unknown, any other path), its own steps ${own.join(', ')}`,
    )
}

function checkApplicable(mode: MockPeerFaultMode, target: string): void {
  if (target.startsWith('send ') && !OUTBOUND_MODES.includes(mode))
    throw new TypeError(`fault ${mode} cannot apply to the mock's own step "${target}"`)
  if (mode === 'missing-endpoints' && target !== 'GET details')
    throw new TypeError(`fault missing-endpoints applies to "GET details" only, not "${target}"`)
  if (mode === '401-instead-of-405' && !MUTATIONS.includes(target))
    throw new TypeError(`fault 401-instead-of-405 applies to ${MUTATIONS.join(', ')} only, not "${target}"`)
}

/**
 * Creates an empty fault board for a mock whose modules are `modules` (their identifiers): a target
 * naming anything else is refused.
 *
 * @example
 * ```ts
 * const faults = createFaultBoard(['tokens', 'locations'])
 * ```
 */
export function createFaultBoard(modules: readonly string[] = []): FaultBoard {
  let faults: ActiveFault[] = []
  const releases = new Set<() => void>()

  return {
    add(mode, options) {
      if (!MODES.includes(mode))
        throw new TypeError(`unknown fault mode "${String(mode)}": the modes are ${MODES.join(', ')}`)
      const on = options.on === undefined ? null : typeof options.on === 'string' ? [options.on] : options.on
      if (on !== null && (!Array.isArray(on) || on.some((target) => typeof target !== 'string')))
        throw new TypeError('on must be a fault target, or a list of them (e.g. "GET details")')
      if (on !== null && on.length === 0)
        throw new TypeError('on is an empty list: the fault would never fire (leave on out for every call)')
      const targets = on === null ? null : on.map(normalizeTarget)
      for (const [index, target] of (targets ?? []).entries()) {
        checkKnown(target, String(on?.[index]), modules)
        checkApplicable(mode, target)
      }
      if (options.times !== undefined && (!Number.isInteger(options.times) || options.times < 1))
        throw new TypeError('times must be a positive integer')
      faults.push({
        mode,
        targets,
        remaining: options.times ?? null,
        delayMs: options.delayMs ?? null,
        drop: options.drop ?? ['credentials'],
      })
    },
    clear() {
      faults = []
      for (const release of [...releases]) release()
    },
    take(target, mode) {
      const fault = faults.find(
        (f) =>
          f.mode === mode && (f.targets === null ? !target.startsWith('send ') : f.targets.includes(target)),
      )
      if (fault === undefined) return undefined
      if (fault.remaining !== null) {
        fault.remaining--
        if (fault.remaining === 0) faults = faults.filter((f) => f !== fault)
      }
      return fault
    },
    hold(signal, delayMs) {
      return new Promise((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined
        const finish = (outcome: 'aborted' | 'elapsed' | 'released') => {
          if (timer !== undefined) clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          releases.delete(onRelease)
          resolve(outcome)
        }
        const onAbort = () => finish('aborted')
        const onRelease = () => finish('released')
        if (signal.aborted) return finish('aborted')
        signal.addEventListener('abort', onAbort, { once: true })
        releases.add(onRelease)
        if (delayMs !== null) timer = setTimeout(() => finish('elapsed'), delayMs)
      })
    },
  }
}
