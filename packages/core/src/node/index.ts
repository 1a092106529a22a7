/**
 * `@ocpi-credentials/core/node`: a Node-only transport that applies the URL policy to the addresses a
 * peer's host name resolves to, as each connection is made (against SSRF through DNS, rebinding
 * included). The main entry stays web-standard; only this entry imports `node:` modules and undici.
 *
 * @example
 * ```ts
 * import { createOcpi } from '@ocpi-credentials/core'
 * import { createNodeFetch } from '@ocpi-credentials/core/node'
 *
 * const ocpi = createOcpi({ ...options, fetch: createNodeFetch() })
 * ```
 *
 * @module node
 */

export { createGuardedLookup } from './guarded-lookup.js'
export { createNodeFetch, type NodeFetch } from './node-fetch.js'
export type { NodeFetchOptions, NodeLookup } from './options.js'
export type { ResolvedAddress } from './resolved-address.js'
