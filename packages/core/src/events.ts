import type { OcpiErrorCode } from './errors.js'
import type { ConnectionStatus, Party } from './model.js'
import type { SupportedVersion } from './protocol/versions.js'

/**
 * The events the SDK emits, by name. None carries a token.
 *
 * @example
 * ```ts
 * ocpi.on('registered', ({ peerId, version }) => log.info({ peerId, version }, 'peer registered'))
 * ```
 */
export interface OcpiEvents {
  /** We issued a TOKEN_A. */
  invited: { peerId: string; expiresAt: number }
  /** A link came up, by the peer's POST (`inbound`) or ours (`outbound`). */
  registered: {
    peerId: string
    version: SupportedVersion
    direction: 'inbound' | 'outbound'
    parties: readonly Party[]
  }
  /**
   * A registration attempt failed. Inbound, the invitation still works unless a concurrent registration
   * consumed it; outbound, `code` is the failure of the step, which the thrown error may refine (e.g.
   * into `ERR_OCPI_OUTCOME_UNKNOWN`).
   */
  'registration-failed': {
    peerId: string
    direction: 'inbound' | 'outbound'
    code: OcpiErrorCode
    message: string
  }
  /** The tokens of a link were rotated, by our PUT (`us`) or the peer's (`peer`). */
  rotated: { peerId: string; version: SupportedVersion; by: 'us' | 'peer' }
  /**
   * Our rotation failed: `refused` (nothing changed, our old token works), or `unknown` (the peer may hold
   * our new token, valid until its pending expiry; the health checks settle it meanwhile).
   */
  'rotation-failed': { peerId: string; code: OcpiErrorCode; outcome: 'refused' | 'unknown' }
  /**
   * A registered peer's parties changed with a PUT (its own, or its answer to ours), as the
   * `partyAdditionPolicy` and `partyRemovalPolicy` allowed: typically a hub whose reachable parties
   * changed; or a link that began on 2.1.1 (which has no roles) moved to 2.2+, and its parties got their
   * roles (`rolesFilledIn`, with their roles). All as locked (identity spelling kept), never all empty.
   */
  'parties-changed': {
    peerId: string
    added: readonly Party[]
    removed: readonly Party[]
    rolesFilledIn: readonly Party[]
  }
  /** Every token of the peer was revoked (a breach); `reinvited` when a fresh TOKEN_A was issued. */
  revoked: { peerId: string; reinvited: boolean }
  /** The link was ended, by the peer's DELETE (`peer`) or by us. */
  unregistered: { peerId: string; by: 'peer' | 'us' }
  /**
   * A registered peer's connection status changed as the liveness probe saw it: it stopped answering
   * (`OFFLINE`) or answers again (`CONNECTED`).
   */
  'connection-status': { peerId: string; status: ConnectionStatus; previous: ConnectionStatus }
  /** A request was refused for its token: missing, unknown, expired, or used outside its scope. */
  'authentication-failed': {
    reason: 'missing' | 'unknown' | 'expired' | 'scope'
    method: string
    path: string
    peerId: string | null
  }
}

/**
 * A structured logger (pino, console, …). Every method is optional. The SDK never passes a token.
 *
 * @example
 * ```ts
 * createOcpi({ ...options, logger: { warn: (msg, fields) => console.warn(msg, fields) } })
 * ```
 */
export interface OcpiLogger {
  /** Detail for troubleshooting; the SDK does not log at this level today. */
  debug?(message: string, fields?: Record<string, unknown>): void
  /** A link changed: registered, updated or rotated, unregistered by the peer, adopted. */
  info?(message: string, fields?: Record<string, unknown>): void
  /** A handled failure or anomaly, e.g. a refused registration, a failed rotation, a revocation. */
  warn?(message: string, fields?: Record<string, unknown>): void
  /** A failure of ours: an event handler threw, or an OCPI request was answered 500 (the store, a key). */
  error?(message: string, fields?: Record<string, unknown>): void
}

type Handler<E extends keyof OcpiEvents> = (payload: OcpiEvents[E]) => void

/** A small typed emitter; a throwing handler is logged and never breaks the flow that emitted. */
export class EventBus {
  readonly #handlers = new Map<keyof OcpiEvents, Set<Handler<never>>>()
  readonly #logger: OcpiLogger

  constructor(logger: OcpiLogger) {
    this.#logger = logger
  }

  on<E extends keyof OcpiEvents>(event: E, handler: Handler<E>): () => void {
    let set = this.#handlers.get(event)
    if (set === undefined) {
      set = new Set()
      this.#handlers.set(event, set)
    }
    set.add(handler as Handler<never>)
    return () => set.delete(handler as Handler<never>)
  }

  emit<E extends keyof OcpiEvents>(event: E, payload: OcpiEvents[E]): void {
    for (const handler of this.#handlers.get(event) ?? []) {
      try {
        ;(handler as Handler<E>)(payload)
      } catch (error) {
        this.#logger.error?.('event handler threw', {
          event,
          error: error instanceof Error ? error.name : typeof error,
        })
      }
    }
  }
}
