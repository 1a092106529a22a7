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
