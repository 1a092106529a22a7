import * as z from 'zod'
import { OWN_ROLES } from './config.js'
import { definesRole } from './engine/credentials-body.js'
import type { SupportedVersion } from './protocol/versions.js'

/**
 * A Role as the host names one for a peer's party (an invitation's expected parties, an imported link's
 * parties): trimmed and upper-cased, then one of OCPI's roles. A peer's credentials carry the role as
 * the spec spells it, and the identity lock compares roles exactly, so `emsp` must become `EMSP` and a typo
 * (`EMPS`) must be refused here, not turn into an invitation nobody can use. The message names the
 * allowed values, never the input.
 *
 * @example
 * ```ts
 * partyRoleSchema.parse(' emsp ') // 'EMSP'
 * partyRoleSchema.safeParse('EMPS').success // false
 * ```
 */
export const partyRoleSchema = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(z.enum(OWN_ROLES, { error: `must be an OCPI role: ${OWN_ROLES.join(', ')}` }))

/**
 * Whether a party of `role` can be on a link of one of `versions`. The roles 2.2.1 defines fit any link
 * (`HUB` included: a 2.3.0 hub's `hub_party_id` is locked as its `HUB` party, and a 2.1.1 link takes its
 * roles when it moves to 2.2+); a role a later version added (`PTP`, 2.3.0) fits only when that version
 * is among `versions`.
 *
 * @example
 * ```ts
 * roleFitsVersions('PTP', ['2.2.1']) // false
 * roleFitsVersions('PTP', ['2.3.0', '2.2.1']) // true
 * ```
 */
export function roleFitsVersions(role: string, versions: readonly SupportedVersion[]): boolean {
  return definesRole('2.2.1', role) || versions.some((version) => definesRole(version, role))
}
