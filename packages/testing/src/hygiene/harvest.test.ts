import { describe, expect, it } from 'vitest'
import { describeValue, secretsOfAuthorization, secretsOfJson, secretsOfJsonText } from './harvest.js'

describe('secretsOfAuthorization', () => {
  it('takes the credentials of any scheme, their pieces and their printable Base64 decodings', () => {
    expect(secretsOfAuthorization('Token ZXhhbXBsZS10b2tlbgo=')).toEqual([
      'ZXhhbXBsZS10b2tlbgo=',
      'example-token',
    ])
    expect(secretsOfAuthorization('Bearer admin-token-0123')).toEqual(['admin-token-0123'])
    expect(secretsOfAuthorization(`Basic ${btoa('user:pass-word-1')}`)).toEqual([
      btoa('user:pass-word-1'),
      'user:pass-word-1',
      'pass-word-1',
    ])
    expect(secretsOfAuthorization('Token a b')).toEqual(['a b', 'a', 'b'])
    expect(secretsOfAuthorization('lone-value-without-scheme')).toEqual(['lone-value-without-scheme'])
  })

  it('takes nothing from an absent or blank header', () => {
    expect(secretsOfAuthorization(null)).toEqual([])
    expect(secretsOfAuthorization(undefined)).toEqual([])
    expect(secretsOfAuthorization('   ')).toEqual([])
  })
})

describe('secretsOfJson', () => {
  it('takes the string value of every field named like a token, at any depth', () => {
    const body = {
      data: { token: 'tok-1', url: 'https://x', roles: [{ inner: { outbound_token: 'tok-2' } }] },
      inboundToken: 'tok-3',
      tokenForm: 'raw',
      count: { token: 5 },
    }
    expect(secretsOfJson(body).sort()).toEqual(['raw', 'tok-1', 'tok-2', 'tok-3'])
    expect(secretsOfJsonText(JSON.stringify(body)).sort()).toEqual(['raw', 'tok-1', 'tok-2', 'tok-3'])
    expect(secretsOfJsonText('not json {"token":"x"}')).toEqual([])
    expect(secretsOfJsonText('{"token":')).toEqual([])
  })
})

describe('describeValue', () => {
  it('describes an error with its own fields and its whole cause chain, never its stack', () => {
    const root = new TypeError('fetch failed')
    const error = Object.assign(new Error('GET versions: unreachable', { cause: root }), {
      code: 'ERR_OCPI_PEER_UNREACHABLE',
    })
    const text = describeValue(error)
    expect(text).toBe(
      'Error: GET versions: unreachable {"code":"ERR_OCPI_PEER_UNREACHABLE"} cause: TypeError: fetch failed',
    )
    expect(describeValue(new AggregateError([new Error('one'), 'two'], 'both'))).toContain(
      'error: Error: one error: two',
    )
  })

  it('describes objects as JSON, with cycles, bigints, functions and nested errors', () => {
    const value: Record<string, unknown> = { n: 1n, f: function named() {}, e: new Error('inner') }
    value['self'] = value
    expect(describeValue(value)).toBe('{"n":"1n","f":"[function named]","e":"Error: inner","self":"[cycle]"}')
    expect(describeValue(undefined)).toBe('undefined')
    expect(describeValue('text')).toBe('text')
  })
})
