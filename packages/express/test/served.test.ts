// A full registration between two SDK instances, each served by its own Express app on a loopback port
// (real sockets, Node's own fetch), one app on each Express major: A invites, B registers, then B calls
// A's `locations` module through its outbound client, and A's `ocpiAuth` hands the handler the peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CPO, EMSP, EXPRESS_MAJORS, type ServedPlatform, servePlatform } from './platform.js'

const [[name4, express4], [name5, express5]] = EXPRESS_MAJORS as [
  (typeof EXPRESS_MAJORS)[number],
  (typeof EXPRESS_MAJORS)[number],
]

describe.each([
  { a: [name4, express4], b: [name5, express5] },
  { a: [name5, express5], b: [name4, express4] },
] as const)('A on $a.0, B on $b.0, over loopback', ({ a, b }) => {
  let platformA: ServedPlatform
  let platformB: ServedPlatform

  beforeAll(async () => {
    platformA = await servePlatform(a[1], '/ocpi', CPO)
    platformB = await servePlatform(b[1], '/ocpi', EMSP)
  })

  afterAll(async () => {
    await Promise.all([platformA?.close(), platformB?.close()])
  })

  it('A invites, B registers, B calls A’s locations module as the authenticated peer', async () => {
    const invitation = await platformA.ocpi.invite()
    expect(invitation.versionsUrl).toBe(`${platformA.origin}/ocpi/versions`)

    const peerOnB = await platformB.ocpi.register({
      versionsUrl: invitation.versionsUrl,
      token: invitation.token,
    })
    expect(peerOnB).toMatchObject({ state: 'registered', version: '2.3.0', connectionStatus: 'CONNECTED' })
    expect(await platformA.ocpi.getPeer(invitation.peerId)).toMatchObject({ state: 'registered' })

    const call = await platformB.ocpi.client(peerOnB.id).request('locations', 'SENDER')
    expect([call.status, call.statusCode]).toEqual([200, 1000])
    expect(call.data).toEqual({ peer: invitation.peerId, version: '2.3.0' })
  })
})
