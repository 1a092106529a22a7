// The options shared by createNodeFetch and createGuardedLookup, checked once at creation.
import { OcpiConfigError } from '../errors.js'
import { checkAllowHosts, type UrlPolicy } from '../transport/url-policy.js'
import type { ResolvedAddress } from './resolved-address.js'

/**
 * Resolves a host name to every address it has, like `dns.promises.lookup(hostname, { all: true })`
 * (the default). Inject one to use another resolver, or in tests to make a name resolve wherever the
 * test needs.
 *
 * @example
 * ```ts
 * const lookup: NodeLookup = async (hostname) =>
 *   hostname === 'peer.example.com' ? [{ address: '127.0.0.1', family: 4 }] : []
 * ```
 */
export type NodeLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>

/**
 * Options of {@link createNodeFetch} and {@link createGuardedLookup}.
 *
 * - `urlPolicy`: give the same policy as `createOcpi`'s `urlPolicy` (default: https, public addresses
 *   only). `allowInsecure` also lets names resolve to loopback addresses; a host in `allowHosts` may
 *   resolve anywhere.
 * - `lookup`: the resolver (default: the operating system's, as `dns.lookup` with `all: true`).
 *
 * @example
 * ```ts
 * const options: NodeFetchOptions = { urlPolicy: { allowHosts: ['ocpi.internal.example'] } }
 * ```
 */
export interface NodeFetchOptions {
  /** Which peers may be connected to: the same policy as `createOcpi`'s (default `{}`). */
  readonly urlPolicy?: UrlPolicy
  /** The resolver (default: the operating system's). */
  readonly lookup?: NodeLookup
}

/**
 * Checks the options and returns the policy to apply; throws {@link OcpiConfigError}.
 *
 * @example
 * ```ts
 * const policy = checkNodeFetchOptions('createNodeFetch', options)
 * ```
 */
export function checkNodeFetchOptions(caller: string, options: NodeFetchOptions): UrlPolicy {
  if (options.lookup !== undefined && typeof options.lookup !== 'function') {
    throw new OcpiConfigError(`${caller}: lookup must be a function`)
  }
  const policy = options.urlPolicy ?? {}
  checkAllowHosts(caller, policy)
  return policy
}
