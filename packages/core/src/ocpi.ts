import type * as z from 'zod'
import { type dataOptionsSchema, resolveConfig } from './config.js'
import { type Context, lateCommitRecheckMs } from './context.js'
import { AuthCache } from './engine/auth-cache.js'
import {
  type AuthenticatedPeer,
  type AuthenticateOptions,
  type AuthenticateResult,
  type AuthenticationRequest,
  authenticate,
  authenticateCached,
} from './engine/authenticate.js'
import { Batches } from './engine/batches.js'
import { createPeerClient, type PeerClient } from './engine/client.js'
import { pushClientInfo } from './engine/client-info-push.js'
import { connectionStatus } from './engine/connection-status.js'
import { CALLBACK_BUDGET_MS } from './engine/discover-for-peer.js'
import {
  checkHealth,
  type HealthCheckOptions,
  type HealthReport,
  startHealthChecks,
} from './engine/health.js'
import {
  defaultPartyAdditionPolicy,
  defaultPartyRemovalPolicy,
  type PartyAdditionPolicy,
  type PartyRemovalPolicy,
} from './engine/identity-lock.js'
import { type ImportPeerInput, importPeer } from './engine/import-peer.js'
import type { Job } from './engine/periodic.js'
import { type RegisterInput, register } from './engine/register.js'
import { type ResealReport, reseal } from './engine/reseal.js'
import { type Revocation, type RevokeOptions, revoke } from './engine/revoke.js'
import { type RotateOptions, rotate } from './engine/rotate.js'
import { ABANDONED_AFTER_MARGIN_MS } from './engine/rotation-mark.js'
import {
  rotateStale,
  type ScheduledRotationOptions,
  type ScheduledRotationReport,
  startScheduledRotation,
} from './engine/scheduled-rotation.js'
import { type UnregisterOutcome, unregister } from './engine/unregister.js'
import { OcpiConfigError } from './errors.js'
import { EventBus, type OcpiEvents, type OcpiLogger } from './events.js'
import { type Invitation, type InviteOptions, invite } from './invite.js'
import type { ConnectionStatus, Party, PartyRef } from './model.js'
import { type Peer, peerView } from './peer-view.js'
import { createHandler } from './server/handler.js'
import { ownsPath, ownUrls } from './server/routes.js'
import type { CredentialsStore, ListPeersOptions } from './store/types.js'
import { createSealer, type SealingKey } from './tokens/sealing.js'
import {
  createTransport,
  type FetchLike,
  type TransportOptions,
  transportDefaults,
} from './transport/transport.js'
import type { UrlPolicy } from './transport/url-policy.js'

/**
 * Options of {@link createOcpi}. Data options are validated at start (an {@link OcpiConfigError} names
 * every problem); nothing is checked lazily later.
 *
 * @example
 * ```ts
 * const options: OcpiOptions = {
 *   baseUrl: 'https://cpo.example.com/ocpi',
 *   parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details: { name: 'Example CPO' } }],
 *   store: memoryStore(),
 *   sealingKeys: [{ kid: '2026-11', key: process.env['OCPI_SEALING_KEY'] ?? '' }],
 * }
 * ```
 */
export interface OcpiOptions extends z.input<typeof dataOptionsSchema> {
  /** Where peers and tokens live. */
  readonly store: CredentialsStore
  /** Keys that seal outbound tokens at rest; the first is the newest (it seals), all unseal. */
  readonly sealingKeys: readonly SealingKey[]
  /** A `fetch` for every outbound call (tests inject msw's or another instance's `handle`). */
  readonly fetch?: FetchLike
  /** Timeouts, retries and size caps of outbound calls. */
  readonly transport?: Omit<TransportOptions, 'fetch' | 'urlPolicy'>
  /** Which peer URLs may be called (https only, no private or loopback addresses, by default). */
  readonly urlPolicy?: UrlPolicy
  readonly logger?: OcpiLogger
  /**
   * The clock, in milliseconds since the epoch (tests inject one). Read as whole milliseconds (floored),
   * so a clock with a fraction (`performance.timeOrigin + performance.now()`) is fine: every store keeps
   * the same integer times.
   */
  readonly now?: () => number
  /**
   * Whether a registered peer may add parties in a PUT (the identity lock refuses changes of a party
   * always). Default {@link defaultPartyAdditionPolicy}: only hubs may.
   */
  readonly partyAdditionPolicy?: PartyAdditionPolicy
  /**
   * Whether a registered peer may stop presenting parties in a PUT. Default
   * {@link defaultPartyRemovalPolicy}: only hubs may, and never their own identity.
   */
  readonly partyRemovalPolicy?: PartyRemovalPolicy
}

/**
 * The SDK's one object: serves the OCPI versions and credentials endpoints and manages peers.
 *
 * @example
 * ```ts
 * const ocpi = createOcpi(options)
 * const response = await ocpi.handle(request)
 * ```
 */
export interface Ocpi {
  /** Our versions URL, the one to hand over with a TOKEN_A. */
  readonly versionsUrl: string
  /** Serves versions, version details and credentials (GET/POST/PUT/DELETE) for every offered version. */
  handle(request: Request): Promise<Response>
  /**
   * Whether {@link Ocpi.handle} is the one to answer a request path (a URL's pathname, base path
   * included): versions, details and credentials for any version-like segment (an unknown version gets
   * the core's 404 envelope), and the HubClientInfo paths when they are served. Framework bindings route
   * with it; the host's own modules under the same prefix answer `false`.
   */
  ownsPath(pathname: string): boolean
  /** Issues a single-use TOKEN_A for a partner, optionally bound to its parties and its origin. */
  invite(options?: InviteOptions): Promise<Invitation>
  /** A peer by id, or `null`. */
  getPeer(id: string): Promise<Peer | null>
  /** Peers ordered by id, keyset-paginated. */
  listPeers(options?: ListPeersOptions): Promise<Peer[]>
  /** Registers with a partner, given its versions URL and the TOKEN_A its admin handed over. */
  register(input: RegisterInput): Promise<Peer>
  /**
   * Rotates a link's tokens with a PUT (optionally switching version); committed only on success. An
   * unknown outcome (`ERR_OCPI_OUTCOME_UNKNOWN`) is settled later by {@link Ocpi.checkHealth}; until then
   * (or its pending token's expiry), `rotate` settles it first or answers `ERR_OCPI_CONFLICT`.
   */
  rotate(peerId: string, options?: RotateOptions): Promise<Peer>
  /** Ends a link: DELETE to the peer, and every token of the peer dies. */
  unregister(peerId: string): Promise<{ peer: Peer; remote: UnregisterOutcome }>
  /**
   * The answer to a breach: every token of the peer dies at once; a link we invited gets a fresh TOKEN_A
   * (bound to the same parties, and to the invitation's origin, else the origin of the peer's versions
   * URL, unless `options` choose another or none) for the offline re-exchange. A PUT does not undo a
   * breach; this does.
   */
  revoke(peerId: string, options?: RevokeOptions): Promise<Revocation>
  /** Authenticates a request to one of the host's own modules: the peer, or a ready OCPI 401 response. */
  authenticate(request: AuthenticationRequest, options: AuthenticateOptions): Promise<AuthenticateResult>
  /**
   * The synchronous fast path of `authenticate`: the peer when this process authenticated the same
   * Authorization header within `authCacheTtlMs` and nothing needs writing, else `null` (not a refusal:
   * then call `authenticate`, which always answers). Reads headers only. For bindings and hot paths.
   */
  authenticateCached(request: Pick<AuthenticationRequest, 'headers'>): AuthenticatedPeer | null
  /** A client for one peer's modules (right URL, token, encoding and headers). */
  client(peerId: string): PeerClient
  /** Adopts an existing, already registered link without a handshake. */
  importPeer(input: ImportPeerInput): Promise<Peer>
  /**
   * Seals every sealed token in the store again under the newest sealing key, after a key rotation.
   * Safe beside live traffic and idempotent; see {@link ResealReport} for when an old key can go.
   */
  reseal(): Promise<ResealReport>
  /**
   * The connection status of a peer (PLANNED, CONNECTED, OFFLINE, SUSPENDED) by our own tracking; with
   * `party`, of a party behind a hub peer as the hub told us (HubClientInfo), falling back to the peer's.
   * The outbound client refuses to send when this is not CONNECTED.
   */
  connectionStatus(peerId: string, party?: PartyRef): Promise<ConnectionStatus>
  /**
   * One pass of the still-alive check: probes silent peers, marks them OFFLINE or CONNECTED, and settles
   * our rotations whose outcome was unknown (asking the peer what it holds, at most every
   * `offlineRetryMs` per peer, while our pending token lives and the peer's grace window for our old token
   * lasts), clearing, and reporting as `expired`, those whose pending token died unsettled.
   */
  checkHealth(options?: HealthCheckOptions): Promise<HealthReport>
  /** Runs {@link Ocpi.checkHealth} every `intervalMs` (default 30 s) until the job is stopped. */
  startHealthChecks(options?: HealthCheckOptions & { readonly intervalMs?: number }): Job
  /** One pass of the scheduled rotation: rotates every link whose token is older than `maxAgeMs`. */
  rotateStale(options?: ScheduledRotationOptions): Promise<ScheduledRotationReport>
  /** Runs {@link Ocpi.rotateStale} every `intervalMs` (default 1 h) until the job is stopped. */
  startScheduledRotation(options?: ScheduledRotationOptions & { readonly intervalMs?: number }): Job
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof OcpiEvents>(event: E, handler: (payload: OcpiEvents[E]) => void): () => void
  /**
   * Stops following the store's change feed and stops the periodic jobs this instance started (a pass
   * under way finishes the peer it is at; await each job's `stop()` to wait for it). The store itself (its pool
   * or file) belongs to the host, which closes it after this.
   */
  close(): void
}

/** At most this many cached authentications (one per Authorization header value seen recently). */
const AUTH_CACHE_ENTRIES = 10_000

const STORE_METHODS: readonly (keyof CredentialsStore)[] = [
  'createPeer',
  'getPeer',
  'listPeers',
  'findToken',
  'listTokens',
  'casPeer',
  'addToken',
  'consumeInvitation',
  'commitToken',
  'abortToken',
  'retireSuperseded',
  'revokeTokens',
  'touchContact',
  'replaceSuccessor',
  'acquireLease',
  'purgeExpiredTokens',
]

/**
 * Creates the SDK instance. Validates everything at start.
 *
 * @example
 * ```ts
 * import { createOcpi, memoryStore } from '@ocpi-credentials/core'
 *
 * const ocpi = createOcpi({
 *   baseUrl: 'https://cpo.example.com/ocpi',
 *   parties: [{ role: 'CPO', country_code: 'NL', party_id: 'EXA', business_details: { name: 'Example CPO' } }],
 *   store: memoryStore(),
 *   sealingKeys: [{ kid: '2026-11', key: process.env['OCPI_SEALING_KEY'] ?? '' }],
 * })
 * const { token, versionsUrl } = await ocpi.invite()
 * ```
 */
export function createOcpi(options: OcpiOptions): Ocpi {
  const {
    store,
    sealingKeys,
    fetch,
    transport,
    urlPolicy,
    logger,
    now,
    partyAdditionPolicy,
    partyRemovalPolicy,
    ...data
  } = options
  const config = resolveConfig(data)
  if (store === null || typeof store !== 'object') throw new OcpiConfigError('a store is required')
  const missing = STORE_METHODS.filter((m) => typeof store[m] !== 'function')
  if (missing.length > 0) throw new OcpiConfigError(`the store lacks: ${missing.join(', ')}`)
  for (const [name, given] of Object.entries({ partyAdditionPolicy, partyRemovalPolicy, now, fetch })) {
    if (given !== undefined && typeof given !== 'function')
      throw new OcpiConfigError(`${name} must be a function`)
  }
  const log = logger ?? {}
  const policy = urlPolicy ?? {}
  const authCache = new AuthCache(config.authCacheTtlMs, AUTH_CACHE_ENTRIES)
  // Identifies this instance in leases (probes, scheduled rotations) when the host names none.
  const instanceId = crypto.randomUUID()
  // An instanceId left undefined (an unset environment variable) is the default, as any option is; any
  // other value is the job's to check.
  const withInstanceId = <O extends { readonly instanceId?: string }>(options: O) => ({
    ...options,
    instanceId: options.instanceId === undefined ? instanceId : options.instanceId,
  })
  const jobs = new Set<Job>()
  const track = (job: Job): Job => {
    jobs.add(job)
    return {
      stop: () => {
        jobs.delete(job)
        return job.stop()
      },
    }
  }
  // Changes committed by other instances sharing the store drop cached authentications at once.
  const unfollow = store.changes === undefined ? () => undefined : authCache.follow(store.changes)
  const ctx: Context = {
    config,
    // Every write through this instance clears the authentication cache.
    store: authCache.invalidating(store),
    authCache,
    sealer: createSealer(sealingKeys),
    transport: createTransport({ ...transport, ...(fetch ? { fetch } : {}), urlPolicy: policy }),
    callbackTransport: createTransport({
      ...transport,
      ...(fetch ? { fetch } : {}),
      urlPolicy: policy,
      getRetries: 0,
      timeouts: {
        ...transport?.timeouts,
        total: Math.min(transport?.timeouts?.total ?? CALLBACK_BUDGET_MS, CALLBACK_BUDGET_MS),
      },
    }),
    rotationBudgetMs: transport?.timeouts?.total ?? transportDefaults.timeouts.total,
    lateCommitRecheckMs: lateCommitRecheckMs(
      Math.min(
        transport?.timeouts?.post ?? transportDefaults.timeouts.post,
        transport?.timeouts?.total ?? transportDefaults.timeouts.total,
      ),
    ),
    urlPolicy: policy,
    events: new EventBus(log),
    log,
    now: now === undefined ? Date.now : () => Math.floor(now()),
    partyAdditionPolicy: partyAdditionPolicy ?? defaultPartyAdditionPolicy,
    partyRemovalPolicy: partyRemovalPolicy ?? defaultPartyRemovalPolicy,
    batches: new Batches(),
  }
  const leastPendingTtlMs = 2 * (ctx.rotationBudgetMs + ABANDONED_AFTER_MARGIN_MS)
  if (config.pendingTtlMs < leastPendingTtlMs) {
    // Our pending token must outlive the POST or PUT that carries it, and leave as long again to settle
    // a rotation whose answer was lost, or whose process died, while the peer may hold it.
    throw new OcpiConfigError(
      `pendingTtlMs (${config.pendingTtlMs} ms) must be at least twice the transport's total timeout and 30 s (${leastPendingTtlMs} ms)`,
    )
  }
  if (config.hubClientInfo.sender) {
    // As a hub: every change of a platform's link or status is pushed to the other connected platforms.
    const push = ({ peerId, removed }: { peerId: string; removed?: readonly Party[] }) => {
      void pushClientInfo(ctx, peerId, removed).catch((error: unknown) =>
        log.warn?.('ClientInfo push failed', {
          peerId,
          error: error instanceof Error ? error.name : 'unknown',
        }),
      )
    }
    for (const event of ['invited', 'registered', 'unregistered', 'revoked', 'connection-status'] as const) {
      ctx.events.on(event, push)
    }
    ctx.events.on('parties-changed', push)
  }
  return {
    versionsUrl: ownUrls(config).versions,
    handle: createHandler(ctx),
    ownsPath: (pathname) => ownsPath(config, pathname),
    invite: (inviteOptions) => invite(ctx, inviteOptions),
    async getPeer(id) {
      const record = await store.getPeer(id)
      return record === null ? null : peerView(record)
    },
    async listPeers(listOptions) {
      return (await store.listPeers(listOptions)).map(peerView)
    },
    register: (input) => register(ctx, input),
    rotate: (peerId, rotateOptions) => rotate(ctx, peerId, rotateOptions),
    unregister: (peerId) => unregister(ctx, peerId),
    revoke: (peerId, revokeOptions) => revoke(ctx, peerId, revokeOptions),
    authenticate: (request, authOptions) => authenticate(ctx, request, authOptions),
    authenticateCached: (request) => authenticateCached(ctx, request),
    client: (peerId) => createPeerClient(ctx, peerId),
    importPeer: (input) => importPeer(ctx, input),
    reseal: () => reseal(ctx),
    connectionStatus: (peerId, party) => connectionStatus(ctx, peerId, party),
    checkHealth: (healthOptions = {}) => checkHealth(ctx, withInstanceId(healthOptions)),
    startHealthChecks: (healthOptions = {}) => track(startHealthChecks(ctx, withInstanceId(healthOptions))),
    rotateStale: (rotationOptions = {}) => rotateStale(ctx, withInstanceId(rotationOptions)),
    startScheduledRotation: (rotationOptions = {}) =>
      track(startScheduledRotation(ctx, withInstanceId(rotationOptions))),
    on: (event, handler) => ctx.events.on(event, handler),
    close: () => {
      unfollow()
      for (const job of jobs) void job.stop()
      jobs.clear()
    },
  }
}
