import { expect, it } from 'vitest'
import { call, createReceiver, installSender, request, senderCredentials, useMswServer } from './harness.js'

const server = useMswServer()

it('50 concurrent POSTs with one TOKEN_A: exactly one registration, losers get 405 or 401 and leave no live token', async () => {
  const { ocpi, backing } = createReceiver()
  const { token, peerId } = await ocpi.invite()
  const N = 50
  const tokensB = Array.from({ length: N }, (_, i) => `racing-sender-token-${i}-abcdefghijklmnopqrstuvwxyz`)
  const senders = tokensB.map((tokenB, i) =>
    installSender(server, { version: '2.2.1', token: tokenB, base: `https://emsp${i}.example.com/ocpi` }),
  )

  const responses = await Promise.all(
    tokensB.map((tokenB, i) =>
      call(
        ocpi.handle,
        request('POST', '/2.2.1/credentials', {
          token,
          body: senderCredentials('2.2.1', tokenB, `https://emsp${i}.example.com/ocpi/versions`),
        }),
      ),
    ),
  )

  const winners = responses.filter((r) => r.body.status_code === 1000)
  expect(winners).toHaveLength(1)
  const losers = responses.filter((r) => r.body.status_code !== 1000)
  for (const loser of losers) expect([401, 405]).toContain(loser.status)
  // Losers that got past authentication ran their whole callback discovery before losing the commit.
  const refusedAfterDiscovery = losers.filter((r) => r.status === 405).length
  expect(refusedAfterDiscovery).toBeGreaterThan(0)
  const discovered = senders.filter((s) => s.seen.length === 2).length
  expect(discovered).toBe(refusedAfterDiscovery + 1)
  for (const sender of senders) expect([0, 2]).toContain(sender.seen.length)

  // Exactly one live token: the winner's TOKEN_C; no invitation left; the link points at the winner.
  // (The consumed TOKEN_A is kept, for the replay window, as a token valid for nothing but a replay.)
  const tokens = [...backing.tokens.values()]
  expect(tokens.map((t) => t.kind).sort()).toEqual(['consumed-invitation', 'current'])
  const [winner] = winners
  if (winner === undefined) throw new Error('no winner')
  const winnerIndex = responses.indexOf(winner)
  const peer = await ocpi.getPeer(peerId)
  expect(peer?.versionsUrl).toBe(`https://emsp${winnerIndex}.example.com/ocpi/versions`)
  const tokenC = (winner.body.data as { token: string }).token
  expect((await call(ocpi.handle, request('GET', '/versions', { token: tokenC }))).status).toBe(200)
  expect((await call(ocpi.handle, request('GET', '/versions', { token }))).status).toBe(401)
})
