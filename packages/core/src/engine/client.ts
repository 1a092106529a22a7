import * as z from 'zod'
import { partyFor } from '../config.js'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { isHubLink, type OutboundToken, type PartyRef, type RegisteredPeer, samePartyRef } from '../model.js'
import { countryCodeSchema, envelopeSchema, partyIdSchema } from '../protocol/schemas.js'
import { isModern } from '../protocol/versions.js'
import { redactSecrets } from '../tokens/redact.js'
import { statusFor } from './connection-status.js'
import { definesRole, describeIssues, ourParties, singlePartyOf } from './credentials-body.js'
import { buildRequest } from './outbound.js'

const partyRefSchema = z.object({ country_code: countryCodeSchema, party_id: partyIdSchema })
const partyRefsSchema = z.object({ to: partyRefSchema.optional(), from: partyRefSchema.optional() })

/** Configuration modules: no routing headers on them (2.2+). */
const CONFIGURATION_MODULES = new Set(['credentials', 'versions', 'hubclientinfo'])

/**
 * One request to a peer's module through {@link PeerClient.request}.
 *
 * @example
 * ```ts
 * const options: ClientRequest = { method: 'GET', path: '/NL/EXA/LOC1', query: { limit: 10 } }
 * ```
 */
export interface ClientRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Appended to the endpoint's URL (which is used exactly as the peer gave it). */
  readonly path?: string
  readonly query?: Readonly<Record<string, string | number>>
  readonly body?: unknown
  /** The receiving party (OCPI-to-*); defaults to the peer's only party. */
  readonly to?: PartyRef
  /**
   * Our sending party (OCPI-from-*): any of our parties the link's version has a role for (a hub names
   * the party it forwards for). Defaults to the link's `as`, else the first party our credentials
   * presented to the peer (a 2.2.1 hub: its HUB party).
   */
  readonly from?: PartyRef
  /** Correlates this request with others (X-Correlation-ID); a fresh one by default. */
  readonly correlationId?: string
  readonly signal?: AbortSignal
}

/**
 * A peer's answer: the HTTP status, the envelope's fields (`statusCode` is `null` when the body was not
 * an OCPI envelope), and the headers (pagination headers included).
 *
 * @example
 * ```ts
 * if (response.statusCode === 1000) render(response.data)
 * ```
 */
export interface ClientResponse {
  readonly status: number
  readonly statusCode: number | null
  readonly statusMessage: string | null
  readonly data: unknown
  readonly headers: Headers
}

/**
 * Talks to one registered peer's modules: finds the endpoint for (module, interface role), sends the
 * outbound token in the peer's encoding, sets X-Request-ID and X-Correlation-ID and, on functional
 * modules of 2.2+ links, the routing headers. Hosts never handle a token.
 *
 * @example
 * ```ts
 * const emsp = ocpi.client(peerId)
 * await emsp.request('tokens', 'RECEIVER', { method: 'PUT', path: `/NL/EXA/${uid}`, body: token })
 * ```
 */
export interface PeerClient {
  /**
   * Sends one request to the peer's `module` endpoint with the interface `role` it offers (the role is
   * ignored on 2.1.1, which has none). Rejects with an {@link OcpiError}: `ERR_OCPI_UNKNOWN_PEER`,
   * `ERR_OCPI_WRONG_STATE` (not registered), `ERR_OCPI_MISSING_ENDPOINTS` (no such endpoint),
   * `ERR_OCPI_INVALID_INPUT` (bad `to` / `from`), or a transport error; any HTTP status resolves.
   */
  request(module: string, role: 'SENDER' | 'RECEIVER', options?: ClientRequest): Promise<ClientResponse>
}

function joinUrl(base: string, path: string | undefined, query: ClientRequest['query']): string {
  let url = base
  if (path !== undefined && path !== '') url = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
  if (query !== undefined && Object.keys(query).length > 0) {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))
    url += `${url.includes('?') ? '&' : '?'}${search.toString()}`
  }
  return url
}

function routingHeaders(ctx: Context, peer: RegisteredPeer, options: ClientRequest): Record<string, string> {
  // `from` may name any of our parties the link's version has a role for (no PTP on 2.2.1, no HUB on
  // 2.3.0), or only the one party of a link that began on 2.1.1. A 2.2.1 hub presents only itself in its
  // credentials, yet forwards for the parties it serves (§3.6: `from` is the requesting party), so the
  // parties it may name are wider than those it presented. By default: the link's `as` when presented,
  // else the first presented party.
  const single = singlePartyOf(ctx.config, peer)
  const presented = ourParties(ctx.config, peer.link.version, single)
  const nameable =
    single === null ? ctx.config.parties.filter((p) => definesRole(peer.link.version, p.role)) : presented
  const preferred = partyFor(ctx.config, peer.as)
  const from =
    options.from ??
    (presented.some((p) => samePartyRef(p, preferred)) ? preferred : (presented[0] ?? preferred))
  if (!ctx.config.parties.some((p) => samePartyRef(p, from))) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'from: names none of our parties')
  }
  if (!nameable.some((p) => samePartyRef(p, from))) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_INPUT',
      `from: names a party this peer does not know (OCPI ${peer.link.version} has no role for it)`,
    )
  }
  let to = options.to
  if (to === undefined) {
    const distinct = new Map(
      peer.link.parties.map((p) => [`${p.country_code}|${p.party_id}`.toUpperCase(), p]),
    )
    if (distinct.size !== 1) {
      throw new OcpiError(
        'ERR_OCPI_INVALID_INPUT',
        'to: the peer has several parties; say which one the request is for',
      )
    }
    to = [...distinct.values()][0] as PartyRef
  } else if (!isHubLink(peer.link) && !peer.link.parties.some((p) => samePartyRef(p, to as PartyRef))) {
    // A hub routes to parties behind it: any party may be named there.
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', "to: names none of the peer's parties")
  }
  return {
    'ocpi-from-country-code': from.country_code.toUpperCase(),
    'ocpi-from-party-id': from.party_id.toUpperCase(),
    'ocpi-to-country-code': to.country_code.toUpperCase(),
    'ocpi-to-party-id': to.party_id.toUpperCase(),
  }
}

/**
 * Builds the client of one peer. Every call re-reads the peer, so a rotation or an unregistration takes
 * effect at once; an unregistered peer is refused with `ERR_OCPI_WRONG_STATE` before anything is sent.
 *
 * @example
 * ```ts
 * const client = createPeerClient(ctx, peerId)
 * ```
 */
export function createPeerClient(ctx: Context, peerId: string): PeerClient {
  return {
    async request(module, role, options = {}) {
      const peer = await ctx.store.getPeer(peerId)
      if (peer === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${peerId}`)
      if (peer.state !== 'registered') {
        throw new OcpiError('ERR_OCPI_WRONG_STATE', `peer ${peerId} is ${peer.state}: nothing is sent to it`)
      }
      const refs = partyRefsSchema.safeParse({ to: options.to, from: options.from })
      if (!refs.success) {
        throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid request: ${describeIssues(refs.error)}`)
      }
      // OFFLINE, SUSPENDED and PLANNED mean: send nothing, queue nothing (by our probe, or a hub's word).
      const status = statusFor(peer, options.to)
      if (status !== 'CONNECTED') {
        const whom =
          options.to === undefined ? `peer ${peerId}` : `${options.to.country_code}/${options.to.party_id}`
        throw new OcpiError('ERR_OCPI_NOT_CONNECTED', `${whom} is ${status}: nothing is sent to it`)
      }
      const modern = isModern(peer.link.version)
      const endpoint = peer.link.endpoints.find(
        (e) => e.identifier === module && (!modern || e.role === undefined || e.role === role),
      )
      if (endpoint === undefined) {
        throw new OcpiError(
          'ERR_OCPI_MISSING_ENDPOINTS',
          `peer ${peerId} offers no ${module} ${role} endpoint`,
        )
      }
      const method = options.method ?? 'GET'
      const step = `${method} ${module}`
      const token = (await ctx.sealer.unseal(peer.link.outbound)) as OutboundToken
      const built = buildRequest({
        method,
        url: joinUrl(endpoint.url, options.path, options.query),
        token,
        encoding: peer.link.encoding,
        version: peer.link.version,
        step,
        ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
        ...(options.body === undefined ? {} : { body: options.body }),
      })
      const headers =
        modern && !CONFIGURATION_MODULES.has(module)
          ? { ...built.headers, ...routingHeaders(ctx, peer, options) }
          : built.headers
      const response = await ctx.transport.send({
        ...built,
        headers,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      if (response.status >= 200 && response.status < 300) await ctx.store.touchContact(peerId, ctx.now())
      const envelope = response.body.ok ? envelopeSchema.safeParse(response.body.value) : null
      return {
        status: response.status,
        statusCode: envelope?.success ? envelope.data.status_code : null,
        // A careless peer may echo our token in its message: hosts log these.
        statusMessage:
          envelope?.success && envelope.data.status_message !== undefined
            ? redactSecrets(envelope.data.status_message, [token, btoa(token)])
            : null,
        data: envelope?.success ? envelope.data.data : undefined,
        headers: response.headers,
      }
    },
  }
}
