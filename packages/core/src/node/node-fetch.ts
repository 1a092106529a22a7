// A `fetch` for Node that applies the URL policy to the addresses a peer's host name resolves to, at
// the moment of connecting: undici's `fetch` over an `Agent` whose connector checks every target and
// whose `lookup` hands the socket only checked answers.
import { isIPv6 } from 'node:net'
import { Agent, buildConnector, type Response as UndiciResponse, fetch as undiciFetch } from 'undici'
import { OcpiError } from '../errors.js'
import type { FetchLike } from '../transport/transport-options.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import { createGuardedLookup } from './guarded-lookup.js'
import { checkNodeFetchOptions, type NodeFetchOptions } from './options.js'

/**
 * The `fetch` {@link createNodeFetch} returns, with `close()` to end its kept-alive connections (on
 * shutdown; calls after it fail).
 *
 * @example
 * ```ts
 * const fetch: NodeFetch = createNodeFetch()
 * process.on('SIGTERM', () => void fetch.close())
 * ```
 */
export type NodeFetch = FetchLike & {
  /** Closes the connection pool: open connections end once their requests are done. */
  close(): Promise<void>
}

// Statuses whose response has no body (a `Response` cannot be built with one).
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304])
const MAX_CAUSE_DEPTH = 8

/**
 * Creates a `fetch` for Node that refuses to connect to peers whose host name resolves to a loopback,
 * private, link-local, CGNAT, multicast, IPv4-mapped, NAT64 or other special address, with the same
 * rules as the URL policy applies to IP literals. Pass it as `createOcpi({ fetch })`, with the same
 * `urlPolicy` as `createOcpi`'s.
 *
 * - Every connection is checked when it is made: the connector refuses a target the URL policy
 *   refuses (a redirect to an IP literal included), and the socket's `lookup` checks every DNS answer
 *   and hands on only those that passed. The address checked is the address connected to, so a name
 *   that answers a public address once and a private one next (DNS rebinding) gains nothing.
 * - A name with any refused answer is not connected to at all; nothing is sent.
 * - A refusal rejects with {@link OcpiError} `ERR_OCPI_URL_REFUSED`, naming the host and the refused
 *   range (never the address, a path, a query or a header). The transport neither wraps nor retries
 *   it. Resolver and connection errors reject as `fetch` does (a `TypeError`).
 * - Built on undici's `fetch` and `Agent`; the returned response is a standard `Response`. It connects
 *   directly: environment proxy settings (`HTTP_PROXY`) are not used.
 *
 * Node only (it imports `node:net` and undici): the main entry `@ocpi-credentials/core` stays
 * web-standard. Options are checked here and throw `OcpiConfigError`.
 *
 * @example
 * ```ts
 * import { createOcpi } from '@ocpi-credentials/core'
 * import { createNodeFetch } from '@ocpi-credentials/core/node'
 *
 * const urlPolicy = { allowHosts: ['ocpi.internal.example'] }
 * const ocpi = createOcpi({ ...options, urlPolicy, fetch: createNodeFetch({ urlPolicy }) })
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const policy = checkNodeFetchOptions('createNodeFetch', options)
  const connectChecked = buildConnector({ lookup: createGuardedLookup({ ...options, urlPolicy: policy }) })
  const agent = new Agent({
    connect: (target, callback) => {
      const host = isIPv6(target.hostname) ? `[${target.hostname}]` : target.hostname
      const port = target.port === '' ? '' : `:${target.port}`
      const checked = checkPeerUrl(`${target.protocol}//${host}${port}/`, policy)
      if (checked.ok) return connectChecked(target, callback)
      const refusal = new OcpiError('ERR_OCPI_URL_REFUSED', checked.reason)
      queueMicrotask(() => callback(refusal, null))
    },
  })

  const nodeFetch: FetchLike = async (input, init) => {
    const checked = checkPeerUrl(
      typeof input === 'string' ? input : 'href' in input ? input.href : input.url,
      policy,
    )
    if (!checked.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', checked.reason)
    const request = new Request(input, init)
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer())
    let response: UndiciResponse
    try {
      response = await undiciFetch(request.url, {
        method: request.method,
        headers: Array.from(request.headers),
        ...(body === undefined ? {} : { body }),
        signal: request.signal,
        redirect: request.redirect,
        dispatcher: agent,
      })
    } catch (error) {
      const refusal = findRefusal(error)
      if (refusal !== undefined) throw new OcpiError('ERR_OCPI_URL_REFUSED', refusal.message)
      throw error
    }
    return toWebResponse(response)
  }
  return Object.assign(nodeFetch, { close: () => agent.close() })
}

/** The refusal a failed undici `fetch` carries (its `TypeError` wraps the connector's error). */
function findRefusal(error: unknown): OcpiError | undefined {
  const pending: unknown[] = [error]
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && pending.length > 0; depth++) {
    const next: unknown[] = []
    for (const item of pending) {
      if (item instanceof OcpiError && item.code === 'ERR_OCPI_URL_REFUSED') return item
      if (item instanceof AggregateError) next.push(...item.errors)
      if (item instanceof Error) next.push(item.cause)
    }
    pending.splice(0, pending.length, ...next)
  }
  return undefined
}

/** undici's `Response` as the platform's, so `instanceof Response` holds; the body streams through. */
function toWebResponse(response: UndiciResponse): Response {
  const { status } = response
  if (status < 200 || status > 599) return response as unknown as Response
  const body = NULL_BODY_STATUSES.has(status) ? null : (response.body as ReadableStream<Uint8Array> | null)
  return new Response(body, {
    status,
    statusText: response.statusText,
    headers: Array.from(response.headers),
  })
}
