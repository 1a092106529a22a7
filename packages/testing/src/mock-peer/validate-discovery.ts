import type { MockEndpoint, MockInterfaceRole, MockVersion } from './options.js'
import { isModern } from './protocol.js'
import { checkString, checkUrl, type Issues, isAbsent, isObject } from './validate-primitives.js'

/**
 * An entry of a versions list.
 *
 * @example
 * ```ts
 * const entry: VersionEntry = { version: '2.2.1', url: 'https://sdk.test/ocpi/2.2.1' }
 * ```
 */
export interface VersionEntry {
  readonly version: string
  readonly url: string
}

/**
 * The outcome of a discovery document check.
 *
 * @example
 * ```ts
 * const outcome: Checked<VersionEntry[]> = { ok: true, value: [], issues: [] }
 * ```
 */
export type Checked<T> =
  | { readonly ok: true; readonly value: T; readonly issues: readonly string[] }
  | { readonly ok: false; readonly issues: readonly string[] }

/**
 * Checks the `data` of a versions answer: a non-empty array (not the erroneous `{ versions: [...] }`
 * wrapper) of `{ version, url }`. Unknown version numbers are kept; usable entries are returned even when
 * other entries have problems (which are reported).
 *
 * @example
 * ```ts
 * checkVersionsList([{ version: '2.2.1', url: 'https://sdk.test/ocpi/2.2.1' }]) // ok
 * ```
 */
export function checkVersionsList(data: unknown): Checked<VersionEntry[]> {
  const issues: Issues = []
  if (!Array.isArray(data))
    return { ok: false, issues: ['data: must be an array of Version (not wrapped in an object)'] }
  if (data.length === 0) issues.push('data: must list at least one version')
  const entries: VersionEntry[] = []
  data.forEach((entry: unknown, index) => {
    if (!isObject(entry)) {
      issues.push(`data[${index}]: must be a Version object`)
      return
    }
    const version = checkString(issues, `data[${index}].version`, entry['version'], { max: 10 })
    const url = checkUrl(issues, `data[${index}].url`, entry['url'])
    if (version !== undefined && url !== undefined) entries.push({ version, url })
  })
  return entries.length > 0 ? { ok: true, value: entries, issues } : { ok: false, issues }
}

/**
 * Checks the `data` of a version details answer for the expected version: `version` matches, and a
 * non-empty `endpoints` array of `{ identifier, url }` plus `role` (SENDER or RECEIVER) on 2.2+. The
 * endpoints that are usable are returned even when other entries have problems.
 *
 * @example
 * ```ts
 * checkDetails({ version: '2.2.1', endpoints: [] }, '2.2.1') // not ok: no endpoints
 * ```
 */
export function checkDetails(data: unknown, version: MockVersion): Checked<MockEndpoint[]> {
  const issues: Issues = []
  if (!isObject(data)) return { ok: false, issues: ['data: must be a VersionDetails object'] }
  if (data['version'] !== version) issues.push(`data.version: expected ${version}`)
  const list = data['endpoints']
  if (!Array.isArray(list)) return { ok: false, issues: [...issues, 'data.endpoints: must be an array'] }
  if (list.length === 0) issues.push('data.endpoints: must list at least one endpoint')
  const endpoints: MockEndpoint[] = []
  list.forEach((entry: unknown, index) => {
    const path = `data.endpoints[${index}]`
    if (!isObject(entry)) {
      issues.push(`${path}: must be an Endpoint object`)
      return
    }
    const identifier = checkString(issues, `${path}.identifier`, entry['identifier'], { max: 50 })
    const url = checkUrl(issues, `${path}.url`, entry['url'])
    const role = readRole(issues, `${path}.role`, entry['role'], version)
    if (identifier === undefined || url === undefined) return
    endpoints.push(role === undefined ? { identifier, url } : { identifier, role, url })
  })
  return endpoints.length > 0 ? { ok: true, value: endpoints, issues } : { ok: false, issues }
}

function readRole(
  issues: Issues,
  path: string,
  value: unknown,
  version: MockVersion,
): MockInterfaceRole | undefined {
  if (isAbsent(value)) {
    if (isModern(version)) issues.push(`${path}: required on ${version}`)
    return undefined
  }
  if (value === 'SENDER' || value === 'RECEIVER') return value
  issues.push(`${path}: must be SENDER or RECEIVER`)
  return undefined
}
