/**
 * The path of a request URL as it arrived, percent-encoding kept (`/m%C3%BCnchen/ocpi/versions`), as the
 * core compares paths: Hono's `c.req.path` is decoded, so a mount or base path with an encoded character
 * would never match it. A `Request`'s URL is already normalised, so plain string work is enough (this runs
 * on every request). Internal.
 */
export function rawPathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  const query = url.indexOf('?', start)
  return query === -1 ? url.slice(start) : url.slice(start, query)
}
