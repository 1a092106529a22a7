// Regression: a role given for a peer's party (`expected_parties[].role`, `invite({ expectedParties })`,
// `importPeer({ parties })`) was stored as typed. The identity lock compares roles exactly, so `emsp` or a
// typo (`EMPS`) gave a 201 and a TOKEN_A no partner could ever use. Roles are now trimmed, upper-cased
// and checked against OCPI's Role set for the versions concerned.
import { describe, expect, it } from 'vitest'
import { postInvitation, twoPlatforms } from '../../test/two-platforms.js'
import { OcpiError } from '../errors.js'
import { createAdminHandler } from './handler.js'
import type { AdminError, AdminInvitation } from './json.js'

const EMSP = { country_code: 'de', party_id: 'msp' }

describe('roles of expected and imported parties', () => {
  it.each(['EMSP', 'emsp', ' Emsp '])(
    'POST /invitations with role %j: the matching eMSP then registers',
    async (role) => {
      const { cpo, emsp } = twoPlatforms()
      const created = await postInvitation(createAdminHandler(cpo.ocpi), {
        expected_parties: [{ ...EMSP, role }],
      })
      expect(created.status).toBe(201)
      const invitation = (await created.json()) as AdminInvitation
      const peer = await emsp.ocpi.register({ versionsUrl: invitation.versions_url, token: invitation.token })
      expect(peer.state).toBe('registered')
    },
  )

  it.each(['EMPS', 'eMSP-ish', '', 'PSP'])(
    'POST /invitations with role %j: 400 naming the field, nothing stored',
    async (role) => {
      const { cpo } = twoPlatforms()
      const answer = await postInvitation(createAdminHandler(cpo.ocpi), {
        expected_parties: [
          { ...EMSP, role: 'CPO' },
          { ...EMSP, role },
        ],
      })
      const error = (await answer.json()) as AdminError
      expect([answer.status, error.code]).toEqual([400, 'ERR_OCPI_INVALID_INPUT'])
      expect(error.message).toMatch(
        /^invalid body: expected_parties\.1\.role: must be an OCPI role: CPO, EMSP,/,
      )
      if (role !== '') expect(error.message).not.toContain(role)
      expect(await cpo.ocpi.listPeers()).toEqual([])
    },
  )

  it('PTP only where 2.3.0 is offered; HUB on any 2.2+ platform (a 2.3.0 hub is locked as its HUB party)', async () => {
    const onlyOld = twoPlatforms({ cpo: { versions: ['2.2.1'] } })
    const ptp = await postInvitation(createAdminHandler(onlyOld.cpo.ocpi), {
      expected_parties: [{ ...EMSP, role: 'ptp' }],
    })
    const error = (await ptp.json()) as AdminError
    expect([ptp.status, error.code]).toEqual([400, 'ERR_OCPI_INVALID_INPUT'])
    expect(error.message).toContain('expectedParties.0.role: no OCPI version we offer (2.2.1)')
    expect(await onlyOld.cpo.ocpi.listPeers()).toEqual([])

    const { cpo } = twoPlatforms({ cpo: { versions: ['2.3.0'] } })
    for (const role of ['ptp', 'HUB']) {
      const invitation = await cpo.ocpi.invite({ expectedParties: [{ ...EMSP, role }] })
      const peer = await cpo.ocpi.getPeer(invitation.peerId)
      expect(peer?.state).toBe('invited')
    }
    const stored = [...cpo.backing.peers.values()].map((p) => p.expectedParties?.[0]?.role)
    expect(stored.sort()).toEqual(['HUB', 'PTP'])
  })

  it('invite() stores the canonical role and refuses a typo with ERR_OCPI_INVALID_INPUT', async () => {
    const { cpo } = twoPlatforms()
    const invitation = await cpo.ocpi.invite({ expectedParties: [{ ...EMSP, role: ' emsp' }] })
    const stored = cpo.backing.peers.get(invitation.peerId)
    expect(stored?.expectedParties).toEqual([{ country_code: 'DE', party_id: 'MSP', role: 'EMSP' }])
    const typo = await cpo.ocpi.invite({ expectedParties: [{ ...EMSP, role: 'EMPS' }] }).catch((e) => e)
    expect(typo).toBeInstanceOf(OcpiError)
    expect([typo.code, typo.message]).toEqual([
      'ERR_OCPI_INVALID_INPUT',
      expect.stringMatching(/^invalid invitation: expectedParties\.0\.role: must be an OCPI role/),
    ])
  })

  it('importPeer() upper-cases roles and refuses one the link version lacks', async () => {
    const { cpo } = twoPlatforms()
    const input = {
      versionsUrl: 'https://emsp.example.com/ocpi/versions',
      version: '2.2.1' as const,
      inboundToken: crypto.randomUUID(),
      outboundToken: crypto.randomUUID(),
      endpoints: [{ identifier: 'credentials', url: 'https://emsp.example.com/ocpi/2.2.1/credentials' }],
    }
    const peer = await cpo.ocpi.importPeer({ ...input, parties: [{ ...EMSP, role: 'emsp ' }] })
    expect(peer.parties.map((p) => p.role)).toEqual(['EMSP'])
    for (const [role, message] of [
      ['EMPS', /^invalid import: parties\.0\.role: must be an OCPI role/],
      ['PTP', /^parties\.0\.role: OCPI 2\.2\.1 has no such role$/],
    ] as const) {
      const refused = await cpo.ocpi
        .importPeer({ ...input, inboundToken: crypto.randomUUID(), parties: [{ ...EMSP, role }] })
        .catch((e) => e)
      expect([refused.code, refused.message]).toEqual([
        'ERR_OCPI_INVALID_INPUT',
        expect.stringMatching(message),
      ])
    }
    expect(await cpo.ocpi.listPeers()).toHaveLength(1)
  })
})
