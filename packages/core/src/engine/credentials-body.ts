import type * as z from 'zod'
import { type OwnParty, partyFor, type ResolvedConfig } from '../config.js'
import type { InboundToken, Link, OutboundToken, Party, PartyRef } from '../model.js'
import { credentials22Schema, credentials211Schema } from '../protocol/schemas.js'
import { isModern, type SupportedVersion } from '../protocol/versions.js'
import { ownUrls } from '../server/routes.js'

/**
 * A peer's Credentials, normalized across versions: 2.1.1's flat party fields become one party with a
 * `null` role. Party ids are kept as sent (compare them case-insensitively).
 */
export interface PeerCredentials {
  readonly token: OutboundToken
  readonly versionsUrl: string
  readonly parties: readonly Party[]
  readonly hubPartyId: string | null
}

/**
 * Describes schema failures by path and rule only: never by value, since a value may be a token.
 *
 * @example
 * ```ts
 * describeIssues(result.error) // 'roles.0.party_id: party_id must be 1 to 3 letters or digits'
 * ```
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ')
}

/**
 * Parses a peer's Credentials in the wire format of `version`.
 *
 * @example
 * ```ts
 * const parsed = parsePeerCredentials('2.2.1', body)
 * if (!parsed.ok) throw new OcpiError('ERR_OCPI_INVALID_INPUT', parsed.message)
 * ```
 */
export function parsePeerCredentials(
  version: SupportedVersion,
  data: unknown,
): { ok: true; value: PeerCredentials } | { ok: false; message: string } {
  if (!isModern(version)) {
    const parsed = credentials211Schema.safeParse(data)
    if (!parsed.success)
      return { ok: false, message: `invalid 2.1.1 credentials: ${describeIssues(parsed.error)}` }
    const c = parsed.data
    return {
      ok: true,
      value: {
        token: c.token as OutboundToken,
        versionsUrl: c.url,
        parties: [
          {
            role: null,
            country_code: c.country_code,
            party_id: c.party_id,
            business_details: c.business_details,
          },
        ],
        hubPartyId: null,
      },
    }
  }
  const parsed = credentials22Schema.safeParse(data)
  if (!parsed.success)
    return { ok: false, message: `invalid ${version} credentials: ${describeIssues(parsed.error)}` }
  const c = parsed.data
  return {
    ok: true,
    value: {
      token: c.token as OutboundToken,
      versionsUrl: c.url,
      parties: c.roles.map((r) => ({
        role: r.role,
        country_code: r.country_code,
        party_id: r.party_id,
        business_details: r.business_details,
      })),
      hubPartyId: version === '2.3.0' ? (c.hub_party_id ?? null) : null,
    },
  }
}

/** The Role values each version defines: HUB is gone in 2.3.0, PTP (Payments) exists only there. */
const ROLES_BY_VERSION: Readonly<Record<SupportedVersion, readonly string[]>> = {
  '2.1.1': [],
  '2.2.1': ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'],
  '2.3.0': ['CPO', 'EMSP', 'NAP', 'NSP', 'OTHER', 'SCSP', 'PTP'],
}

/**
 * Whether `version`'s Role enum has `role` (2.1.1 has no roles at all): what we send a peer carries only
 * the roles of the version the link speaks.
 *
 * @example
 * ```ts
 * definesRole('2.3.0', 'HUB') // false
 * ```
 */
export function definesRole(version: SupportedVersion, role: string): boolean {
  return ROLES_BY_VERSION[version].includes(role)
}

/**
 * Who presents our credentials to a peer: the `as` of its record and, once there is one, its link (whose
 * presentation carries on when the link changes version). A peer record is one.
 *
 * @example
 * ```ts
 * const presenter: Presenter = { as: null, link: peer.link }
 * ```
 */
export interface Presenter {
  readonly as: PartyRef | null
  readonly link?: Pick<Link, 'version' | 'presentedAs'> | null
}

/**
 * The one party of ours a link presents on every version, when it began on 2.1.1 (one party, no role):
 * the peer's identity lock knows that party alone, and would refuse our others as additions when the link
 * moves to 2.2+. `null`: the link presents all of our parties (and so does a record without a link).
 * Pure.
 *
 * @example
 * ```ts
 * const parties = ourParties(config, '2.2.1', singlePartyOf(config, peer))
 * ```
 */
export function singlePartyOf(config: ResolvedConfig, presenter: Presenter): PartyRef | null {
  const link = presenter.link
  if (link === undefined || link === null) return null
  if (link.presentedAs !== undefined) return link.presentedAs
  if (link.version !== '2.1.1') return null
  const party = partyFor(config, presenter.as)
  return { country_code: party.country_code, party_id: party.party_id }
}

/**
 * The link field that keeps a link that began on 2.1.1 presenting its one party of ours, to spread into
 * the link a rotation or a PUT writes (from the record as it was). Pure.
 *
 * @example
 * ```ts
 * const link = { ...changes, ...presentationOf(config, peer) }
 * ```
 */
export function presentationOf(config: ResolvedConfig, presenter: Presenter): { presentedAs?: PartyRef } {
  const single = singlePartyOf(config, presenter)
  return single === null ? {} : { presentedAs: single }
}

/**
 * Our parties presented on a 2.2+ `version`: every party whose role the version defines (no HUB on 2.3.0,
 * no PTP on 2.2.1), or only `single` in its role (see {@link singlePartyOf}) when the version defines it.
 * A hub on 2.2.1 presents only itself, in role HUB: 2.2.1 forbids a hub to list the parties it reaches
 * (it reports them through HubClientInfo), while 2.3.0 asks it to list them. Pure.
 *
 * @example
 * ```ts
 * ourParties(config, '2.2.1', null).map((p) => p.role) // ['CPO', 'EMSP']
 * ```
 */
export function ourParties(
  config: ResolvedConfig,
  version: SupportedVersion,
  single: PartyRef | null,
): readonly OwnParty[] {
  const defined = config.parties.filter((p) => definesRole(version, p.role))
  if (single === null) {
    const hubs = version === '2.2.1' ? defined.filter((p) => p.role === 'HUB') : []
    return hubs.length > 0 ? hubs : defined
  }
  const party = partyFor(config, single)
  return definesRole(version, party.role) ? [party] : defined
}

/**
 * Our Credentials in the wire format of `version`, carrying `token` (the token the peer uses towards
 * us), as `presenter` (the peer's record) presents them: 2.1.1 presents one party (`as`, else the
 * first); 2.2.1 and 2.3.0 present {@link ourParties} (one party only on a link that began on 2.1.1: see
 * {@link singlePartyOf}); 2.3.0 adds `hub_party_id` when configured.
 *
 * @example
 * ```ts
 * const body = ownCredentialsBody(config, '2.2.1', tokenC, peer)
 * ```
 */
export function ownCredentialsBody(
  config: ResolvedConfig,
  version: SupportedVersion,
  token: InboundToken,
  presenter: Presenter,
): Record<string, unknown> {
  const url = ownUrls(config).versions
  if (!isModern(version)) {
    const party = partyFor(config, presenter.as)
    return {
      token,
      url,
      business_details: party.business_details,
      party_id: party.party_id,
      country_code: party.country_code,
    }
  }
  const roles = ourParties(config, version, singlePartyOf(config, presenter)).map((p) => ({
    role: p.role,
    business_details: p.business_details,
    party_id: p.party_id,
    country_code: p.country_code,
  }))
  return version === '2.3.0' && config.hubPartyId !== null
    ? { token, url, hub_party_id: config.hubPartyId, roles }
    : { token, url, roles }
}
