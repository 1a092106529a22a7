import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { OutboundToken } from '../model.js'
import { authorizationCandidates, authorizationHeader } from './authorization.js'
import { digestToken } from './digest.js'
import { generateToken } from './generate.js'
import { createSealer } from './sealing.js'

describe('tokens', () => {
  it('are 43 URL-safe characters (258 bits) and unique', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken))
    expect(tokens.size).toBe(1000)
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('are stored as their SHA-256 hex digest', async () => {
    expect(digestToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    for (const token of [...Array.from({ length: 200 }, generateToken), 'ünïcödé', '']) {
      expect(digestToken(token)).toBe(createHash('sha256').update(token, 'utf8').digest('hex'))
    }
  })
})

describe('the Authorization header', () => {
  it('yields the raw value, then the strict Base64 decoding (one trailing LF dropped)', () => {
    expect(authorizationCandidates('Token ZXhhbXBsZS10b2tlbgo=')).toEqual([
      'ZXhhbXBsZS10b2tlbgo=',
      'example-token',
    ])
    expect(authorizationCandidates('Token ZXhhbXBsZS10b2tlbg==')).toEqual([
      'ZXhhbXBsZS10b2tlbg==',
      'example-token',
    ])
    expect(authorizationCandidates('Token raw-token_123')).toEqual(['raw-token_123'])
  })

  it('does not "decode" what is not strict Base64 (unpadded, URL alphabet, or not printable)', () => {
    expect(authorizationCandidates('Token ZXhhbXBsZS10b2tlbg')).toEqual(['ZXhhbXBsZS10b2tlbg'])
    expect(authorizationCandidates('Token abc-_def')).toEqual(['abc-_def'])
    expect(authorizationCandidates(`Token ${btoa('\u0001\u0002\u0003')}`)).toHaveLength(1)
    // UTF-8 beyond ASCII (a token is printable ASCII), and bytes that are not UTF-8 at all.
    const utf8 = Buffer.from('tökén-123', 'utf8').toString('base64')
    expect(authorizationCandidates(`Token ${utf8}`)).toEqual([utf8])
    const invalid = Buffer.from([0x61, 0xff, 0xfe, 0x62]).toString('base64')
    expect(authorizationCandidates(`Token ${invalid}`)).toEqual([invalid])
  })

  it('drops a leading UTF-8 byte order mark, as a UTF-8 decoder does', () => {
    const withBom = Buffer.from('\uFEFFexample-token\n', 'utf8').toString('base64')
    expect(authorizationCandidates(`Token ${withBom}`)).toEqual([withBom, 'example-token'])
  })

  it('refuses a missing, empty or other-scheme header', () => {
    for (const header of [null, '', 'Token', 'Token ', 'Bearer abc', 'Token a b']) {
      expect(authorizationCandidates(header)).toEqual([])
    }
  })

  it('formats raw and padded Base64 without a trailing LF', () => {
    expect(authorizationHeader('example-token', 'raw')).toBe('Token example-token')
    expect(authorizationHeader('example-token', 'base64')).toBe('Token ZXhhbXBsZS10b2tlbg==')
  })
})

describe('sealing', () => {
  const key1 = new Uint8Array(32).fill(1)
  const key2 = btoa(String.fromCharCode(...new Uint8Array(32).fill(2)))

  it('round-trips, and the newest key seals while older keys still unseal', async () => {
    const old = createSealer([{ kid: 'k1', key: key1 }])
    const sealedOld = await old.seal('peer-token' as OutboundToken)
    expect(sealedOld).not.toContain('peer-token')
    const rotated = createSealer([
      { kid: 'k2', key: key2 },
      { kid: 'k1', key: key1 },
    ])
    expect(await rotated.unseal(sealedOld)).toBe('peer-token')
    const sealedNew = await rotated.seal('peer-token' as OutboundToken)
    expect(rotated.kidOf(sealedNew)).toBe('k2')
    expect(rotated.kidOf(sealedOld)).toBe('k1')
  })

  it('fails clearly, without the token, when the key is unknown or the value tampered', async () => {
    const sealer = createSealer([{ kid: 'k1', key: key1 }])
    const sealed = await sealer.seal('peer-token-1234567890' as OutboundToken)
    const other = createSealer([{ kid: 'k2', key: key2 }])
    await expect(other.unseal(sealed)).rejects.toMatchObject({ code: 'ERR_OCPI_SEALING' })
    const tampered = `${sealed.slice(0, -4)}AAAA` as typeof sealed
    await expect(sealer.unseal(tampered)).rejects.toMatchObject({ code: 'ERR_OCPI_SEALING' })
  })

  it('validates keys at start', () => {
    expect(() => createSealer([])).toThrow(/at least one/)
    expect(() => createSealer([{ kid: 'k', key: new Uint8Array(16) }])).toThrow(/32 bytes/)
    expect(() => createSealer([{ kid: 'k', key: 'c2hvcnQ=' }])).toThrow(/32 bytes/)
    expect(() =>
      createSealer([
        { kid: 'k', key: key1 },
        { kid: 'k', key: key1 },
      ]),
    ).toThrow(/twice/)
  })
})
