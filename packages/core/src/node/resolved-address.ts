// The URL policy applied to what a DNS name resolves to. Pure: the caller resolves, this decides.
import { isIP } from 'node:net'
import { classifyIpLiteral } from '../transport/ip-address.js'
import { isAllowedHost, type UrlPolicy } from '../transport/url-policy.js'

/**
 * One answer of a DNS lookup, as `dns.promises.lookup(hostname, { all: true })` returns them.
 *
 * @example
 * ```ts
 * const answer: ResolvedAddress = { address: '203.0.113.7', family: 4 }
 * ```
 */
export interface ResolvedAddress {
  /** The IP address, IPv4 dotted decimal or IPv6 without brackets. */
  readonly address: string
  /** `4` or `6`. */
  readonly family: number
}

/**
 * The verdict on a name's DNS answers: every address may be connected to, or the reason why not,
 * naming the refused range (never the address itself).
 *
 * @example
 * ```ts
 * const verdict: ResolvedCheck = checkResolvedAddresses('peer.example.com', answers, policy)
 * if (!verdict.ok) throw new Error(verdict.reason)
 * ```
 */
export type ResolvedCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/**
 * Applies the URL policy's address rules to the DNS answers for `hostname`: every answer must be a
 * public address, or a loopback address under `allowInsecure`; a host listed in `allowHosts` may
 * resolve anywhere. One refused answer refuses the name: a name that mixes a public and a private
 * answer is not connected to at all (a connection that falls back from one answer to the next would
 * otherwise reach the private one). No answer at all, or one that is not an IP address, is refused.
 *
 * @example
 * ```ts
 * checkResolvedAddresses('peer.example.com', [{ address: '10.0.0.1', family: 4 }], {})
 * // { ok: false, reason: 'the name resolves to a private address (10.0.0.0/8)' }
 * checkResolvedAddresses('peer.example.com', [{ address: '127.0.0.1', family: 4 }], { allowInsecure: true })
 * // { ok: true }
 * ```
 */
export function checkResolvedAddresses(
  hostname: string,
  answers: readonly ResolvedAddress[],
  policy: UrlPolicy,
): ResolvedCheck {
  if (isAllowedHost(hostname, policy.allowHosts)) return { ok: true }
  if (answers.length === 0) return { ok: false, reason: 'the name resolves to no address' }
  for (const answer of answers) {
    const verdict = checkAddress(answer.address, policy)
    if (!verdict.ok) return verdict
  }
  return { ok: true }
}

function checkAddress(address: unknown, policy: UrlPolicy): ResolvedCheck {
  const family = typeof address === 'string' ? isIP(address) : 0
  const literal = family === 6 ? `[${address}]` : String(address)
  const kind = family === 0 ? null : classifyIpLiteral(literal)
  if (kind === null) return { ok: false, reason: 'the name resolves to something that is not an IP address' }
  if (kind.kind === 'public') return { ok: true }
  if (kind.kind === 'loopback') {
    return policy.allowInsecure === true
      ? { ok: true }
      : {
          ok: false,
          reason: `the name resolves to a loopback address (${kind.range}; allowInsecure permits it)`,
        }
  }
  const article = /^[aeiou]/i.test(kind.label) ? 'an' : 'a'
  return { ok: false, reason: `the name resolves to ${article} ${kind.label} address (${kind.range})` }
}
