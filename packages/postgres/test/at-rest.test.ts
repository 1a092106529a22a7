// Protection at rest: after register → rotate (both ways) → unregister, no token exchanged is in the
// database, raw or Base64; and after a sealing-key rotation, `reseal` leaves nothing under the old key.
import {
  createOcpi,
  createSealer,
  digestToken,
  type InboundToken,
  type SealedToken,
} from '@ocpi-credentials/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { formsOf, Network, SEALING_KEY } from './network.js'

let cpoDb: TestDatabase
let emspDb: TestDatabase

beforeAll(async () => {
  cpoDb = await createTestDatabase('at_rest_cpo')
  emspDb = await createTestDatabase('at_rest_emsp')
})

afterAll(async () => {
  await cpoDb?.drop()
  await emspDb?.drop()
})

function linkedNetwork() {
  const network = new Network()
  const cpo = network.site(
    'https://cpo.example.com',
    { role: 'CPO', countryCode: 'NL', partyId: 'CPO' },
    () => postgresStore(cpoDb.pool, { schema: cpoDb.schema }),
  )
  const emsp = network.site(
    'https://emsp.example.com',
    { role: 'EMSP', countryCode: 'DE', partyId: 'MSP' },
    () => postgresStore(emspDb.pool, { schema: emspDb.schema }),
  )
  return {
    network,
    cpo: cpo.instances[0] as ReturnType<typeof createOcpi>,
    emsp: emsp.instances[0] as ReturnType<typeof createOcpi>,
  }
}

function expectNoTokenIn(dump: string, tokens: ReadonlySet<string>): void {
  for (const token of tokens) {
    for (const form of formsOf(token)) {
      // Only the verdict is printed on failure, never the token.
      expect(dump.includes(form), 'a token exchanged is in the database').toBe(false)
    }
  }
}

describe('protection at rest (PostgreSQL)', () => {
  it('holds no token exchanged, raw or Base64, after register, rotations both ways and unregister', async () => {
    const { network, cpo, emsp } = linkedNetwork()
    const invitation = await cpo.invite()
    network.handOver(invitation.token)
    const onEmsp = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    await emsp.client(onEmsp.id).request('locations', 'SENDER')
    await cpo.client(invitation.peerId).request('tokens', 'SENDER')
    const afterRegistration = await cpoDb.dump()
    // The dump reads what matters: the digests of the live tokens are there.
    const inbound = [...network.tokens].map((t) => digestToken(t as InboundToken))
    expect(inbound.some((digest) => afterRegistration.includes(digest))).toBe(true)
    expectNoTokenIn(afterRegistration, network.tokens)
    expectNoTokenIn(await emspDb.dump(), network.tokens)

    await cpo.rotate(invitation.peerId)
    await emsp.rotate(onEmsp.id)
    await emsp.client(onEmsp.id).request('locations', 'SENDER')
    await cpo.client(invitation.peerId).request('tokens', 'SENDER')
    expectNoTokenIn(await cpoDb.dump(), network.tokens)
    expectNoTokenIn(await emspDb.dump(), network.tokens)

    await cpo.unregister(invitation.peerId)
    expectNoTokenIn(await cpoDb.dump(), network.tokens)
    expectNoTokenIn(await emspDb.dump(), network.tokens)
    // TOKEN_A, B and C, and one new token per rotation: at least five distinct tokens were checked.
    expect(network.tokens.size).toBeGreaterThanOrEqual(5)
  })

  it('after a sealing-key rotation, reseal leaves no value sealed under the old key', async () => {
    const { cpo, emsp } = linkedNetwork()
    const invitation = await cpo.invite()
    const onEmsp = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    await emsp.rotate(onEmsp.id) // the CPO keeps a grace successor, sealed
    const newKey = { kid: 'k2', key: new Uint8Array(32).fill(4) }
    const restarted = createOcpi({
      baseUrl: 'https://cpo.example.com/ocpi',
      parties: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO', business_details: { name: 'CPO' } }],
      store: postgresStore(cpoDb.pool, { schema: cpoDb.schema }),
      sealingKeys: [newKey, SEALING_KEY],
    })
    const report = await restarted.reseal()
    expect(report.busy).toEqual([])
    expect(report.unreadable).toEqual([])
    expect(report.peers).toBeGreaterThanOrEqual(1)
    expect(report.tokens).toBeGreaterThanOrEqual(1)
    const { rows } = await cpoDb.pool.query<{ sealed: SealedToken }>(
      `SELECT record->'link'->>'outbound' AS sealed FROM "${cpoDb.schema}".ocpi_peers WHERE state = 'registered'
       UNION ALL SELECT successor FROM "${cpoDb.schema}".ocpi_tokens WHERE successor IS NOT NULL`,
    )
    const sealer = createSealer([newKey])
    expect(rows.length).toBeGreaterThanOrEqual(2)
    expect(new Set(rows.map((row) => sealer.kidOf(row.sealed)))).toEqual(new Set(['k2']))
  })
})
