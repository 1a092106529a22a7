import * as z from 'zod'
import type { Context } from '../context.js'
import { definesRole, describeIssues } from '../engine/credentials-body.js'
import { eachPeer } from '../engine/periodic.js'
import { CAS_ATTEMPTS, waitBeforeRetry } from '../engine/retry-wait.js'
import { OcpiError } from '../errors.js'
import {
  type ClientInfoRecord,
  type ConnectionStatus,
  connectionStatusOf,
  hubAsParty,
  isHubLink,
  type Party,
  type PartyRef,
  type PeerRecord,
  partyKey,
  type RegisteredPeer,
  samePartyRef,
} from '../model.js'
import { dateTimeSchema } from '../protocol/datetime.js'
import { countryCodeSchema, partyIdSchema } from '../protocol/schemas.js'
import type { SupportedVersion } from '../protocol/versions.js'

const STATUSES = ['CONNECTED', 'OFFLINE', 'PLANNED', 'SUSPENDED'] as const

/**
 * A ClientInfo object on the wire (HubClientInfo, 2.2.1 and 2.3.0); unknown fields are ignored.
 * `last_updated` is required by the spec, but the spec's own PUT example lacks it (errata), so hubs that
 * copied it are heard: absent, it is the time of receipt.
 */
const clientInfoSchema = z.object({
  party_id: partyIdSchema,
  country_code: countryCodeSchema,
  role: z.string().min(1).max(16),
  status: z.enum(STATUSES),
  last_updated: dateTimeSchema.nullish(),
})

/** A ClientInfo object as we send it. */
export interface ClientInfoData {
  readonly party_id: string
  readonly country_code: string
  readonly role: string
  readonly status: ConnectionStatus
  readonly last_updated: string
}

function toData(info: ClientInfoRecord): ClientInfoData {
  return {
    party_id: info.party_id,
    country_code: info.country_code,
    role: info.role,
    status: info.status,
    last_updated: new Date(info.last_updated).toISOString(),
  }
}

/**
 * Receiver interface, PUT `/{country_code}/{party_id}`: a hub peer tells us the status of a party behind
 * it. Accepted from a hub peer only (a HUB party on 2.2.1, a `hub_party_id` on 2.3.0); the URL's party must
 * be the body's. An update older than the one we hold is ignored (answered with success, as the spec's
 * "the Hub SHALL push all changes" makes a late duplicate harmless); one as old or newer replaces it.
 * Stored on the hub's peer record. Returns the ClientInfo now held.
 *
 * @example
 * ```ts
 * const held = await receiveClientInfo(ctx, { peerId, party: { country_code: 'DE', party_id: 'ABC' }, body })
 * ```
 */
export async function receiveClientInfo(
  ctx: Context,
  args: { peerId: string; party: PartyRef; body: unknown },
): Promise<ClientInfoData> {
  const parsed = clientInfoSchema.safeParse(args.body)
  if (!parsed.success) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid ClientInfo: ${describeIssues(parsed.error)}`)
  }
  const info: ClientInfoRecord = {
    party_id: parsed.data.party_id.toUpperCase(),
    country_code: parsed.data.country_code.toUpperCase(),
    role: parsed.data.role,
    status: parsed.data.status,
    last_updated: parsed.data.last_updated?.getTime() ?? ctx.now(),
  }
  if (!samePartyRef(info, args.party)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'the ClientInfo describes another party than the URL names')
  }
  // Batched per hub: a hub pushing many parties at once (it must not retry) would otherwise see most of
  // its PUTs lose the compare-and-swap to each other, or to another instance's writes.
  return ctx.batches.submit(`client-info:${args.peerId}`, info, (infos) =>
    storeClientInfo(ctx, args.peerId, infos),
  )
}

/**
 * Stores a batch of ClientInfo of one hub in one write of its record, each applied in turn unless the
 * held one is newer; answers, per item, the ClientInfo now held. A lost compare-and-swap reads again and
 * retries (a batch applies to whatever the record holds then), after a random wait that grows with each
 * try: behind a load balancer, the instances' batches race for the same record, and retrying at once
 * would have them collide again.
 */
async function storeClientInfo(
  ctx: Context,
  peerId: string,
  infos: readonly ClientInfoRecord[],
): Promise<ClientInfoData[]> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const hub = await hubPeer(ctx, peerId)
    const held = new Map((hub.clientInfo ?? []).map((c) => [partyKey(c), c]))
    let changed = false
    const answers = infos.map((info) => {
      const current = held.get(partyKey(info))
      if (current !== undefined && current.last_updated > info.last_updated) return toData(current)
      held.set(partyKey(info), info)
      changed = true
      return toData(info)
    })
    if (!changed) return answers
    const next: RegisteredPeer = { ...hub, clientInfo: [...held.values()], updatedAt: ctx.now() }
    if ((await ctx.store.casPeer(hub.id, hub.revision, next)) !== null) return answers
    if (attempt < CAS_ATTEMPTS - 1) await waitBeforeRetry(attempt)
  }
  throw new OcpiError('ERR_OCPI_CONFLICT', 'the hub record changed concurrently; retry')
}

/**
 * Receiver interface, GET `/{country_code}/{party_id}`: the ClientInfo this hub peer told us of that
 * party; `ERR_OCPI_NOT_FOUND` when it told us nothing of it.
 *
 * @example
 * ```ts
 * const info = await readClientInfo(ctx, { peerId, party })
 * ```
 */
export async function readClientInfo(
  ctx: Context,
  args: { peerId: string; party: PartyRef },
): Promise<ClientInfoData> {
  const hub = await hubPeer(ctx, args.peerId)
  const held = hub.clientInfo?.find((c) => samePartyRef(c, args.party))
  if (held === undefined) throw new OcpiError('ERR_OCPI_NOT_FOUND', 'no ClientInfo for this party')
  return toData(held)
}

async function hubPeer(ctx: Context, peerId: string): Promise<RegisteredPeer> {
  const peer = await ctx.store.getPeer(peerId)
  if (peer === null || peer.state !== 'registered')
    throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'not registered')
  if (!isHubLink(peer.link)) {
    throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'only a hub peer may send or read ClientInfo')
  }
  return peer
}

/**
 * The ClientInfo objects of every party of one of our peers, as a hub reports them to its other connected
 * platforms speaking `version`, at `now`:
 * - a registered link's parties CONNECTED or OFFLINE, an ended link's SUSPENDED;
 * - an invited peer (a new invitation, or a revoked link invited again) PLANNED for the parties its
 *   invitation expects while the invitation lives, SUSPENDED once it expired;
 * - the parties an invitation expected and the link did not present, SUSPENDED (a platform invited again
 *   after a revocation that came back with fewer parties: they were announced PLANNED);
 * - parties the peer just stopped presenting (`removed`), SUSPENDED: they will not be reachable through
 *   it again. Those gone come first, so that a platform reading pushes in order never sees them outlive
 *   the others.
 *
 * `last_updated` is the time the reported status became true, to the millisecond: the peer record's last
 * change; for an invitation that expired, its expiry; for a peer heard from since the probe marked it
 * OFFLINE (CONNECTED again before the next health pass records it), its latest contact. Parties without
 * a role (2.1.1 links, an expectation without one) or with a role that `version` does not define (HUB
 * towards 2.3.0, PTP towards 2.2.1) are left out. Pure.
 *
 * @example
 * ```ts
 * clientInfoOf(peer, '2.2.1', Date.now()) // [{ country_code: 'DE', party_id: 'ABC', role: 'CPO', status: 'CONNECTED', … }]
 * ```
 */
export function clientInfoOf(
  peer: PeerRecord,
  version: SupportedVersion,
  now: number,
  removed: readonly Party[] = [],
): ClientInfoData[] {
  // To the millisecond (HubClientInfo is 2.2.1+, whose DateTime allows fractions): two changes within one
  // second (registered, then unregistered at once) keep their order, so a platform receiving their pushes
  // the other way round keeps the newer; and a client pulling with `date_from` = the time of its last
  // pull misses nothing. Whole seconds did one or the other. A status that became true without a write
  // to the record (an invitation's expiry, a contact) dates from then, or such a pull would miss it.
  const seen = new Set<string>()
  const infos = (
    parties: readonly Pick<Party, 'role' | 'country_code' | 'party_id'>[],
    status: ConnectionStatus,
    since = peer.updatedAt,
  ) => {
    const last_updated = new Date(since).toISOString()
    return parties.flatMap((party) => {
      if (party.role === null || !definesRole(version, party.role)) return []
      const key = `${partyKey(party)}/${party.role}`
      if (seen.has(key)) return []
      seen.add(key)
      return [
        {
          party_id: party.party_id,
          country_code: party.country_code,
          role: party.role,
          status,
          last_updated,
        },
      ]
    })
  }
  const expected = (peer.expectedParties ?? []).map((p) => ({ ...p, role: p.role ?? null }))
  const gone = infos(removed, 'SUSPENDED')
  if (peer.state === 'invited') {
    // An invitation that expired without a registration: nobody is coming, and a platform that heard
    // PLANNED (pushes are never deleted) learns from the list that it is over.
    return peer.invitationExpiresAt > now
      ? [...gone, ...infos(expected, 'PLANNED')]
      : [...gone, ...infos(expected, 'SUSPENDED', Math.max(peer.updatedAt, peer.invitationExpiresAt))]
  }
  if ((peer.state !== 'registered' && peer.state !== 'unregistered') || peer.link === null) return gone
  const { parties, hubPartyId } = peer.link
  // Presented: by role (a 2.1.1 link presents none), and a 2.3.0 hub by its hub_party_id.
  const presented = hubPartyId === null ? parties : [...parties, hubAsParty(hubPartyId)]
  const unmet = expected.filter(
    (e) => !presented.some((p) => samePartyRef(p, e) && (p.role === null || p.role === e.role)),
  )
  const status = connectionStatusOf(peer)
  // CONNECTED again by a contact since the probe's OFFLINE mark, which the next health pass clears.
  const since =
    status === 'CONNECTED' && peer.state === 'registered' && peer.offlineSince !== undefined
      ? Math.max(peer.updatedAt, peer.lastContactAt ?? peer.updatedAt)
      : peer.updatedAt
  return [...gone, ...infos(unmet, 'SUSPENDED'), ...infos(parties, status, since)]
}

const listQuerySchema = z.object({
  date_from: dateTimeSchema.optional(),
  date_to: dateTimeSchema.optional(),
  // Any whole number, also beyond 2^53 (zod's `int()` refuses those): an offset past the end is an empty
  // page, not a malformed query.
  offset: z.coerce.number().nonnegative().refine(Number.isInteger, 'expected an integer').default(0),
  // Any page size may be asked for; more than we serve gets our most (`X-Limit` says so), as the spec's
  // pagination example shows with `?limit=2000`.
  limit: z.coerce.number().positive().refine(Number.isInteger, 'expected an integer').optional(),
})

/** The page size when the hub's client asks for none, and the most it may ask for. */
const DEFAULT_LIMIT = 100

/**
 * Sender interface (we are the hub), GET list: the ClientInfo of the parties of all our peers but the
 * requester's own, filtered by `last_updated` (`date_from` inclusive, `date_to` exclusive) and paginated
 * with `offset` / `limit` (at most 100 per page; `X-Total-Count`, `X-Limit` and a `Link: <…>; rel="next"`
 * header on our published URL `published`, as OCPI's pagination asks). A party found on several of our
 * peer records (a platform that left and registered again) is listed once, from its live link if it has
 * one, else from the newest record. Ordered by peer id, then party.
 *
 * @example
 * ```ts
 * const { data, headers } = await listClientInfo(ctx, { requester: peerId, url })
 * ```
 */
export async function listClientInfo(
  ctx: Context,
  args: { requester: string; version: SupportedVersion; url: URL; published: string },
): Promise<{ data: ClientInfoData[]; headers: Record<string, string> }> {
  const parsed = listQuerySchema.safeParse(Object.fromEntries(args.url.searchParams))
  if (!parsed.success) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid query: ${describeIssues(parsed.error)}`)
  }
  const { date_from, date_to, offset } = parsed.data
  const limit = Math.min(parsed.data.limit ?? DEFAULT_LIMIT, DEFAULT_LIMIT)
  const requester = await ctx.store.getPeer(args.requester)
  const own = requester?.state === 'registered' ? requester.link.parties : []
  // One entry per party (country, id, role): a live link's entry beats an ended one's, then the newer wins.
  const byParty = new Map<string, ClientInfoData>()
  const now = ctx.now()
  await eachPeer(ctx, undefined, (peer) => {
    if (peer.id === args.requester) return
    for (const info of clientInfoOf(peer, args.version, now)) {
      if (own.some((p) => samePartyRef(p, info))) continue
      const key = `${partyKey(info)}/${info.role}`
      const held = byParty.get(key)
      if (held === undefined || replaces(info, held)) byParty.set(key, info)
    }
  })
  const all = [...byParty.values()].filter((info) => {
    const at = Date.parse(info.last_updated)
    return (
      (date_from === undefined || at >= date_from.getTime()) &&
      (date_to === undefined || at < date_to.getTime())
    )
  })
  const data = all.slice(offset, offset + limit)
  const headers: Record<string, string> = { 'x-total-count': String(all.length), 'x-limit': String(limit) }
  if (offset + limit < all.length) {
    // On the URL we publish, not the one the request arrived at (behind a proxy: http, an internal host).
    const next = new URL(args.published)
    for (const [name, value] of args.url.searchParams) next.searchParams.set(name, value)
    next.searchParams.set('offset', String(offset + limit))
    next.searchParams.set('limit', String(limit))
    headers['link'] = `<${next.toString()}>; rel="next"`
  }
  return { data, headers }
}

/** Whether the list keeps `candidate` over `held` for one party: a live link's entry first, then the newer. */
function replaces(candidate: ClientInfoData, held: ClientInfoData): boolean {
  if (isLive(candidate) !== isLive(held)) return isLive(candidate)
  return Date.parse(candidate.last_updated) > Date.parse(held.last_updated)
}

/** A ClientInfo of a registered link (CONNECTED or OFFLINE), as against PLANNED or SUSPENDED. */
export function isLive(info: ClientInfoData): boolean {
  return info.status === 'CONNECTED' || info.status === 'OFFLINE'
}
