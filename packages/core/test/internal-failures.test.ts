// A failure that is ours (the store, a sealing key), not the peer's, is answered 500 / 3000 with a body
// that says nothing, so it must reach the host's logger: whoever the store is and whatever it throws.
import { describe, expect, it } from 'vitest'
import { type CredentialsStore, memoryStore, OcpiError } from '../src/index.js'
import { twoPlatforms } from './two-platforms.js'

/** A memory store whose token lookups fail on demand with `failure()`. */
function flakyStore(failure: () => unknown) {
  const inner = memoryStore()
  const control = { failing: false }
  const store: CredentialsStore = {
    ...inner,
    findToken: async (digest) => {
      if (control.failing) throw failure()
      return inner.findToken(digest)
    },
  }
  return { store, control }
}

async function linkedWith(failure: () => unknown) {
  const { store, control } = flakyStore(failure)
  const platforms = twoPlatforms({ cpo: { store, authCacheTtlMs: 0 } })
  const invitation = await platforms.cpo.ocpi.invite()
  await platforms.emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  const header = platforms.cpo.received.at(-1)?.authorization ?? ''
  const tokens = [invitation.token, header.replace(/^Token /, '')]
  return { ...platforms, control, header, tokens }
}

const errors = (lines: string[]) => lines.filter((line) => line.startsWith('error '))

describe('failures of our own', () => {
  for (const [name, failure] of [
    [
      'an OcpiError of the store (as the SQLite store throws)',
      () => new OcpiError('ERR_OCPI_STORE', 'disk I/O error'),
    ],
    [
      'a raw driver error (as the PostgreSQL store throws)',
      () => new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    ],
  ] as const) {
    it(`${name}: handle answers 500 / 3000 and logs it, without a token`, async () => {
      const { cpo, control, header, tokens } = await linkedWith(failure)
      control.failing = true
      const response = await cpo.ocpi.handle(
        new Request(`${cpo.base}/ocpi/versions`, { headers: { authorization: header } }),
      )
      expect(response.status).toBe(500)
      expect(await response.json()).toMatchObject({ status_code: 3000, status_message: 'internal error' })
      const logged = errors(cpo.lines)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain('handling an OCPI request failed')
      expect(logged[0]).toContain(
        failure() instanceof OcpiError ? 'ERR_OCPI_STORE: disk I/O error' : 'ECONNREFUSED',
      )
      expect(logged[0]).toContain('"path":"/ocpi/versions"')
      for (const token of tokens) expect(logged[0]).not.toContain(token)
    })

    it(`${name}: authenticate answers 500 / 3000 and logs it, without a token`, async () => {
      const { cpo, control, header, tokens } = await linkedWith(failure)
      control.failing = true
      const result = await cpo.ocpi.authenticate(
        new Request(`${cpo.base}/ocpi/2.2.1/locations`, { headers: { authorization: header } }),
        { module: 'locations' },
      )
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.response.status).toBe(500)
      expect(await result.response.json()).toMatchObject({ status_code: 3000 })
      const logged = errors(cpo.lines)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain('authenticating an OCPI request failed')
      expect(logged[0]).toContain('"method":"GET","path":"/ocpi/2.2.1/locations"')
      for (const token of tokens) expect(logged[0]).not.toContain(token)
    })
  }

  it("a peer's mistake (an unknown token) is refused with 401 and not logged as a failure", async () => {
    const { cpo } = await linkedWith(() => new Error('unused'))
    const request = new Request(`${cpo.base}/ocpi/2.2.1/locations`, {
      headers: { authorization: 'Token nope' },
    })
    const result = await cpo.ocpi.authenticate(request, { module: 'locations' })
    expect(result.ok ? 200 : result.response.status).toBe(401)
    expect((await cpo.ocpi.handle(new Request(`${cpo.base}/ocpi/versions`, request))).status).toBe(401)
    expect(errors(cpo.lines)).toEqual([])
  })
})
