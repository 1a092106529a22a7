import type { CommitToken, PeerRecord, TokenKind, TokenRecord } from '@ocpi-credentials/core'
import { peerFromRow, peerUpdateParams, tokenFromRow, tokenParams, tokenUpdateParams } from './rows.js'
import type { Statements } from './statements.js'

/** Whether a kind is one of the pending kinds. */
export function isPending(kind: TokenKind): boolean {
  return kind === 'pending-registration' || kind === 'pending-rotation'
}

/** Live at `now`: an expiry strictly after `now` (a token without expiry is not live as pending). */
export function liveAt(token: TokenRecord, now: number): boolean {
  return token.expiresAt !== null && token.expiresAt > now
}

function newestOf(tokens: readonly TokenRecord[]): TokenRecord | undefined {
  let newest: TokenRecord | undefined
  for (const token of tokens) if (newest === undefined || token.createdAt > newest.createdAt) newest = token
  return newest
}

/**
 * The statements of `commitToken`, to run inside one write transaction (the caller's): the same steps and
 * decisions as the memory store's, each a read or write of the tables. Answers the stored record, or
 * `null` when a condition does not hold (the caller then rolls back).
 */
export function commitTokenSteps(
  statements: Statements,
  { peerId, revision, next, token, grace, graceFor = 'replaced', now }: CommitToken,
): PeerRecord | null {
  const stored = statements.peer.get({ id: peerId })
  if (stored === undefined || stored['revision'] !== revision) return null

  let incoming: TokenRecord
  if ('pending' in token) {
    const row = statements.token.get({ digest: token.pending })
    const pending = row === undefined ? null : tokenFromRow(row)
    if (pending === null || pending.peerId !== peerId || !isPending(pending.kind) || !liveAt(pending, now)) {
      return null
    }
    // A promoted pending token stops expiring: its expiry was that of the pending state.
    incoming = { ...pending, kind: 'current', expiresAt: null, successor: null }
  } else {
    if (statements.token.get({ digest: token.issue.digest }) !== undefined) return null
    incoming = token.issue
  }

  const held = statements.tokensOf.all({ peer_id: peerId }).map(tokenFromRow)
  // A retry made with the previous token keeps that token (the replaced current never reached the peer);
  // otherwise grace keeps the replaced current. Should there be several currents, the newest is kept.
  const previous = graceFor === 'previous' ? newestOf(held.filter((t) => t.kind === 'previous')) : undefined
  const kept =
    grace === null
      ? undefined
      : (previous ??
        (graceFor === 'previous' ? undefined : newestOf(held.filter((t) => t.kind === 'current'))))
  for (const t of held) {
    if ((t.kind === 'previous' || t.kind === 'current') && t.digest !== kept?.digest) {
      statements.deleteToken.run({ digest: t.digest })
    }
  }
  if (kept !== undefined && grace !== null) {
    const expiresAt =
      kept === previous ? Math.min(kept.expiresAt ?? grace.expiresAt, grace.expiresAt) : grace.expiresAt
    statements.updateToken.run(
      tokenUpdateParams({
        ...kept,
        kind: 'previous',
        expiresAt,
        supersedes: null,
        successor: grace.successor,
      }),
    )
  }
  const current = { ...incoming, supersedes: kept?.digest ?? null }
  if ('pending' in token) statements.updateToken.run(tokenUpdateParams(current))
  else if (statements.insertToken.run(tokenParams(current)).changes === 0) return null

  const [row] = statements.updatePeer.all(peerUpdateParams(next, revision))
  return row === undefined ? null : peerFromRow(row)
}
