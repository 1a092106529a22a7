// The identity lock's matching through its public, pure function: same ids and role (or a 2.1.1
// presentation without roles), case-insensitive, in any order, at any size (a peer may present one party
// in thousands of roles, or thousands of parties: each presented party matches at most one locked one).
import { describe, expect, it } from 'vitest'
import { applyIdentityLock, defaultPartyAdditionPolicy, type Party } from '../src/index.js'

const party = (role: string | null, country_code: string, party_id: string): Party => ({
  role,
  country_code,
  party_id,
  business_details: { name: `${country_code}/${party_id}` },
})
const lock = (locked: readonly Party[], presented: readonly Party[], isHub = false) =>
  applyIdentityLock({ locked, presented, expected: null, isHub, policy: defaultPartyAdditionPolicy })

describe('applyIdentityLock matching', () => {
  it('keeps every locked party presented again in any order and case, as locked', () => {
    const locked = [party('CPO', 'NL', 'ABC'), party('EMSP', 'NL', 'ABC'), party('CPO', 'DE', 'XYZ')]
    const presented = [party('CPO', 'de', 'xyz'), party('EMSP', 'nl', 'abc'), party('CPO', 'nl', 'abc')]
    const decision = lock(locked, presented)
    expect(decision).toMatchObject({ ok: true, added: [], removed: [] })
    if (decision.ok)
      expect(decision.parties.map((p) => `${p.role} ${p.country_code}/${p.party_id}`)).toEqual([
        'CPO NL/ABC',
        'EMSP NL/ABC',
        'CPO DE/XYZ',
      ])
  })

  it('matches one party in 10,000 roles role by role, and names the one left out', () => {
    const roles = Array.from({ length: 10_000 }, (_, i) => `R${i}`)
    const locked = roles.map((role) => party(role, 'NL', 'ABC'))
    expect(lock(locked, [...locked].reverse())).toMatchObject({ ok: true, removed: [] })
    const decision = lock(locked, locked.slice(0, -1))
    expect(decision).toMatchObject({ ok: false })
    if (!decision.ok) expect(decision.message).toContain('NL/ABC (R9999) is locked')
  })

  it('a presentation without roles (2.1.1) matches a locked party of any role, once', () => {
    expect(lock([party('CPO', 'NL', 'ABC')], [party(null, 'nl', 'abc')])).toMatchObject({
      ok: true,
      parties: [expect.objectContaining({ role: 'CPO' })],
    })
    // Two locked roles of one party cannot both be covered by its one role-less presentation.
    expect(
      lock([party('CPO', 'NL', 'ABC'), party('EMSP', 'NL', 'ABC')], [party(null, 'NL', 'ABC')]),
    ).toMatchObject({ ok: false })
  })

  it('a locked party without role (2.1.1) takes its role from the first presentation of its ids', () => {
    const decision = lock([party(null, 'NL', 'ABC')], [party('EMSP', 'NL', 'ABC'), party('CPO', 'NL', 'ABC')])
    // The other one is an addition, refused for a non-hub by the default policy.
    expect(decision).toMatchObject({ ok: false })
    expect(lock([party(null, 'NL', 'ABC')], [party('EMSP', 'NL', 'ABC')])).toMatchObject({
      ok: true,
      parties: [expect.objectContaining({ role: 'EMSP' })],
      rolesFilledIn: [expect.objectContaining({ role: 'EMSP', country_code: 'NL', party_id: 'ABC' })],
    })
    // A role kept is no role filled in.
    expect(lock([party('EMSP', 'NL', 'ABC')], [party('EMSP', 'NL', 'ABC')])).toMatchObject({
      ok: true,
      rolesFilledIn: [],
    })
  })
})
