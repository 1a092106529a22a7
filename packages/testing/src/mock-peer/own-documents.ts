import type { OwnEndpoint, ResolvedConfig } from './config.js'
import type { MockEndpoint, MockVersion } from './options.js'
import { isModern } from './protocol.js'

/**
 * The URL of the mock's details for a version: `${baseUrl}/${version}`.
 *
 * @example
 * ```ts
 * detailsUrl(config, '2.2.1') // 'https://emsp.example.com/ocpi/2.2.1'
 * ```
 */
export function detailsUrl(config: ResolvedConfig, version: MockVersion): string {
  return `${config.baseUrl}/${version}`
}

/**
 * The URL of the mock's credentials endpoint for a version.
 *
 * @example
 * ```ts
 * credentialsUrl(config, '2.2.1') // 'https://emsp.example.com/ocpi/2.2.1/credentials'
 * ```
 */
export function credentialsUrl(config: ResolvedConfig, version: MockVersion): string {
  return `${detailsUrl(config, version)}/credentials`
}

/**
 * The modules the mock lists for a version; on 2.1.1, which has no interface roles, one per identifier.
 *
 * @example
 * ```ts
 * modulesOf(config, '2.2.1').map((e) => e.identifier) // ['tokens', 'commands', …]
 * ```
 */
export function modulesOf(config: ResolvedConfig, version: MockVersion): OwnEndpoint[] {
  const listed = config.endpoints.filter((endpoint) => endpoint.versions.includes(version))
  if (isModern(version)) return listed
  return listed.filter(
    (endpoint, index) => listed.findIndex((o) => o.identifier === endpoint.identifier) === index,
  )
}

/**
 * The `data` of the mock's versions answer, in the order of the options.
 *
 * @example
 * ```ts
 * versionsDocument(config) // [{ version: '2.2.1', url: 'https://emsp.example.com/ocpi/2.2.1' }]
 * ```
 */
export function versionsDocument(config: ResolvedConfig): { version: MockVersion; url: string }[] {
  return config.versions.map((version) => ({ version, url: detailsUrl(config, version) }))
}

/**
 * The `data` of the mock's version details: `credentials` (role `SENDER` on 2.2+) then its modules,
 * leaving out the identifiers in `drop` (the `missing-endpoints` fault).
 *
 * @example
 * ```ts
 * detailsDocument(config, '2.1.1', []).endpoints[0] // { identifier: 'credentials', url: '…/2.1.1/credentials' }
 * ```
 */
export function detailsDocument(
  config: ResolvedConfig,
  version: MockVersion,
  drop: readonly string[],
): { version: MockVersion; endpoints: MockEndpoint[] } {
  const modern = isModern(version)
  const credentials: MockEndpoint = modern
    ? { identifier: 'credentials', role: 'SENDER', url: credentialsUrl(config, version) }
    : { identifier: 'credentials', url: credentialsUrl(config, version) }
  const modules = modulesOf(config, version).map(
    (endpoint): MockEndpoint =>
      modern
        ? {
            identifier: endpoint.identifier,
            role: endpoint.role,
            url: `${detailsUrl(config, version)}/${endpoint.segment}`,
          }
        : { identifier: endpoint.identifier, url: `${detailsUrl(config, version)}/${endpoint.segment}` },
  )
  return { version, endpoints: [credentials, ...modules].filter((e) => !drop.includes(e.identifier)) }
}

/**
 * The mock's Credentials in a version's format, carrying `token` for the platform under test: flat
 * fields of the first party on 2.1.1, `roles[]` on 2.2+, plus `hub_party_id` on 2.3.0 when configured.
 *
 * @example
 * ```ts
 * credentialsDocument(config, '2.2.1', 'mock-c-…') // { token, url, roles: [{ role: 'EMSP', … }] }
 * ```
 */
export function credentialsDocument(config: ResolvedConfig, version: MockVersion, token: string): object {
  if (!isModern(version)) {
    const [first] = config.parties
    return {
      token,
      url: config.versionsUrl,
      business_details: first?.business_details,
      party_id: first?.party_id,
      country_code: first?.country_code,
    }
  }
  return {
    token,
    url: config.versionsUrl,
    roles: config.parties.map((party) => ({
      role: party.role,
      business_details: party.business_details,
      party_id: party.party_id,
      country_code: party.country_code,
    })),
    ...(version === '2.3.0' && config.hubPartyId !== null ? { hub_party_id: config.hubPartyId } : {}),
  }
}
