// Rules of ocpi-reference.md the SDK follows that no other test pins down.
import { describe, expect, it } from 'vitest'
import {
  call,
  createReceiver,
  installSender,
  registerSender,
  request,
  SENDER_BASE,
  senderCredentials,
  useMswServer,
} from './harness.js'
import { World } from './platforms.js'

const server = useMswServer()
const TOKEN_B = 'sender-token-B-probe-0123456789abcdefghijklm'

describe('reference rules', () => {
  it('TOKEN_A on hubclientinfo (list and party) is 401', async () => {
    const link = await registerSender(server, '2.2.1', TOKEN_B, {
      hubClientInfo: { receiver: true, sender: true },
    })
    const { token } = await link.ocpi.invite()
    for (const path of ['/2.2.1/hubclientinfo', '/2.2.1/hubclientinfo/DE/MSP']) {
      expect((await call(link.ocpi.handle, request('GET', path, { token }))).status).toBe(401)
    }
  })

  it('echoes X-Request-ID / X-Correlation-ID on 401, 404 and 405', async () => {
    const link = await registerSender(server, '2.2.1', TOKEN_B)
    const ids = { 'x-request-id': 'rid-1', 'x-correlation-id': 'cid-1' }
    for (const [m, p, t] of [
      ['GET', '/versions', undefined],
      ['GET', '/nope', undefined],
      ['POST', '/versions', link.tokenC],
    ] as const) {
      const r = await call(link.ocpi.handle, request(m, p, { ...(t ? { token: t } : {}), headers: ids }))
      expect([r.headers.get('x-request-id'), r.headers.get('x-correlation-id')]).toEqual(['rid-1', 'cid-1'])
    }
  })

  it('HubClientInfo list: date_from inclusive, date_to exclusive, X-Total-Count filtered', async () => {
    const world = new World()
    const hub = world.add(
      'hub',
      { role: 'HUB', country_code: 'NL', party_id: 'HUB' },
      { hubClientInfo: { sender: true } },
    )
    const cpo = world.add(
      'cpo',
      { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
      { hubClientInfo: { receiver: true } },
    )
    const cpoLink = await world.link(hub, cpo)
    world.now = Date.parse('2026-11-23T11:00:00.000Z')
    await world.link(hub, world.add('emsp', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }))
    const at = '2026-11-23T11:00:00.000Z'
    world.now += 60_000
    const fromHub = cpo.ocpi.client(cpoLink.onTo)
    const q = async (query: Record<string, string>) => {
      const r = await fromHub.request('hubclientinfo', 'SENDER', { query })
      return [(r.data as unknown[]).length, r.headers.get('x-total-count')]
    }
    expect(await q({ date_from: at })).toEqual([1, '1'])
    expect(await q({ date_to: at })).toEqual([0, '0'])
    expect(await q({ date_from: at, date_to: '2026-11-23T11:00:00.001Z' })).toEqual([1, '1'])
  })

  it('a 2.2.1 sender listing credentials as RECEIVER, a custom module, unknown and 2.3.0-only fields, registers', async () => {
    const { ocpi } = createReceiver()
    installSender(server, {
      version: '2.2.1',
      token: TOKEN_B,
      endpoints: [
        { identifier: 'credentials', role: 'RECEIVER', url: `${SENDER_BASE}/2.2.1/credentials` },
        { identifier: 'nltnm-tokens', role: 'SENDER', url: `${SENDER_BASE}/2.2.1/x` },
      ],
    })
    const { token } = await ocpi.invite()
    const body = { ...senderCredentials('2.2.1', TOKEN_B), hub_party_id: 'DEHUB', extension_field: { a: 1 } }
    expect(
      (await call(ocpi.handle, request('POST', '/2.2.1/credentials', { token, body }))).body.status_code,
    ).toBe(1000)
  })
})
