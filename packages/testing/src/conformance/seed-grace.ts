import type { SealedToken } from '@ocpi-credentials/core'
import { expect } from 'vitest'
import { MINUTE, registeredPeer, tokenOf } from './fixtures.js'
import type { UseStore } from './harness.js'

/**
 * Seeds peer-a after a rotation under grace, committed at `now`: the old `current` kept as `previous`
 * (with `successor`) for five minutes, and a new `current` that supersedes it.
 *
 * @example
 * ```ts
 * const { old, issue, grace } = await seedGraceWindow(use, T0 + MINUTE, sealed('issue'))
 * ```
 */
export async function seedGraceWindow(use: UseStore, now: number, successor: SealedToken) {
  const { store } = use()
  const peer = registeredPeer('peer-a')
  const old = tokenOf('peer-a', 'current')
  const issue = tokenOf('peer-a', 'current', { createdAt: now })
  expect(await store.createPeer(peer, [old])).toBe(true)
  const grace = { expiresAt: now + 5 * MINUTE, successor }
  expect(
    await store.commitToken({ peerId: 'peer-a', revision: 0, next: peer, token: { issue }, grace, now }),
  ).not.toBeNull()
  return { old, issue, grace }
}
