import type { Context } from 'hono'

/**
 * The web `Request` to hand the core: Hono's raw one, unless a middleware in front already read its body
 * (`c.req.json()`, a validator). Hono keeps what it read, so the core then gets a copy of the request
 * carrying that body (re-serialized when it was read as JSON, hence no `Content-Length`): the core reads
 * the body itself, under its own size limit. Internal.
 */
export async function coreRequestOf(c: Context): Promise<Request> {
  const raw = c.req.raw
  if (!raw.bodyUsed) return raw
  let body: ArrayBuffer
  try {
    body = await c.req.arrayBuffer()
  } catch {
    // Consumed through `c.req.raw` itself, so Hono kept nothing: the core answers the used body (500 / 3000).
    return raw
  }
  const headers = new Headers(raw.headers)
  headers.delete('content-length')
  return new Request(raw.url, { method: raw.method, headers, body, signal: raw.signal })
}
