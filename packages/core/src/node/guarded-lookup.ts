// A `lookup` for node:net, node:http(s) and undici that connects only to addresses the URL policy
// permits: the answers it checks are the answers the socket connects to, so DNS rebinding between a
// check and the connection has nothing to exploit.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { OcpiError } from '../errors.js'
import type { UrlPolicy } from '../transport/url-policy.js'
import { checkNodeFetchOptions, type NodeFetchOptions, type NodeLookup } from './options.js'
import { checkResolvedAddresses } from './resolved-address.js'

const systemLookup: NodeLookup = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) =>
      error === null ? resolve(addresses) : reject(error),
    )
  })

/**
 * Creates a `lookup` function (the `lookup` option of `net.connect`, `http.request`, `https.Agent`
 * or undici's `connect` options) that resolves a name, checks every answer against the URL policy,
 * and hands the socket only answers that passed. A name with any answer in a loopback, private,
 * link-local, CGNAT, multicast, IPv4-mapped, NAT64 or other special range fails the connection, before
 * any packet is sent, with an {@link OcpiError} `ERR_OCPI_URL_REFUSED` naming the host and the range
 * (never the address). Loopback answers pass under `allowInsecure`; a host in `allowHosts` may
 * resolve anywhere. Resolver errors (`ENOTFOUND`, …) pass through unchanged. Options are checked here
 * and throw `OcpiConfigError`.
 *
 * IP literals are never looked up (Node connects to them directly): check those with `checkPeerUrl`.
 *
 * @example
 * ```ts
 * import https from 'node:https'
 * import { createGuardedLookup } from '@ocpi-credentials/core/node'
 *
 * const agent = new https.Agent({ lookup: createGuardedLookup({ urlPolicy: {} }) })
 * https.get('https://peer.example.com/ocpi/versions', { agent }, onResponse)
 * ```
 */
export function createGuardedLookup(options: NodeFetchOptions = {}): LookupFunction {
  const policy = checkNodeFetchOptions('createGuardedLookup', options)
  const resolve = options.lookup ?? systemLookup
  return (hostname, lookupOptions, callback) => {
    resolveChecked(hostname, resolve, policy).then(
      (answers) => {
        const wanted = answers.filter((answer) => matchesFamily(answer, lookupOptions.family))
        const first = wanted[0]
        if (first === undefined) return callback(notFound(hostname), '')
        if (lookupOptions.all === true) return callback(null, wanted)
        callback(null, first.address, first.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    )
  }
}

async function resolveChecked(
  hostname: string,
  resolve: NodeLookup,
  policy: UrlPolicy,
): Promise<LookupAddress[]> {
  const answers = await resolve(hostname)
  const verdict = checkResolvedAddresses(hostname, answers, policy)
  if (!verdict.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `refused ${hostname}: ${verdict.reason}`)
  // The family the address is, whatever the resolver said (an exempt host's answers are not checked).
  return answers.map(({ address, family }) => ({ address, family: isIP(address) || family }))
}

function matchesFamily(answer: LookupAddress, family: LookupOptions['family']): boolean {
  if (family === 4 || family === 'IPv4') return answer.family === 4
  if (family === 6 || family === 'IPv6') return answer.family === 6
  return true
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
  error.code = 'ENOTFOUND'
  error.syscall = 'getaddrinfo'
  return error
}
