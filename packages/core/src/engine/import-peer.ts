import * as z from 'zod'
import { isOwnParty } from '../config.js'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { InboundToken, OutboundToken, RegisteredPeer } from '../model.js'
import { partyRoleSchema, roleFitsVersions } from '../party-role.js'
import { type Peer, peerView } from '../peer-view.js'
import {
  businessDetailsSchema,
  countryCodeSchema,
  credentialsTokenSchema,
  endpointSchema,
  partyIdSchema,
} from '../protocol/schemas.js'
import { SUPPORTED_VERSIONS } from '../protocol/versions.js'
import { currentTokenRecord } from '../tokens/records.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import { describeIssues } from './credentials-body.js'
import { defaultEncoding, discover } from './discovery.js'

const importSchema = z.strictObject({
  versionsUrl: z.string().min(1),
  version: z.enum(SUPPORTED_VERSIONS),
  /** The token the peer uses to call us (we issued it). Stored only as its digest. */
  inboundToken: credentialsTokenSchema,
  /** The token we use to call the peer. Stored sealed. */
  outboundToken: credentialsTokenSchema,
  parties: z
    .array(
      z.object({
        role: partyRoleSchema.nullable().optional(),
        country_code: countryCodeSchema,
        party_id: partyIdSchema,
        business_details: businessDetailsSchema.optional(),
      }),
    )
    .min(1),
  endpoints: z.array(endpointSchema).optional(),
  encoding: z.enum(['raw', 'base64']).optional(),
  hubPartyId: z
    .string()
    .regex(/^[A-Za-z]{2}[A-Za-z0-9]{1,3}$/, 'hubPartyId is country code + party id')
    .optional(),
  as: z.object({ country_code: countryCodeSchema, party_id: partyIdSchema }).optional(),
})

/**
 * An existing, already registered link to adopt without a handshake. A party's `role` is trimmed and
 * upper-cased and must be an OCPI role the link's version can carry (`PTP` only on 2.3.0); `null` or
 * absent on 2.1.1, whose credentials carry none.
 *
 * @example
 * ```ts
 * const input: ImportPeerInput = {
 *   versionsUrl: 'https://emsp.example.org/ocpi/versions', version: '2.2.1',
 *   inboundToken: tokenTheyUse, outboundToken: tokenWeUse,
 *   parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'ABC' }],
 * }
 * ```
 */
export type ImportPeerInput = z.input<typeof importSchema>

/**
 * Adopts an existing link so a platform can move onto the SDK without re-registering every partner.
 * The peer's endpoints are discovered with the outbound token (probing its encoding) unless given. The
 * inbound token is stored as a digest, the outbound one sealed; the parties are locked from now on.
 *
 * @example
 * ```ts
 * const peer = await importPeer(ctx, input)
 * ```
 */
export async function importPeer(ctx: Context, input: ImportPeerInput): Promise<Peer> {
  const parsed = importSchema.safeParse(input)
  if (!parsed.success)
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid import: ${describeIssues(parsed.error)}`)
  const data = parsed.data
  if (data.as !== undefined && !isOwnParty(ctx.config, data.as)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'as: names none of our parties')
  }
  if (!ctx.config.versions.includes(data.version)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `version: we do not offer ${data.version}`)
  }
  const misfit = data.parties.findIndex((p) => p.role != null && !roleFitsVersions(p.role, [data.version]))
  if (misfit >= 0) {
    throw new OcpiError(
      'ERR_OCPI_INVALID_INPUT',
      `parties.${misfit}.role: OCPI ${data.version} has no such role`,
    )
  }
  const urlCheck = checkPeerUrl(data.versionsUrl, ctx.urlPolicy)
  if (!urlCheck.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `versionsUrl: ${urlCheck.reason}`)
  const outbound = data.outboundToken as OutboundToken
  let endpoints = data.endpoints
  let encoding = data.encoding ?? defaultEncoding(data.version)
  if (endpoints === undefined) {
    const found = await discover(ctx, {
      versionsUrl: data.versionsUrl,
      token: outbound,
      version: data.version,
      encoding,
    })
    endpoints = found.details.endpoints
    encoding = found.encoding
  } else {
    for (const endpoint of endpoints) {
      const check = checkPeerUrl(endpoint.url, ctx.urlPolicy)
      if (!check.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `endpoints: ${check.reason}`)
    }
  }
  const now = ctx.now()
  const peer: RegisteredPeer = {
    id: crypto.randomUUID(),
    revision: 0,
    origin: 'import',
    expectedParties: null,
    as: data.as ?? null,
    createdAt: now,
    updatedAt: now,
    lastContactAt: null,
    state: 'registered',
    registeredAt: now,
    link: {
      version: data.version,
      versionsUrl: data.versionsUrl,
      endpoints,
      parties: data.parties.map((p) => ({
        role: p.role ?? null,
        country_code: p.country_code.toUpperCase(),
        party_id: p.party_id.toUpperCase(),
        business_details: p.business_details ?? { name: `${p.country_code}${p.party_id}`.toUpperCase() },
      })),
      hubPartyId: data.hubPartyId ?? null,
      outbound: await ctx.sealer.seal(outbound),
      encoding,
    },
  }
  const created = await ctx.store.createPeer(peer, [
    currentTokenRecord(data.inboundToken as InboundToken, peer.id, now),
  ])
  if (!created) throw new OcpiError('ERR_OCPI_CONFLICT', 'inboundToken: this token already belongs to a peer')
  ctx.log.info?.('adopted an existing link', { peerId: peer.id, version: data.version })
  return peerView(peer)
}
