import {
  type CommitToken,
  type PeerRecord,
  planTokenCommit,
  promotedPending,
  type TokenRecord,
} from '@ocpi-credentials/core'
import { peerFromRow, peerUpdateParams, tokenFromRow, tokenParams, tokenUpdateParams } from './rows.js'
import type { Statements } from './statements.js'

/**
 * The statements of `commitToken`, to run inside one write transaction (the caller's): the same steps and
 * decisions as the memory store's, each a read or write of the tables. Answers the stored record, or
 * `null` when a condition does not hold (the caller then rolls back).
 */
export function commitTokenSteps(
  statements: Statements,
  { peerId, revision, next, token, grace, graceFor, now }: CommitToken,
): PeerRecord | null {
  const stored = statements.peer.get({ id: peerId })
  if (stored === undefined || stored['revision'] !== revision) return null

  let incoming: TokenRecord
  if ('pending' in token) {
    const row = statements.token.get({ digest: token.pending })
    const promoted = promotedPending(row === undefined ? null : tokenFromRow(row), peerId, now)
    if (promoted === null) return null
    incoming = promoted
  } else {
    if (statements.token.get({ digest: token.issue.digest }) !== undefined) return null
    incoming = token.issue
  }

  const held = statements.tokensOf.all({ peer_id: peerId }).map(tokenFromRow)
  const plan = planTokenCommit(held, incoming, { grace, graceFor })
  for (const digest of plan.remove) statements.deleteToken.run({ digest })
  if (plan.previous !== null) statements.updateToken.run(tokenUpdateParams(plan.previous))
  if ('pending' in token) statements.updateToken.run(tokenUpdateParams(plan.current))
  else if (statements.insertToken.run(tokenParams(plan.current)).changes === 0) return null

  const [row] = statements.updatePeer.all(peerUpdateParams(next, revision))
  return row === undefined ? null : peerFromRow(row)
}
