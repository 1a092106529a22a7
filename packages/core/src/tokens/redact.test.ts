import { describe, expect, it } from 'vitest'
import { redactSecrets } from './redact.js'

const TOKEN = 'Ij1LmN0pQr2StU3vWx4YzA5bC6dE7fG8hI9jK0lMn1o'

describe('redactSecrets', () => {
  it('hides every piece of 8 characters or more of the token, wherever it starts and ends, leaving no tail', () => {
    for (let start = 0; start < TOKEN.length; start++) {
      for (let end = start + 8; end <= TOKEN.length; end++) {
        const echoed = TOKEN.slice(start, end)
        expect(redactSecrets(`unknown token ${echoed}...`, [TOKEN]), echoed).toBe(
          'unknown token [redacted]...',
        )
      }
    }
  })

  it('hides each occurrence, the Base64 form among the secrets, and leaves the rest of the text', () => {
    const base64 = btoa(TOKEN)
    expect(redactSecrets(`a ${TOKEN} b ${base64.slice(3, 20)} c ${TOKEN.slice(0, 9)}`, [TOKEN, base64])).toBe(
      'a [redacted] b [redacted] c [redacted]',
    )
  })

  it('keeps pieces shorter than 8 characters and text without any piece as it is', () => {
    expect(redactSecrets(`near ${TOKEN.slice(5, 12)} miss`, [TOKEN])).toBe(`near ${TOKEN.slice(5, 12)} miss`)
    expect(redactSecrets('nothing to hide', [TOKEN, ''])).toBe('nothing to hide')
  })

  it('hides a secret shorter than 8 characters whole', () => {
    expect(redactSecrets('code abc12 refused', ['abc12'])).toBe('code [redacted] refused')
  })
})
