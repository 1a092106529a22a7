/**
 * The `limit` of `listPeers` (`ListPeersOptions`) as every store reads it, for store implementations: `null` for
 * no limit (absent, `NaN` or `Infinity`), `0` for a limit of zero or less, otherwise the limit rounded up
 * (at most `Number.MAX_SAFE_INTEGER`, so that SQL integer parameters accept it).
 *
 * @example
 * ```ts
 * const limit = pageLimit(options.limit) // 1.5 → 2, -1 → 0, undefined → null
 * if (limit === 0) return []
 * ```
 */
export function pageLimit(limit: number | undefined): number | null {
  if (limit === undefined || Number.isNaN(limit) || limit === Number.POSITIVE_INFINITY) return null
  return limit <= 0 ? 0 : Math.min(Math.ceil(limit), Number.MAX_SAFE_INTEGER)
}
