import { describe, expect, it } from 'vitest'
import { createSecretLedger } from './secret-ledger.js'

const TOKEN = 'V1StGXR8_Z5jdHi6B-myTqLp0aWc3e7Ko9sNbu4xYz1'

describe('createSecretLedger', () => {
  it('finds a whole token, and any 8-character piece of one, in captured text', () => {
    const ledger = createSecretLedger()
    ledger.addSecret(TOKEN, 'generated')
    ledger.addText(`warn refused ${TOKEN}`, 'logger.warn')
    ledger.addText(`event {"path":"/x","hint":"${TOKEN.slice(20, 28)}"}`, 'event authentication-failed')
    ledger.addText('info peer registered {"peerId":"p1"}', 'logger.info')
    const leaks = ledger.findLeaks()
    expect(leaks.map((l) => [l.textSource, l.secretSource, l.position])).toEqual([
      ['logger.warn', 'generated', 0],
      ['event authentication-failed', 'generated', 20],
    ])
  })

  it('checks text captured before the secret was learnt', () => {
    const ledger = createSecretLedger()
    ledger.addText(`console: ${TOKEN.slice(5, 14)}`, 'console.log')
    expect(ledger.findLeaks()).toEqual([])
    ledger.addSecret(TOKEN, 'Authorization header')
    expect(ledger.findLeaks()).toHaveLength(1)
  })

  it('never repeats a secret in what it reports: excerpts and the thrown message are redacted', () => {
    const ledger = createSecretLedger()
    ledger.addSecret(TOKEN, 'generated')
    ledger.addSecret('another-secret-value-42', 'fixture')
    ledger.addText(`a ${TOKEN} b ${TOKEN.slice(3, 12)} c another-secret-value-42 d`, 'console.error')
    const [leak] = ledger.findLeaks()
    expect(leak?.excerpt).toBe('a [secret] b [secret] c [secret] d')
    expect(() => ledger.assertNoLeaks()).toThrow(/console\.error holds a piece of a secret/)
    try {
      ledger.assertNoLeaks()
    } catch (error) {
      const message = (error as Error).message
      for (let i = 0; i + 8 <= TOKEN.length; i++) expect(message).not.toContain(TOKEN.slice(i, i + 8))
    }
  })

  it('does not search for secrets shorter than the window, nor for pieces of too few distinct characters', () => {
    const ledger = createSecretLedger()
    ledger.addSecret('short', 'fixture')
    ledger.addSecret(`${'a'.repeat(20)}${'='.repeat(4)}`, 'fixture')
    ledger.addText('a short text with aaaaaaaaaa and ====== in it', 'console.log')
    expect(ledger.findLeaks()).toEqual([])
    expect(ledger.counts()).toEqual({ secrets: 1, texts: 1, publicIds: 0 })
  })

  it('masks public ids (peer ids) before the search, so a UUID-based fixture token does not match one', () => {
    const peerId = '6f1c2b9e-4a7d-4c3e-9b1a-2d3e4f5a6b7c'
    // A fixture token built on another UUID that shares a piece with the peer id.
    const token = 'mock-a-0a1b2c3d-4a7d-4c3e-8000-000000000000'
    const ledger = createSecretLedger()
    ledger.addSecret(token, 'fixture')
    ledger.addText(`registered {"peerId":"${peerId}"}`, 'event registered')
    expect(ledger.findLeaks()).toHaveLength(1)
    ledger.addPublicId(peerId)
    ledger.addPublicId('not a uuid')
    expect(ledger.findLeaks()).toEqual([])
    // The token itself still leaks.
    ledger.addText(`oops ${token}`, 'console.log')
    expect(ledger.findLeaks().map((l) => l.textSource)).toEqual(['console.log'])
  })

  it('forgets everything on clear', () => {
    const ledger = createSecretLedger()
    ledger.addSecret(TOKEN, 'generated')
    ledger.addText(TOKEN, 'console.log')
    ledger.clear()
    expect(ledger.findLeaks()).toEqual([])
    expect(ledger.counts()).toEqual({ secrets: 0, texts: 0, publicIds: 0 })
  })
})
