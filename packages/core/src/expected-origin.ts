import { OcpiError } from './errors.js'
import { checkPeerUrl, type UrlPolicy } from './transport/url-policy.js'

/**
 * Normalizes the origin an invitation is bound to (`invite`'s or `revoke`'s `expectedOrigin`): any URL
 * of the partner's platform (its versions URL will do) becomes its origin, `https://host[:port]`, once it
 * passes the URL policy (https, a public host, unless the policy allows otherwise): a binding to an origin
 * we would never call could never be used. Throws `ERR_OCPI_URL_REFUSED` (a URL the policy refuses, or no
 * URL at all), naming at most the origin.
 *
 * @example
 * ```ts
 * expectedOriginOf('https://MSP.example.com/ocpi/versions', {}) // 'https://msp.example.com'
 * ```
 */
export function expectedOriginOf(raw: string, policy: UrlPolicy): string {
  const check = checkPeerUrl(raw, policy)
  if (!check.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `expectedOrigin: ${check.reason}`)
  return check.url.origin
}

/**
 * True when `url` (a parsed peer URL) is on the origin an invitation expects, or the invitation expects
 * none (absent; `null` too, as a store might hand it back). Origins compare as the WHATWG URL parser
 * serializes them: scheme, lower-case host and port.
 *
 * @example
 * ```ts
 * if (!onExpectedOrigin(peer.expectedOrigin, new URL(credentials.versionsUrl))) refuse()
 * ```
 */
export function onExpectedOrigin(expected: string | null | undefined, url: URL): boolean {
  return expected === undefined || expected === null || url.origin === expected
}

/**
 * The origin of a URL we stored or received (checked then), or `null` if it does not parse.
 *
 * @example
 * ```ts
 * originOf('https://msp.example.com/ocpi/versions') // 'https://msp.example.com'
 * ```
 */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}
