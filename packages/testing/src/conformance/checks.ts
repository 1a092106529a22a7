import type { Awaitable, PeerRecord, TokenRecord } from '@ocpi-credentials/core'
import { expect } from 'vitest'
import { byDigest } from './fixtures.js'
import type { RawStoreView } from './harness.js'

/**
 * What the raw view holds for some peers: their records and tokens. Compare two snapshots to prove that
 * an operation wrote nothing.
 *
 * @example
 * ```ts
 * const before = await snapshot(raw, ['peer-a'])
 * expect(await store.casPeer('peer-a', 7, next)).toBeNull()
 * expect(await snapshot(raw, ['peer-a'])).toEqual(before)
 * ```
 */
export async function snapshot(
  raw: RawStoreView,
  peerIds: readonly string[],
): Promise<Record<string, { peer: PeerRecord | null; tokens: TokenRecord[] }>> {
  const state: Record<string, { peer: PeerRecord | null; tokens: TokenRecord[] }> = {}
  for (const id of peerIds) state[id] = { peer: await raw.peer(id), tokens: byDigest(await raw.tokensOf(id)) }
  return state
}

/**
 * Whether an operation rejected or answered a failure value (`null` / `false`), for cases where the
 * contract leaves the choice to the store; the case then checks that nothing was written.
 *
 * @example
 * ```ts
 * expect(await refused(() => store.addToken(tokenWithoutExpiry))).toBe(true)
 * ```
 */
export async function refused(operation: () => Awaitable<unknown>): Promise<boolean> {
  try {
    const answer = await operation()
    return answer === null || answer === false
  } catch {
    return true
  }
}

/**
 * The indexes of the answers that won (neither `null` nor `false`).
 *
 * @example
 * ```ts
 * expect(winnersOf(await Promise.all(attempts))).toHaveLength(1)
 * ```
 */
export function winnersOf(answers: readonly unknown[]): number[] {
  return answers.flatMap((answer, index) => (answer === null || answer === false ? [] : [index]))
}

/**
 * Checks a peer's tokens against the invariants every operation keeps: all belong to the peer, at most
 * one `current`, at most one `previous`, and a current's `supersedes` names the stored previous if any.
 * Returns the tokens by kind.
 *
 * @example
 * ```ts
 * const { current, previous } = await expectConsistentTokens(raw, 'peer-a')
 * ```
 */
export async function expectConsistentTokens(
  raw: RawStoreView,
  peerId: string,
): Promise<{ current: TokenRecord | undefined; previous: TokenRecord | undefined; all: TokenRecord[] }> {
  const all = await raw.tokensOf(peerId)
  for (const token of all) expect(token.peerId).toBe(peerId)
  const currents = all.filter((t) => t.kind === 'current')
  const previous = all.filter((t) => t.kind === 'previous')
  expect(currents.length).toBeLessThanOrEqual(1)
  expect(previous.length).toBeLessThanOrEqual(1)
  const current = currents[0]
  if (current?.supersedes != null && previous[0] !== undefined)
    expect(current.supersedes).toBe(previous[0].digest)
  return { current, previous: previous[0], all }
}
