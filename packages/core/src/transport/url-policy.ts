import { OcpiConfigError } from '../errors.js'
import { classifyIpLiteral } from './ip-address.js'

/**
 * Which peer-supplied URLs the SDK may call. The default (`{}`) is production: https only, public
 * addresses only.
 *
 * - `allowInsecure` (development only) permits `http:` and loopback hosts (`127.0.0.0/8`, `::1`,
 *   `localhost`); private, link-local and other special addresses stay refused.
 * - `allowHosts` lists exact hostnames or IP literals (case-insensitive; IPv6 with or without brackets)
 *   that are exempt from the address checks, e.g. a peer on a private network. The scheme rule and the
 *   no-credentials rule still apply to them.
 *
 * The policy checks the URL only; it resolves no DNS, so a public name that resolves to a private
 * address is not caught here.
 *
 * @example
 * ```ts
 * const dev: UrlPolicy = { allowInsecure: true }
 * const intranet: UrlPolicy = { allowHosts: ['ocpi.internal.example', '10.0.0.5'] }
 * ```
 */
export interface UrlPolicy {
  readonly allowInsecure?: boolean
  readonly allowHosts?: readonly string[]
}

/**
 * The outcome of {@link checkPeerUrl}: the parsed URL, or a reason that names at most the URL's
 * origin (never its path, query or credentials).
 *
 * @example
 * ```ts
 * const check: PeerUrlCheck = checkPeerUrl('https://peer.example.com/ocpi/versions')
 * if (!check.ok) throw new Error(check.reason)
 * ```
 */
export type PeerUrlCheck = { ok: true; url: URL } | { ok: false; reason: string }

/**
 * Checks a URL received from a peer (versions URL, endpoint URLs) before the SDK calls it. Refuses:
 * anything that is not an absolute URL; schemes other than `https:` (`http:` only with
 * `allowInsecure`); URLs with credentials (`user:pass@`); `localhost` and `*.localhost`; and IP
 * literals that are loopback, unspecified, private, link-local, CGNAT, multicast, broadcast, reserved,
 * documentation, IPv4-mapped/-compatible/-translated IPv6, NAT64 or 6to4 around a non-public IPv4.
 * IPv4 in odd notations (`0x7f.1`, `2130706433`) is caught because the WHATWG parser normalizes it.
 * Pure: no DNS lookups.
 *
 * @example
 * ```ts
 * checkPeerUrl('https://peer.example.com/ocpi/versions') // { ok: true, url: URL }
 * checkPeerUrl('http://0x7f.1/') // { ok: false, reason: 'refused http://127.0.0.1: only https is allowed …' }
 * checkPeerUrl('http://localhost:3000/versions', { allowInsecure: true }) // { ok: true, url: URL }
 * ```
 */
export function checkPeerUrl(raw: string, policy: UrlPolicy = {}): PeerUrlCheck {
  let url: URL
  try {
    if (typeof raw !== 'string') throw new TypeError('not a string')
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'refused a URL that is not a valid absolute URL' }
  }
  const insecure = policy.allowInsecure === true
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `refused a URL with scheme "${url.protocol}": only https is allowed` }
  }
  const origin = url.origin
  if (url.protocol === 'http:' && !insecure) {
    return {
      ok: false,
      reason: `refused ${origin}: only https is allowed (allowInsecure permits http for development)`,
    }
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: `refused ${origin}: the URL must not carry credentials (user:password@)` }
  }
  if (isAllowedHost(url.hostname, policy.allowHosts)) return { ok: true, url }

  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return insecure
      ? { ok: true, url }
      : { ok: false, reason: `refused ${origin}: localhost is not a valid peer (allowInsecure permits it)` }
  }
  const address = classifyIpLiteral(host)
  if (address === null || address.kind === 'public') return { ok: true, url }
  if (address.kind === 'loopback') {
    return insecure
      ? { ok: true, url }
      : {
          ok: false,
          reason: `refused ${origin}: the host is a loopback address (${address.range}; allowInsecure permits it)`,
        }
  }
  return { ok: false, reason: `refused ${origin}: the host is a ${address.label} address (${address.range})` }
}

/**
 * Normalizes an `allowHosts` entry to the form `URL#hostname` takes (lower case, IPv4 dotted decimal,
 * IPv6 bracketed and compressed), or `null` when the entry is not a bare hostname or IP literal
 * (e.g. it carries a port, a path or a scheme).
 *
 * @example
 * ```ts
 * normalizeAllowedHost('FD00:0:0:0:0:0:0:5') // '[fd00::5]'
 * normalizeAllowedHost('Peer.Example.com') // 'peer.example.com'
 * normalizeAllowedHost('peer.example.com:8443') // null
 * ```
 */
export function normalizeAllowedHost(entry: string): string | null {
  const trimmed = entry.trim()
  if (trimmed === '' || /[/?#@\\\s]/.test(trimmed)) return null
  const bracketed = trimmed.includes(':') && !trimmed.startsWith('[') ? `[${trimmed}]` : trimmed
  try {
    const url = new URL(`https://${bracketed}/`)
    return url.port === '' && url.pathname === '/' ? url.hostname : null
  } catch {
    return null
  }
}

/**
 * Whether a host is listed in `allowHosts`, compared the way the policy compares them: case-insensitive,
 * IPv6 with or without brackets. Listed hosts are exempt from the address checks, here and in the Node
 * transport's DNS check.
 *
 * @example
 * ```ts
 * isAllowedHost('Intranet.Example', ['intranet.example']) // true
 * ```
 */
export function isAllowedHost(hostname: string, allowHosts: readonly string[] | undefined): boolean {
  if (allowHosts === undefined) return false
  const host = normalizeAllowedHost(hostname)
  return host !== null && allowHosts.some((entry) => normalizeAllowedHost(entry) === host)
}

/**
 * Checks a policy's `allowHosts` at configuration time: every entry a bare hostname or IP literal, else
 * {@link OcpiConfigError} naming `caller` (e.g. `transport`, `createNodeFetch`).
 *
 * @example
 * ```ts
 * checkAllowHosts('transport', { allowHosts: ['https://x'] }) // throws OcpiConfigError
 * ```
 */
export function checkAllowHosts(caller: string, policy: UrlPolicy): void {
  for (const entry of policy.allowHosts ?? []) {
    if (typeof entry !== 'string' || normalizeAllowedHost(entry) === null) {
      throw new OcpiConfigError(
        `${caller}: urlPolicy.allowHosts entries must be bare hostnames or IP literals`,
      )
    }
  }
}
