// As a hub, the ClientInfo we report carries only the roles of the version the receiving link speaks:
// 2.3.0 has no HUB role (reference §4), so a party known as HUB is left out towards a 2.3.0 platform.
import { expect, it } from 'vitest'
import { call, createReceiver, installSender, request, useMswServer } from './harness.js'

const server = useMswServer()
const details = { name: 'x' }

/** Registers a sender at `base` on `version` presenting `role` CC/PID; answers its TOKEN_C. */
async function link(
  ocpi: ReturnType<typeof createReceiver>['ocpi'],
  version: '2.2.1' | '2.3.0',
  base: string,
  party: { role: string; country_code: string; party_id: string },
) {
  const invitation = await ocpi.invite()
  const token = `token-of-${party.party_id}-0123456789abcdefghijklmnopqrstuvw`
  installSender(server, { version, token, base })
  const post = await call(
    ocpi.handle,
    request('POST', `/${version}/credentials`, {
      token: invitation.token,
      body: { token, url: `${base}/versions`, roles: [{ ...party, business_details: details }] },
    }),
  )
  expect(post.body.status_code).toBe(1000)
  return (post.body.data as { token: string }).token
}

it('the ClientInfo list leaves HUB out towards a 2.3.0 platform, and keeps it towards 2.2.1', async () => {
  const { ocpi } = createReceiver({ hubClientInfo: { sender: true } })
  await link(ocpi, '2.2.1', 'https://hub-a.example.com/ocpi', {
    role: 'HUB',
    country_code: 'DE',
    party_id: 'HBA',
  })
  await link(ocpi, '2.2.1', 'https://cpo-c.example.com/ocpi', {
    role: 'CPO',
    country_code: 'NL',
    party_id: 'CPC',
  })
  const on230 = await link(ocpi, '2.3.0', 'https://emsp-b.example.com/ocpi', {
    role: 'EMSP',
    country_code: 'FR',
    party_id: 'EMB',
  })
  const on221 = await link(ocpi, '2.2.1', 'https://emsp-d.example.com/ocpi', {
    role: 'EMSP',
    country_code: 'BE',
    party_id: 'EMD',
  })
  const listed = async (version: string, token: string) => {
    const list = await call(ocpi.handle, request('GET', `/${version}/hubclientinfo`, { token }))
    expect(list.body.status_code).toBe(1000)
    return (list.body.data as { role: string; party_id: string }[]).map((c) => `${c.role} ${c.party_id}`)
  }
  expect((await listed('2.3.0', on230)).sort()).toEqual(['CPO CPC', 'EMSP EMD'])
  expect((await listed('2.2.1', on221)).sort()).toEqual(['CPO CPC', 'EMSP EMB', 'HUB HBA'])
})
