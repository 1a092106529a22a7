import type { MockBusinessDetails, MockImage, MockParty, MockVersion } from './options.js'
import { isModern } from './protocol.js'
import { isValidToken } from './token.js'
import {
  checkOptionalInt,
  checkString,
  checkUrl,
  type Issues,
  isAbsent,
  isObject,
} from './validate-primitives.js'

/**
 * A Credentials object the mock accepted.
 *
 * @example
 * ```ts
 * const parsed = parseCredentials(body, '2.2.1')
 * if (parsed.ok) parsed.value.token
 * ```
 */
export interface ParsedCredentials {
  readonly token: string
  readonly url: string
  readonly parties: readonly MockParty[]
  readonly hubPartyId: string | null
}

/**
 * The outcome of {@link parseCredentials}.
 *
 * @example
 * ```ts
 * const outcome: CredentialsParse = { ok: false, issues: ['token: required'] }
 * ```
 */
export type CredentialsParse =
  | { readonly ok: true; readonly value: ParsedCredentials }
  | { readonly ok: false; readonly issues: readonly string[] }

const ROLES_2_2 = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP']
const IMAGE_CATEGORIES = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER']
// string(3) on 2.1.1, CiString(3) on 2.2+ (reference §2.1): at most 3, so 1 to 3, as the core reads it.
const PARTY_ID = { max: 3, pattern: /^[A-Za-z0-9]{1,3}$/, hint: '1 to 3 letters or digits' }
const COUNTRY_CODE = { max: 2, pattern: /^[A-Za-z]{2}$/, hint: 'an ISO 3166 alpha-2 code' }

/**
 * Checks a Credentials object against the format of a version: flat `business_details`, `party_id`,
 * `country_code` on 2.1.1; a non-empty `roles[]` with unique (role, party, country) on 2.2+; an optional
 * `hub_party_id` and no `HUB` role on 2.3.0. Unknown fields are ignored.
 *
 * @example
 * ```ts
 * parseCredentials({ token: 'x', url: 'https://a.test/versions', roles: [] }, '2.2.1')
 * // { ok: false, issues: ['roles: must list at least one role'] }
 * ```
 */
export function parseCredentials(body: unknown, version: MockVersion): CredentialsParse {
  const issues: Issues = []
  if (!isObject(body)) return { ok: false, issues: ['the body must be a Credentials object'] }
  const ascii = !isModern(version)
  const token = checkString(issues, 'token', body['token'], { max: 64 })
  if (token !== undefined && !isValidToken(token))
    issues.push('token: must be printable non-whitespace ASCII')
  const url = checkUrl(issues, 'url', body['url'])
  const parties = isModern(version)
    ? readRoles(issues, body['roles'], version)
    : [readFlatParty(issues, body)]
  let hubPartyId: string | null = null
  if (version === '2.3.0' && !isAbsent(body['hub_party_id']))
    hubPartyId =
      checkString(issues, 'hub_party_id', body['hub_party_id'], {
        max: 5,
        pattern: /^[A-Za-z]{2}[A-Za-z0-9]{1,3}$/,
        hint: 'a country code and a party id of 1 to 3 characters, concatenated',
        asciiOnly: ascii,
      }) ?? null
  if (issues.length > 0 || token === undefined || url === undefined) return { ok: false, issues }
  return { ok: true, value: { token, url, parties: parties.filter((p) => p !== undefined), hubPartyId } }
}

function readFlatParty(issues: Issues, body: Record<string, unknown>): MockParty | undefined {
  const businessDetails = readBusinessDetails(issues, 'business_details', body['business_details'], true)
  const partyId = checkString(issues, 'party_id', body['party_id'], PARTY_ID)
  const countryCode = checkString(issues, 'country_code', body['country_code'], COUNTRY_CODE)
  if (businessDetails === undefined || partyId === undefined || countryCode === undefined) return undefined
  return { role: null, country_code: countryCode, party_id: partyId, business_details: businessDetails }
}

function readRoles(issues: Issues, value: unknown, version: MockVersion): (MockParty | undefined)[] {
  if (!Array.isArray(value)) {
    issues.push('roles: required, an array of CredentialsRole')
    return []
  }
  if (value.length === 0) issues.push('roles: must list at least one role')
  const seen = new Set<string>()
  return value.map((entry: unknown, index) => {
    const path = `roles[${index}]`
    if (!isObject(entry)) {
      issues.push(`${path}: must be a CredentialsRole object`)
      return undefined
    }
    const role = checkString(issues, `${path}.role`, entry['role'], { max: 10, asciiOnly: true })
    if (role !== undefined) {
      if (version === '2.3.0' && role === 'HUB') issues.push(`${path}.role: HUB was removed in 2.3.0`)
      else if (version !== '2.3.0' && !ROLES_2_2.includes(role))
        issues.push(`${path}.role: must be one of ${ROLES_2_2.join(', ')}`)
    }
    const businessDetails = readBusinessDetails(
      issues,
      `${path}.business_details`,
      entry['business_details'],
      false,
    )
    const partyId = checkString(issues, `${path}.party_id`, entry['party_id'], PARTY_ID)
    const countryCode = checkString(issues, `${path}.country_code`, entry['country_code'], COUNTRY_CODE)
    if (
      role === undefined ||
      businessDetails === undefined ||
      partyId === undefined ||
      countryCode === undefined
    )
      return undefined
    const key = `${role}|${countryCode.toUpperCase()}|${partyId.toUpperCase()}`
    if (seen.has(key)) issues.push(`${path}: duplicate role ${role} ${countryCode}*${partyId}`)
    seen.add(key)
    return { role, country_code: countryCode, party_id: partyId, business_details: businessDetails }
  })
}

function readBusinessDetails(
  issues: Issues,
  path: string,
  value: unknown,
  ascii: boolean,
): MockBusinessDetails | undefined {
  if (!isObject(value)) {
    issues.push(`${path}: required, a BusinessDetails object`)
    return undefined
  }
  const before = issues.length
  const name = checkString(issues, `${path}.name`, value['name'], { max: 100, asciiOnly: ascii })
  const website = checkUrl(issues, `${path}.website`, value['website'], true)
  const logo = readImage(issues, `${path}.logo`, value['logo'], ascii)
  if (name === undefined || issues.length > before) return undefined
  return {
    name,
    ...(website === undefined ? {} : { website }),
    ...(logo === undefined ? {} : { logo }),
  }
}

function readImage(issues: Issues, path: string, value: unknown, ascii: boolean): MockImage | undefined {
  if (isAbsent(value)) return undefined
  if (!isObject(value)) {
    issues.push(`${path}: must be an Image object`)
    return undefined
  }
  const url = checkUrl(issues, `${path}.url`, value['url'])
  const thumbnail = checkUrl(issues, `${path}.thumbnail`, value['thumbnail'], true)
  const category = checkString(issues, `${path}.category`, value['category'], { max: 20, asciiOnly: true })
  if (category !== undefined && !IMAGE_CATEGORIES.includes(category))
    issues.push(`${path}.category: must be one of ${IMAGE_CATEGORIES.join(', ')}`)
  const type = checkString(issues, `${path}.type`, value['type'], { max: 4, asciiOnly: ascii })
  checkOptionalInt(issues, `${path}.width`, value['width'], 99999)
  checkOptionalInt(issues, `${path}.height`, value['height'], 99999)
  if (url === undefined || category === undefined || type === undefined) return undefined
  const width = value['width']
  const height = value['height']
  return {
    url,
    category,
    type,
    ...(thumbnail === undefined ? {} : { thumbnail }),
    ...(typeof width === 'number' ? { width } : {}),
    ...(typeof height === 'number' ? { height } : {}),
  }
}
