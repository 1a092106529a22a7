import { describe, expect, it } from 'vitest'
import { memoryStore, type PeerRecord } from '../src/index.js'

// The memory store keeps a frozen deep copy of what it is given. Records are plain data and are copied
// in one pass; these pin the edges of that copy against what structuredClone did before it.
const invited = (extra: Record<string, unknown> = {}): PeerRecord =>
  ({
    id: 'peer-1',
    revision: 0,
    origin: 'invitation',
    expectedParties: [{ role: 'EMSP', country_code: 'DE', party_id: 'ABC' }],
    as: null,
    createdAt: 1,
    updatedAt: 1,
    lastContactAt: null,
    state: 'invited',
    invitationExpiresAt: 2,
    ...extra,
  }) as unknown as PeerRecord

describe('memoryStore keeps its own frozen copy', () => {
  it('of plain data: nothing the caller changes afterwards reaches the store', async () => {
    const store = memoryStore()
    const party = { role: 'EMSP', country_code: 'DE', party_id: 'ABC' }
    expect(await store.createPeer(invited({ expectedParties: [party] }), [])).toBe(true)
    party.party_id = 'XYZ'
    const stored = await store.getPeer('peer-1')
    expect(stored?.expectedParties?.[0]?.party_id).toBe('ABC')
    expect(Object.isFrozen(stored)).toBe(true)
    expect(Object.isFrozen(stored?.expectedParties?.[0])).toBe(true)
  })

  it('of what is not plain data (a Date), through structuredClone', async () => {
    const store = memoryStore()
    const at = new Date(5)
    await store.createPeer(invited({ note: { at } }), [])
    const stored = (await store.getPeer('peer-1')) as unknown as { note: { at: Date } }
    expect(stored.note.at).toBeInstanceOf(Date)
    expect(stored.note.at).not.toBe(at)
    expect(stored.note.at.getTime()).toBe(5)
  })

  it('of an own __proto__ key (as JSON.parse makes one): a property, never the prototype', async () => {
    const store = memoryStore()
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>
    await store.createPeer(invited({ note: parsed }), [])
    const stored = (await store.getPeer('peer-1')) as unknown as { note: Record<string, unknown> }
    expect(Object.keys(stored.note)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(stored.note)).toBe(Object.prototype)
    expect(stored.note['polluted']).toBeUndefined()
  })

  it('refuses a function, as structuredClone does, and stores nothing', async () => {
    const store = memoryStore()
    await expect(Promise.resolve(store.createPeer(invited({ note: () => 1 }), []))).rejects.toThrow()
    expect(await store.getPeer('peer-1')).toBeNull()
  })
})
