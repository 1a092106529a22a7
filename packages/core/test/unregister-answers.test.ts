import { describe, expect, it } from 'vitest'
import { createMemoryBacking, createOcpi, memoryStore } from '../src/index.js'
import { SEALING_KEY } from './harness.js'

/** A peer adopted with importPeer whose DELETE answer is scripted. */
async function adoptedPeer(answer: () => Response | Promise<Response>) {
  const backing = createMemoryBacking()
  const seen: string[] = []
  const ocpi = createOcpi({
    baseUrl: 'https://cpo.example.com/ocpi',
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
    store: memoryStore({ backing }),
    sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
    fetch: async (input, init) => {
      const request = new Request(input, init)
      seen.push(`${request.method} ${request.url}`)
      return answer()
    },
  })
  const peer = await ocpi.importPeer({
    versionsUrl: 'https://emsp.example.com/ocpi/versions',
    version: '2.2.1',
    inboundToken: 'inbound-token-of-the-adopted-link-0123456789',
    outboundToken: 'outbound-token-of-the-adopted-link-012345678',
    parties: [{ role: 'EMSP', country_code: 'DE', party_id: 'MSP' }],
    endpoints: [
      { identifier: 'credentials', role: 'SENDER', url: 'https://emsp.example.com/ocpi/2.2.1/credentials' },
    ],
  })
  return { ocpi, peer, backing, seen }
}

describe('our DELETE and what the peer answers', () => {
  it.each([
    [
      '200 / 1000',
      () => Response.json({ status_code: 1000, timestamp: '2026-11-23T10:00:00Z' }),
      'confirmed',
    ],
    [
      '405 (not registered)',
      () => Response.json({ status_code: 2000, timestamp: '2026-11-23T10:00:00Z' }, { status: 405 }),
      'not-registered',
    ],
    [
      '401 where 405 is due',
      () => Response.json({ status_code: 2000, timestamp: '2026-11-23T10:00:00Z' }, { status: 401 }),
      'not-registered',
    ],
    // What a DELETE answers on success is not specified: a 2xx without a body confirms too.
    ['204 without a body', () => new Response(null, { status: 204 }), 'confirmed'],
    ['200 with an empty body', () => new Response('', { status: 200 }), 'confirmed'],
    ['200 with a body that is not an envelope', () => new Response('ok', { status: 200 }), 'failed'],
    [
      '200 / 2001 (an envelope refusing)',
      () => Response.json({ status_code: 2001, timestamp: '2026-11-23T10:00:00Z' }),
      'failed',
    ],
    ['500', () => new Response('boom', { status: 500 }), 'failed'],
    ['a network error', () => Promise.reject(new TypeError('fetch failed')), 'failed'],
  ] as const)('%s: remote as expected, and our side ends in every case', async (_name, answer, remote) => {
    const { ocpi, peer, backing, seen } = await adoptedPeer(answer)
    const result = await ocpi.unregister(peer.id)
    expect(result.remote).toBe(remote)
    expect(result.peer.state).toBe('unregistered')
    expect([...backing.tokens.values()]).toEqual([])
    expect(seen).toEqual(['DELETE https://emsp.example.com/ocpi/2.2.1/credentials'])
  })

  it('an adopted link authenticates with its existing inbound token and is refused once ended', async () => {
    const { ocpi, peer } = await adoptedPeer(() =>
      Response.json({ status_code: 1000, timestamp: '2026-11-23T10:00:00Z' }),
    )
    const request = () =>
      new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
        headers: { authorization: `Token ${btoa('inbound-token-of-the-adopted-link-0123456789')}` },
      })
    const before = await ocpi.authenticate(request(), { module: 'locations' })
    expect(before.ok && before.peer.id).toBe(peer.id)
    await ocpi.unregister(peer.id)
    expect((await ocpi.authenticate(request(), { module: 'locations' })).ok).toBe(false)
  })
})

describe('our DELETE racing another end of the link', () => {
  it('a revocation meanwhile: 409, saying our DELETE went out and what the peer made of it', async () => {
    let revokeFirst: (() => Promise<unknown>) | null = null
    const { ocpi, peer, backing } = await adoptedPeer(async () => {
      await revokeFirst?.() // the admin revokes the link while our DELETE is on its way
      return Response.json({ status_code: 1000, timestamp: '2026-11-23T10:00:00Z' })
    })
    revokeFirst = () => ocpi.revoke(peer.id)
    const error = await ocpi.unregister(peer.id).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      code: 'ERR_OCPI_WRONG_STATE',
      message: `peer ${peer.id} was ended meanwhile by another call; our DELETE was sent too (the peer confirmed it)`,
    })
    expect(backing.peers.get(peer.id)?.state).toBe('unregistered') // as the revocation left it
  })
})
