/**
 * The URL's path for an event; a URL that does not parse (a binding trusting a bad Host) still gets a 401.
 *
 * @example
 * ```ts
 * pathOf('http://exa mple.com/x') // '(invalid url)'
 * ```
 */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return '(invalid url)'
  }
}
