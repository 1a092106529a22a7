import type { ResolvedConfig } from '../config.js'
import type { PartyRef } from '../model.js'
import { partyKey } from '../model.js'
import type { Endpoint } from '../protocol/schemas.js'
import { isModern, type SupportedVersion } from '../protocol/versions.js'

/**
 * The endpoints a peer lacks: `credentials` always, plus the configured requirements. Interface roles
 * are compared only on 2.2+ (2.1.1 endpoints have none). Pure.
 *
 * @example
 * ```ts
 * missingEndpoints(config, details.endpoints, '2.2.1') // e.g. ['tokens (SENDER)']
 * ```
 */
export function missingEndpoints(
  config: ResolvedConfig,
  endpoints: readonly Endpoint[],
  version: SupportedVersion,
): string[] {
  const requirements = [{ module: 'credentials', role: null }, ...config.requires]
  return requirements
    .filter(
      (r) =>
        !endpoints.some(
          (e) => e.identifier === r.module && (r.role === null || !isModern(version) || e.role === r.role),
        ),
    )
    .map((r) => (r.role === null ? r.module : `${r.module} (${r.role})`))
}

/**
 * The presented parties the invitation does not expect (empty when it expects any party, or all match).
 * Compared case-insensitively; a role, when the expectation names one, must match too. An expectation
 * without a role covers any role but `HUB`: being a hub grants more (adding parties, forwarding for
 * others), so a hub must be expected as one (`role: 'HUB'`). Linear in both lists. Pure.
 *
 * @example
 * ```ts
 * unexpectedParties([{ country_code: 'DE', party_id: 'ABC' }], credentials.parties)
 * ```
 */
export function unexpectedParties(
  expected: readonly (PartyRef & { readonly role?: string | null })[] | null,
  presented: readonly (PartyRef & { readonly role: string | null })[],
): PartyRef[] {
  if (expected === null || expected.length === 0) return []
  const roles = new Map<string, (string | null | undefined)[]>()
  for (const e of expected) {
    const key = partyKey(e)
    const known = roles.get(key)
    if (known === undefined) roles.set(key, [e.role])
    else known.push(e.role)
  }
  return presented.filter(
    (p) =>
      !(roles.get(partyKey(p)) ?? []).some((role) =>
        role === undefined || role === null ? p.role !== 'HUB' : p.role === null || role === p.role,
      ),
  )
}
