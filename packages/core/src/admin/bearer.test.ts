import { describe, expect, it } from 'vitest'
import { bearerAuthorizer, OcpiConfigError } from '../index.js'

const SECRET = 'admin-secret-0123456789'
const withHeader = (value?: string) =>
  new Request(
    'https://cpo.example.com/admin/peers',
    value === undefined ? {} : { headers: { authorization: value } },
  )

describe('bearerAuthorizer', () => {
  it('accepts exactly Bearer <secret>', () => {
    const authorize = bearerAuthorizer(SECRET)
    expect(authorize(withHeader(`Bearer ${SECRET}`))).toBe(true)
    for (const refused of [
      undefined,
      '',
      SECRET,
      `bearer ${SECRET}`,
      `Bearer ${SECRET.slice(0, -1)}`,
      `Bearer ${SECRET}x`,
      `Token ${SECRET}`,
    ]) {
      expect(authorize(withHeader(refused))).toBe(false)
    }
  })

  it('refuses a short or missing secret at creation, without echoing it', () => {
    for (const secret of ['', 'short-secret', undefined as unknown as string]) {
      const error = (() => {
        try {
          bearerAuthorizer(secret)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(OcpiConfigError)
      if (secret) expect((error as Error).message).not.toContain(secret)
    }
  })
})
