import type { TokenDigest } from '../model.js'
import type { CommitToken, TokenKind, TokenRecord } from './types.js'

/**
 * True for the kinds of a token in flight: `pending-registration` and `pending-rotation`.
 *
 * @example
 * ```ts
 * isPendingKind('pending-rotation') // true
 * ```
 */
export function isPendingKind(kind: TokenKind): boolean {
  return kind === 'pending-registration' || kind === 'pending-rotation'
}

/**
 * The `current` token a named pending token becomes in {@link CredentialsStore.commitToken}: `null` unless
 * it exists, belongs to the peer, is pending and is live at `now` (expiry strictly after `now`). A promoted
 * token stops expiring: its expiry was that of the pending state. Pure; for store implementations.
 *
 * @example
 * ```ts
 * const incoming = promotedPending(await readToken(args.token.pending), args.peerId, args.now)
 * if (incoming === null) return null // roll back
 * ```
 */
export function promotedPending(
  pending: TokenRecord | null,
  peerId: string,
  now: number,
): TokenRecord | null {
  if (pending === null || pending.peerId !== peerId || !isPendingKind(pending.kind)) return null
  if (pending.expiresAt === null || pending.expiresAt <= now) return null
  return { ...pending, kind: 'current', expiresAt: null, successor: null }
}

/**
 * What {@link CredentialsStore.commitToken} writes to a peer's tokens, decided once for every store.
 *
 * @example
 * ```ts
 * const { remove, previous, current } = planTokenCommit(held, incoming, args)
 * ```
 */
export interface TokenCommitPlan {
  /** Digests of the peer's `current` and `previous` tokens to delete. */
  readonly remove: readonly TokenDigest[]
  /** The token kept for the grace window, rewritten as `previous` (to store over its old record), if any. */
  readonly previous: TokenRecord | null
  /** The new `current` token, with `supersedes` naming the kept one (to insert, or to store over the pending one). */
  readonly current: TokenRecord
}

function newestOf(tokens: readonly TokenRecord[]): TokenRecord | undefined {
  let newest: TokenRecord | undefined
  for (const token of tokens) if (newest === undefined || token.createdAt > newest.createdAt) newest = token
  return newest
}

/**
 * The grace rule of {@link CredentialsStore.commitToken} as a pure decision over the peer's tokens as held
 * (`held`, any kinds) and the token becoming `current` (`incoming`): with `graceFor: 'previous'` (a retry
 * made with the previous token, the replaced current never reached the peer) the existing `previous` is
 * kept, its expiry the earlier of its own and the grace's; otherwise grace keeps the replaced `current`
 * (the newest, should there be several). Every other `current` or `previous` is removed. A store applies
 * the plan inside its atomic step; for store implementations.
 *
 * @example
 * ```ts
 * const plan = planTokenCommit(await readTokensOf(peerId), incoming, { grace, graceFor })
 * ```
 */
export function planTokenCommit(
  held: readonly TokenRecord[],
  incoming: TokenRecord,
  {
    grace,
    graceFor = 'replaced',
  }: { grace: CommitToken['grace']; graceFor?: CommitToken['graceFor'] | undefined },
): TokenCommitPlan {
  const oldPrevious =
    graceFor === 'previous' ? newestOf(held.filter((t) => t.kind === 'previous')) : undefined
  const kept =
    grace === null
      ? undefined
      : (oldPrevious ??
        (graceFor === 'previous' ? undefined : newestOf(held.filter((t) => t.kind === 'current'))))
  const remove = held
    .filter((t) => (t.kind === 'previous' || t.kind === 'current') && t.digest !== kept?.digest)
    .map((t) => t.digest)
  const previous =
    kept === undefined || grace === null
      ? null
      : {
          ...kept,
          kind: 'previous' as const,
          expiresAt:
            kept === oldPrevious
              ? Math.min(kept.expiresAt ?? grace.expiresAt, grace.expiresAt)
              : grace.expiresAt,
          supersedes: null,
          successor: grace.successor,
        }
  return { remove, previous, current: { ...incoming, supersedes: kept?.digest ?? null } }
}
