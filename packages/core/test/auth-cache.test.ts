// The per-process authentication cache: a hit is one map lookup, and it never serves a token longer
// than it may: local writes clear it at once, other instances' writes are seen within its TTL.
import { describe, expect, it } from 'vitest'
import { createOcpi, memoryStore } from '../src/index.js'
import { SEALING_KEY } from './harness.js'
import { twoPlatforms } from './two-platforms.js'

async function linked(cpoOverrides: Parameters<typeof twoPlatforms>[0] = {}) {
  const platforms = twoPlatforms(cpoOverrides)
  const invitation = await platforms.cpo.ocpi.invite()
  const onEmsp = await platforms.emsp.ocpi.register({
    versionsUrl: invitation.versionsUrl,
    token: invitation.token,
  })
  await platforms.emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')
  const header = platforms.cpo.received.at(-1)?.authorization ?? ''
  const request = (extra: Record<string, string> = {}) =>
    new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: header, ...extra },
    })
  return { ...platforms, invitation, onEmsp, request }
}

describe('the authentication cache', () => {
  it('a revocation through the same instance takes effect at once, even for a cached header', async () => {
    const { cpo, invitation, request } = await linked()
    expect((await cpo.ocpi.authenticate(request(), { module: 'locations' })).ok).toBe(true) // cached now
    await cpo.ocpi.revoke(invitation.peerId)
    expect((await cpo.ocpi.authenticate(request(), { module: 'locations' })).ok).toBe(false)
  })

  it('another instance sharing the store sees a revocation within the TTL, not after', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    const { cpo, invitation, request } = await linked({ cpo: { now: () => now, authCacheTtlMs: 1_000 } })
    const sibling = createOcpi({
      baseUrl: 'https://cpo.example.com/ocpi',
      parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
      store: memoryStore({ backing: cpo.backing }),
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      now: () => now,
      authCacheTtlMs: 1_000,
    })
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(true)
    await cpo.ocpi.revoke(invitation.peerId) // on the other instance
    now += 999
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(true)
    now += 1
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(false)
  })

  it('with authCacheTtlMs 0 nothing is cached: the sibling sees the revocation at once', async () => {
    const { cpo, invitation, request } = await linked()
    const sibling = createOcpi({
      baseUrl: 'https://cpo.example.com/ocpi',
      parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
      store: memoryStore({ backing: cpo.backing }),
      sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
      authCacheTtlMs: 0,
    })
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(true)
    await cpo.ocpi.revoke(invitation.peerId)
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(false)
  })

  it('a cached header still has its OCPI-from-* checked', async () => {
    const { cpo, request } = await linked()
    expect((await cpo.ocpi.authenticate(request(), { module: 'locations' })).ok).toBe(true)
    const forged = await cpo.ocpi.authenticate(
      request({ 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XXX' }),
      { module: 'locations' },
    )
    expect(forged.ok).toBe(false)
    const right = await cpo.ocpi.authenticate(
      request({ 'ocpi-from-country-code': 'de', 'ocpi-from-party-id': 'msp' }),
      {
        module: 'locations',
      },
    )
    expect(right.ok).toBe(true)
  })
})
