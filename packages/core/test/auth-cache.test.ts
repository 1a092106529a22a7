// The per-process authentication cache: a hit is one map lookup, and it never serves a token longer
// than it may: local writes clear it at once, other instances' writes are seen within its TTL.
import { describe, expect, it } from 'vitest'
import { type CredentialsStore, createOcpi, memoryStore, type StoreChange } from '../src/index.js'
import { SEALING_KEY } from './harness.js'
import { twoPlatforms } from './two-platforms.js'

/** A second instance over the same backing, caching authentications for a minute. */
function siblingOf(store: CredentialsStore) {
  return createOcpi({
    baseUrl: 'https://cpo.example.com/ocpi',
    parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
    store,
    sealingKeys: [{ kid: 'k', key: SEALING_KEY }],
    authCacheTtlMs: 60_000,
  })
}

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

  it('without a change feed, another instance sees a revocation within the TTL, not after', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    const { cpo, invitation, request } = await linked({ cpo: { now: () => now, authCacheTtlMs: 1_000 } })
    const { changes: _feed, ...withoutFeed } = memoryStore({ backing: cpo.backing })
    const sibling = createOcpi({
      baseUrl: 'https://cpo.example.com/ocpi',
      parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
      store: withoutFeed,
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

  it('with a change feed, another instance sees a revocation at once, whatever the TTL', async () => {
    const { cpo, invitation, request } = await linked()
    const sibling = siblingOf(memoryStore({ backing: cpo.backing }))
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(true) // cached for 60 s
    await cpo.ocpi.revoke(invitation.peerId) // on the other instance
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(false)
  })

  it('while the change feed is disconnected nothing is cached; once connected again, caching resumes', async () => {
    const { cpo, invitation, request } = await linked()
    const listeners = new Set<(change: StoreChange) => void>()
    const report = (change: StoreChange) => {
      for (const listener of listeners) listener(change)
    }
    // A feed that reports nothing but what the test says: only the cache's own rules are at work.
    const store: CredentialsStore = {
      ...memoryStore({ backing: cpo.backing }),
      changes: {
        subscribe(listener) {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
      },
    }
    const sibling = siblingOf(store)
    report({ type: 'disconnected' })
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(true)
    await cpo.ocpi.revoke(invitation.peerId) // unreported: the feed is down
    expect((await sibling.authenticate(request(), { module: 'locations' })).ok).toBe(false)

    // Connected: a success is cached again, and only a reported change drops it.
    const relinked = await linked()
    const again = siblingOf({
      ...memoryStore({ backing: relinked.cpo.backing }),
      changes: store.changes as NonNullable<CredentialsStore['changes']>,
    })
    report({ type: 'connected' })
    expect((await again.authenticate(relinked.request(), { module: 'locations' })).ok).toBe(true)
    await relinked.cpo.ocpi.revoke(relinked.invitation.peerId) // unreported
    expect((await again.authenticate(relinked.request(), { module: 'locations' })).ok).toBe(true) // cached
    report({ type: 'changed', peerId: relinked.invitation.peerId })
    expect((await again.authenticate(relinked.request(), { module: 'locations' })).ok).toBe(false)
    again.close()
    sibling.close()
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

describe('authenticateCached: the synchronous fast path', () => {
  const module = { module: 'locations' }

  it('answers only what authenticate answered for the same header, the same peer', async () => {
    const { cpo, invitation, request } = await linked()
    // The eMSP's module call above authenticated this header already; a fresh instance has seen nothing.
    const fresh = siblingOf(memoryStore({ backing: cpo.backing }))
    expect(fresh.authenticateCached(request())).toBeNull()
    const auth = await fresh.authenticate(request(), module)
    expect(auth.ok).toBe(true)
    const cached = fresh.authenticateCached(request())
    expect(cached).toEqual(auth.ok ? auth.peer : undefined)
    expect(cached?.id).toBe(invitation.peerId)
    expect(fresh.authenticateCached(new Request('https://cpo.example.com/ocpi/2.2.1/locations'))).toBeNull()
    fresh.close()
  })

  it('stops answering at once when the token is revoked through the same instance', async () => {
    const { cpo, invitation, request } = await linked()
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    expect(cpo.ocpi.authenticateCached(request())).not.toBeNull()
    await cpo.ocpi.revoke(invitation.peerId)
    expect(cpo.ocpi.authenticateCached(request())).toBeNull()
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(false)
  })

  it('leaves an OCPI-from-* mismatch to authenticate, which refuses it', async () => {
    const { cpo, request } = await linked()
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    const forged = request({ 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XXX' })
    expect(cpo.ocpi.authenticateCached(forged)).toBeNull()
    expect((await cpo.ocpi.authenticate(forged, module)).ok).toBe(false)
    const right = request({ 'ocpi-from-country-code': 'de', 'ocpi-from-party-id': 'msp' })
    expect(cpo.ocpi.authenticateCached(right)?.parties).toEqual([
      expect.objectContaining({ country_code: 'DE', party_id: 'MSP' }),
    ])
  })

  it('leaves a due contact write to authenticate, so lastContactAt still moves', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    const { cpo, invitation, request } = await linked({ cpo: { now: () => now, authCacheTtlMs: 60_000 } })
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    const before = (await cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime() ?? 0
    // The first use (the eMSP's call in linked()) was recorded a millisecond after the registration.
    expect(before).toBe(now + 1)
    now = before + 29_999
    expect(cpo.ocpi.authenticateCached(request())).not.toBeNull()
    now += 1 // 30 s since the contact was recorded: a write is due
    expect(cpo.ocpi.authenticateCached(request())).toBeNull()
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime()).toBe(now)
    expect(cpo.ocpi.authenticateCached(request())).not.toBeNull()
  })

  it('a first use whose contact write failed stays due: the next request writes it (closing the replay window)', async () => {
    const now = Date.parse('2026-11-23T10:00:00Z')
    let failing = false
    const inner = memoryStore()
    const store: CredentialsStore = {
      ...inner,
      touchContact: async (id, at) => {
        if (failing) throw new Error('database unavailable')
        return inner.touchContact(id, at)
      },
    }
    const platforms = twoPlatforms({ cpo: { now: () => now, authCacheTtlMs: 60_000, store } })
    const invitation = await platforms.cpo.ocpi.invite()
    const onEmsp = await platforms.emsp.ocpi.register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    failing = true
    expect((await platforms.emsp.ocpi.client(onEmsp.id).request('locations', 'SENDER')).status).toBe(200)
    const header = platforms.cpo.received.at(-1)?.authorization ?? ''
    const request = new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: header },
    })
    const registeredAt = (await platforms.cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime()
    failing = false
    expect(platforms.cpo.ocpi.authenticateCached(request)).toBeNull() // the write is still due
    expect((await platforms.cpo.ocpi.authenticate(request, module)).ok).toBe(true)
    const contact = (await platforms.cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime() ?? 0
    expect(contact).toBeGreaterThan(registeredAt ?? Number.POSITIVE_INFINITY)
  })

  it('answers nothing when caching is off', async () => {
    const { cpo, request } = await linked({ cpo: { authCacheTtlMs: 0 } })
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    expect(cpo.ocpi.authenticateCached(request())).toBeNull()
  })

  it('a failed contact write on a cached header is logged, not refused, and the next request writes again', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z')
    let failing = false
    const { cpo, invitation, request } = await linked({
      cpo: {
        now: () => now,
        authCacheTtlMs: 60_000,
        store: ((): CredentialsStore => {
          const inner = memoryStore()
          return {
            ...inner,
            touchContact: async (id, at) => {
              if (failing) throw new Error('database unavailable')
              return inner.touchContact(id, at)
            },
          }
        })(),
      },
    })
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    const contactBefore = (await cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime() ?? 0
    now = contactBefore + 30_000
    failing = true
    // Contact is bookkeeping: the token was verified, so the request is served (as on a cache miss).
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    expect(cpo.lines.filter((line) => /^(warn|error) /.test(line))).toEqual([
      `warn recording token use failed ${JSON.stringify({ peerId: invitation.peerId, error: 'Error' })}`,
    ])
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime()).toBe(contactBefore)
    expect(cpo.ocpi.authenticateCached(request())).toBeNull() // the write is still due
    failing = false
    expect((await cpo.ocpi.authenticate(request(), module)).ok).toBe(true)
    expect((await cpo.ocpi.getPeer(invitation.peerId))?.lastContactAt?.getTime()).toBe(now)
    expect(cpo.ocpi.authenticateCached(request())).not.toBeNull()
  })
})
