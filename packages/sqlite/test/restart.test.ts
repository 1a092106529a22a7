// Durability: a platform whose SDK and store are closed and started again from the file (a new
// createOcpi over a reopened sqliteStore) keeps its links, including tokens rotated before the restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createNetwork, expectLinkWorks, link } from './platforms.js'

let directory: string
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-restart-'))
})
afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

const BOTH_WAYS_OK = [
  [200, 1000],
  [200, 1000],
]

it('a restarted platform authenticates its peer, before and after rotations either way', async () => {
  const network = createNetwork(directory)
  const { cpo, emsp } = network
  const { peerOnReceiver, peerOnSender } = await link(cpo, emsp)

  network.restart(cpo)
  expect(await cpo.ocpi.getPeer(peerOnReceiver)).toMatchObject({ state: 'registered' })
  // The eMSP's request is authenticated by the new instance from the file; the CPO's outbound token,
  // sealed in the file, still opens.
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual(BOTH_WAYS_OK)

  // The eMSP rotates the token it sends to the CPO: the CPO's restarted instance knows the new one.
  await emsp.ocpi.rotate(peerOnSender)
  network.restart(cpo)
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual(BOTH_WAYS_OK)

  // The CPO rotates: its restarted instance sends the new token, and the eMSP (restarted too) takes it.
  await cpo.ocpi.rotate(peerOnReceiver)
  network.restart(cpo)
  network.restart(emsp)
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual(BOTH_WAYS_OK)

  // A request with a token that was never issued is still refused after all this.
  const forged = await cpo.ocpi.authenticate(
    new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: 'Token bm90LWEtdG9rZW4tdGhhdC13YXMtaXNzdWVk' },
    }),
    { module: 'locations' },
  )
  expect(forged.ok).toBe(false)
  network.close()
})

it('a restart during a grace window keeps the previous token working until the peer uses the new one', async () => {
  const network = createNetwork(directory)
  const { cpo, emsp } = network
  const { peerOnReceiver, peerOnSender } = await link(cpo, emsp)
  await emsp.ocpi.rotate(peerOnSender)
  network.restart(cpo)
  // (Besides the TOKEN_A kept as consumed-invitation for a replay of the registration POST.)
  const kinds = async () =>
    (await cpo.store.listTokens(peerOnReceiver)).map((t) => t.kind).filter((k) => k !== 'consumed-invitation')
  expect((await kinds()).sort()).toEqual(['current', 'previous'])
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual(BOTH_WAYS_OK)
  // The peer's first use of the new token retired the previous one, in the file.
  network.restart(cpo)
  expect(await kinds()).toEqual(['current'])
  network.close()
})
