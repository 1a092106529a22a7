import { describe, expect, it } from 'vitest'
import { parsePeerCredentials } from '../engine/credentials-body.js'
import { parseDateTime } from './datetime.js'
import { envelopeSchema, versionDetailsSchema, versionListSchema } from './schemas.js'
import { normalizeVersion } from './versions.js'

// Our own fixtures, written from the spec's tables (2.1.1 flat, 2.2.1 roles, 2.3.0 roles + hub_party_id).
const business = {
  name: 'Example Operator',
  website: null,
  logo: { url: 'https://x.example/l.png', category: 'OPERATOR', type: 'png', width: 512 },
}

describe('Credentials parsing per version', () => {
  it('2.1.1: flat party fields become one party without a role', () => {
    const parsed = parsePeerCredentials('2.1.1', {
      token: 'ebf3b399-779f-4497-9b9d-ac6ad3cc44d2',
      url: 'https://example.com/ocpi/cpo/versions/',
      business_details: business,
      party_id: 'EXA',
      country_code: 'NL',
      unknown_field: true,
    })
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        versionsUrl: 'https://example.com/ocpi/cpo/versions/',
        parties: [{ role: null, party_id: 'EXA' }],
        hubPartyId: null,
      },
    })
  })

  it('2.2.1: roles, with open Role values (PTP, unknown) kept', () => {
    const parsed = parsePeerCredentials('2.2.1', {
      token: 't0k3n',
      url: 'https://example.com/versions',
      roles: [
        { role: 'CPO', party_id: 'EXA', country_code: 'NL', business_details: business },
        { role: 'PTP', party_id: 'EXA', country_code: 'NL', business_details: { name: 'Pay' } },
        { role: 'FUTURE_ROLE', party_id: 'EX2', country_code: 'nl', business_details: { name: 'F' } },
      ],
    })
    expect(parsed.ok && parsed.value.parties.map((p) => p.role)).toEqual(['CPO', 'PTP', 'FUTURE_ROLE'])
  })

  it('2.3.0: hub_party_id is read; on 2.2.1 it is ignored', () => {
    const body = {
      token: 't',
      url: 'https://example.com/versions',
      hub_party_id: 'NLHUB',
      roles: [{ role: 'CPO', party_id: 'EXA', country_code: 'NL', business_details: { name: 'E' } }],
    }
    expect(parsePeerCredentials('2.3.0', body)).toMatchObject({ ok: true, value: { hubPartyId: 'NLHUB' } })
    expect(parsePeerCredentials('2.2.1', body)).toMatchObject({ ok: true, value: { hubPartyId: null } })
  })

  it('refuses duplicate (role, party, country) roles and says where, without echoing values', () => {
    const role = { role: 'CPO', party_id: 'EXA', country_code: 'NL', business_details: { name: 'E' } }
    const parsed = parsePeerCredentials('2.2.1', {
      token: 'secret-token-value',
      url: 'u',
      roles: [role, { ...role, party_id: 'exa' }],
    })
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.message).toContain('roles')
    expect(!parsed.ok && parsed.message).not.toContain('secret-token-value')
  })

  it('never echoes a refused token in the message', () => {
    const parsed = parsePeerCredentials('2.2.1', { token: 'bad token with spaces', url: 'u', roles: [] })
    expect(!parsed.ok && parsed.message).not.toContain('bad token')
  })
})

describe('versions and version details', () => {
  it('accepts a bare array, and the { versions } wrapper of the 2.1.1 tag', () => {
    const list = [{ version: '2.1.1', url: 'https://example.com/ocpi/cpo/2.1.1' }]
    expect(versionListSchema.parse(list)).toEqual(list)
    expect(versionListSchema.parse({ versions: list })).toEqual(list)
    expect(versionListSchema.safeParse([]).success).toBe(false)
  })

  it('endpoints without role (2.1.1) and with unknown ModuleIDs and roles', () => {
    const details = versionDetailsSchema.parse({
      version: '2.2',
      endpoints: [
        { identifier: 'credentials', url: 'https://example.com/ocpi/cpo/2.1.1/credentials/' },
        { identifier: 'nltnm-tokens', role: 'SENDER', url: 'https://example.com/x' },
        { identifier: 'locations', role: null, url: 'https://example.com/y' },
      ],
    })
    expect(details.endpoints.map((e) => e.role)).toEqual([undefined, 'SENDER', undefined])
  })

  it('maps 2.1 to 2.1.1 and 2.2 to 2.2.1; refuses what we do not speak', () => {
    expect(['2.1', '2.1.1', '2.2', '2.2.1', '2.3.0', '2.0', '3.0'].map(normalizeVersion)).toEqual([
      '2.1.1',
      '2.1.1',
      '2.2.1',
      '2.2.1',
      '2.3.0',
      null,
      null,
    ])
  })

  it('envelopes: status_code required; status_message null or absent; data any', () => {
    expect(
      envelopeSchema.safeParse({ data: null, status_code: 1000, status_message: null, timestamp: 'x' })
        .success,
    ).toBe(true)
    expect(envelopeSchema.safeParse({ data: [] }).success).toBe(false)
  })
})

describe('DateTime', () => {
  it.each([
    ['2015-06-29T20:39:09Z', '2015-06-29T20:39:09.000Z'],
    ['2015-06-29T20:39:09', '2015-06-29T20:39:09.000Z'],
    ['2015-06-29T20:39:09.2Z', '2015-06-29T20:39:09.200Z'],
    ['2015-06-29T20:39:09.123Z', '2015-06-29T20:39:09.123Z'],
    ['2015-06-29T22:39:09+02:00', '2015-06-29T20:39:09.000Z'],
  ])('parses %s', (raw, iso) => {
    expect(parseDateTime(raw)?.toISOString()).toBe(iso)
  })

  it.each(['', '2015-06-29', '2015-13-45T99:00:00Z', 'yesterday'])('refuses %j', (raw) => {
    expect(parseDateTime(raw)).toBeNull()
  })
})
