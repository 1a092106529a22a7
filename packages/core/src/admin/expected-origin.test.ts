// `POST …/invitations` with `expected_origin`: the invitation is bound to the partner's origin (its POSTed
// versions URL must be on it), shown normalized in the answer; a URL the policy refuses is a 400 that
// stores nothing.
import { describe, expect, it } from 'vitest'
import { postInvitation, twoPlatforms } from '../../test/two-platforms.js'
import { createAdminHandler } from './handler.js'
import type { AdminError, AdminInvitation } from './json.js'

describe('POST /invitations with expected_origin', () => {
  it('binds the invitation to the origin: the partner there registers, one elsewhere is refused', async () => {
    const { cpo, emsp } = twoPlatforms()
    const admin = createAdminHandler(cpo.ocpi)
    const elsewhere = await postInvitation(admin, { expected_origin: 'https://other.example.com' })
    const refused = (await elsewhere.json()) as AdminInvitation
    expect(refused.expected_origin).toBe('https://other.example.com')
    await expect(
      emsp.ocpi.register({ versionsUrl: refused.versions_url, token: refused.token }),
    ).rejects.toMatchObject({ code: 'ERR_OCPI_PEER_REFUSED' })
    expect((await cpo.ocpi.getPeer(refused.peer_id))?.state).toBe('invited')

    const created = await postInvitation(admin, { expected_origin: 'https://EMSP.example.com/ocpi/versions' })
    expect(created.status).toBe(201)
    const invitation = (await created.json()) as AdminInvitation
    expect(invitation.expected_origin).toBe('https://emsp.example.com')
    const peer = await emsp.ocpi.register({ versionsUrl: invitation.versions_url, token: invitation.token })
    expect(peer.state).toBe('registered')
  })

  it.each([
    ['http://emsp.example.com', 400, 'ERR_OCPI_URL_REFUSED'],
    ['https://192.168.1.20/ocpi', 400, 'ERR_OCPI_URL_REFUSED'],
    ['not a url', 400, 'ERR_OCPI_URL_REFUSED'],
    ['', 400, 'ERR_OCPI_INVALID_INPUT'],
    [42, 400, 'ERR_OCPI_INVALID_INPUT'],
  ])('expected_origin %j: %i %s, nothing stored', async (expected_origin, status, code) => {
    const { cpo } = twoPlatforms()
    const answer = await postInvitation(createAdminHandler(cpo.ocpi), { expected_origin })
    const error = (await answer.json()) as AdminError
    expect([answer.status, error.code]).toEqual([status, code])
    expect(error.message).toMatch(/expected_?[oO]rigin/)
    expect(await cpo.ocpi.listPeers()).toEqual([])
  })
})
