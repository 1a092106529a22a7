import { describe, expect, test, vi } from 'vitest'
import { createMockPeer, type MockPeer } from './create-mock-peer.js'
import { createFakePlatform, credentials, ocpiInit } from './fake-platform.js'
import type { MockPeerFaultMode, MockPeerFaultTarget } from './faults.js'

const BASE = 'https://emsp.example.com/ocpi'
const CREDENTIALS = `${BASE}/2.2.1/credentials`
const ROUTING = {
  'ocpi-from-country-code': 'NL',
  'ocpi-from-party-id': 'EXA',
  'ocpi-to-country-code': 'DE',
  'ocpi-to-party-id': 'MSP',
}

function setup() {
  let peer: MockPeer | undefined
  const fake = createFakePlatform({
    callMock: (request) => (peer === undefined ? Promise.reject(new Error('no peer')) : peer.fetch(request)),
  })
  peer = createMockPeer({ baseUrl: BASE, fetch: fake.handle })
  const tokenB = `sdk-b-${crypto.randomUUID()}`
  fake.accepted.add(tokenB)
  const post = (tokenA: string, init: RequestInit = {}) =>
    peer.fetch(CREDENTIALS, { ...ocpiInit('POST', tokenA, { body: credentials('2.2.1', tokenB) }), ...init })
  return { fake, peer, tokenB, post }
}

async function statusCode(response: Response): Promise<number> {
  return ((await response.json()) as { status_code: number }).status_code
}

describe('fault modes', () => {
  test('unreachable: a network error, nothing processed; `times` switches it off by itself', async () => {
    const { peer, post } = setup()
    const tokenA = peer.invite()
    peer.fail('unreachable', { times: 1 })

    await expect(post(tokenA)).rejects.toThrow(TypeError)
    expect(peer.state.registered).toBe(false)
    expect(peer.exchanges[0]).toMatchObject({
      target: 'POST credentials',
      fault: 'unreachable',
      response: null,
    })

    expect(await statusCode(await post(tokenA))).toBe(1000)
  })

  test('unreachable on one endpoint leaves the others up', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    peer.fail('unreachable', { on: 'GET details' })
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(200)
    await expect(peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', tokenA))).rejects.toThrow(TypeError)
    peer.heal()
    expect((await peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', tokenA))).status).toBe(200)
  })

  test('slow: held until the caller aborts; then not processed, and nothing is left pending', async () => {
    const { peer, fake, post } = setup()
    const tokenA = peer.invite()
    peer.fail('slow', { on: 'POST credentials' })
    const controller = new AbortController()

    const pending = post(tokenA, { signal: controller.signal })
    await vi.waitFor(() => expect(peer.exchanges[0]?.fault).toBe('slow'))
    controller.abort(new DOMException('client timeout', 'TimeoutError'))

    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' })
    await vi.waitFor(() => expect(peer.exchanges[0]?.error).toMatch(/aborted/))
    expect(fake.calls).toEqual([])
    expect(peer.state).toMatchObject({ registered: false, invitations: [tokenA] })
  })

  test('slow with delayMs answers normally after the delay; heal() releases a held request', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    peer.fail('slow', { on: 'GET versions', delayMs: 1, times: 1 })
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(200)

    peer.fail('slow', { on: 'GET versions' })
    const held = peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))
    await vi.waitFor(() => expect(peer.exchanges[1]?.fault).toBe('slow'))
    peer.heal()
    expect((await held).status).toBe(200)
  })

  test('http-500: HTTP 500 with status 3000; the POST is not processed', async () => {
    const { peer, post } = setup()
    const tokenA = peer.invite()
    peer.fail('http-500', { on: 'POST credentials', times: 1 })
    const response = await post(tokenA)
    expect(response.status).toBe(500)
    expect(await statusCode(response)).toBe(3000)
    expect(peer.state.invitations).toEqual([tokenA])
  })

  test('invalid-json: HTTP 200 with a body that does not parse', async () => {
    const { peer } = setup()
    peer.fail('invalid-json', { on: 'GET versions' })
    const response = await peer.fetch(peer.versionsUrl, ocpiInit('GET', peer.invite()))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    await expect(response.json()).rejects.toThrow(SyntaxError)
  })

  test('missing-endpoints: details without credentials by default, or without the modules named', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    const identifiers = async () => {
      const response = await peer.fetch(`${BASE}/2.2.1`, ocpiInit('GET', tokenA))
      const body = (await response.json()) as { data: { endpoints: { identifier: string }[] } }
      return body.data.endpoints.map((e) => e.identifier)
    }
    peer.fail('missing-endpoints', { times: 1 })
    expect(await identifiers()).not.toContain('credentials')
    peer.fail('missing-endpoints', { drop: ['tokens', 'cdrs'], times: 1 })
    expect(await identifiers()).toEqual(['credentials', 'commands', 'locations', 'tariffs', 'sessions'])
  })

  test('401-instead-of-405: a second POST gets 401', async () => {
    const { peer, post } = setup()
    await post(peer.invite())
    peer.fail('401-instead-of-405')
    const again = await post(peer.state.tokenForSdk ?? '')
    expect(again.status).toBe(401)
    const put = await peer.fetch(
      CREDENTIALS,
      ocpiInit('PUT', peer.invite(), { body: credentials('2.2.1', 'x') }),
    )
    expect(put.status).toBe(401)
  })

  test('lost-response: the registration is committed, the caller sees a network error, TOKEN_A is spent', async () => {
    const { peer, tokenB, post } = setup()
    const tokenA = peer.invite()
    peer.fail('lost-response', { on: 'POST credentials', times: 1 })

    await expect(post(tokenA)).rejects.toThrow(TypeError)

    expect(peer.state).toMatchObject({ registered: true, tokenFromSdk: tokenB, invitations: [] })
    expect(peer.exchanges[0]).toMatchObject({ fault: 'lost-response', response: { status: 200 } })
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(401)
    expect((await post(tokenA)).status).toBe(401)
  })

  test('http-401 on a module: 401 with status 2000, the link is kept, no violation', async () => {
    const { peer, post } = setup()
    await post(peer.invite())
    const token = peer.state.tokenForSdk ?? ''
    peer.reset()
    peer.fail('http-401', { on: 'GET tokens', times: 1 })
    const refused = await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token, { headers: ROUTING }))
    expect(refused.status).toBe(401)
    expect(await statusCode(refused)).toBe(2000)
    expect(peer.state.registered).toBe(true)
    expect(
      (await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', token, { headers: ROUTING }))).status,
    ).toBe(200)
    expect(peer.exchanges.map((e) => e.fault)).toEqual(['http-401', null])
    expect(peer.violations).toEqual([])
  })

  test('forgetLink: the mock drops its side; the old token gets 401, a fresh TOKEN_A registers again', async () => {
    const { peer, post } = setup()
    peer.fail('lost-response', { on: 'POST credentials', times: 1 })
    await expect(post(peer.invite())).rejects.toThrow(TypeError)
    expect(peer.state.registered).toBe(true)
    const old = peer.state.tokenForSdk ?? ''
    // Before the admin steps in, a fresh TOKEN_A gets 405: the mock believes the link is up.
    expect((await post(peer.invite())).status).toBe(405)

    peer.forgetLink()

    expect(peer.state).toMatchObject({
      registered: false,
      version: null,
      tokenForSdk: null,
      tokenFromSdk: null,
      sdkVersionsUrl: null,
      sdkEndpoints: [],
    })
    expect(peer.registeredWith).toBeNull()
    expect(await peer.rotate()).toMatchObject({ ok: false, error: expect.stringMatching(/never/) })
    peer.reset()
    const refused = await peer.fetch(`${BASE}/2.2.1/tokens`, ocpiInit('GET', old, { headers: ROUTING }))
    expect(refused.status).toBe(401)
    // The platform was never told: its old token is refused but not held against it.
    expect(peer.violations).toEqual([])
    expect(await statusCode(await post(peer.invite()))).toBe(1000)
    expect(peer.state.registered).toBe(true)
  })

  test('on the mock own callback: send GET versions unreachable makes the POST answer 3001', async () => {
    const { peer, fake, post } = setup()
    peer.fail('unreachable', { on: 'send GET versions' })
    expect(await statusCode(await post(peer.invite()))).toBe(3001)
    expect(fake.calls).toEqual([])
    expect(peer.exchanges[1]).toMatchObject({
      direction: 'outbound',
      target: 'GET versions',
      fault: 'unreachable',
    })
  })

  test('on the mock own PUT: lost-response leaves the platform rotated and the mock not', async () => {
    const { peer, fake } = setup()
    await peer.register({ versionsUrl: fake.versionsUrl, token: fake.invite() })
    const before = peer.state
    peer.fail('lost-response', { on: 'send PUT credentials' })

    const result = await peer.rotate()

    expect(result).toMatchObject({
      ok: false,
      step: 'PUT credentials',
      status: null,
      error: expect.stringMatching(/lost/),
    })
    expect(peer.state.tokenForSdk).toBe(before.tokenForSdk)
    expect(fake.link.token).not.toBe(before.tokenForSdk)
  })

  test('fail() refuses a mode on a target it cannot affect', () => {
    const { peer } = setup()
    expect(() => peer.fail('missing-endpoints', { on: 'POST credentials' })).toThrow(TypeError)
    expect(() => peer.fail('slow', { on: 'send POST credentials' })).toThrow(TypeError)
    expect(() => peer.fail('401-instead-of-405', { on: 'GET versions' })).toThrow(TypeError)
    expect(() => peer.fail('unreachable', { times: 0 })).toThrow(TypeError)
    expect(() => peer.fail('unreachable', { on: 'PUT /credentials' })).not.toThrow()
    expect(() => peer.fail('http-401', { on: 'send GET versions' })).toThrow(TypeError)
  })

  // A fault on a step that does not exist never fires: the test that set it passes for the wrong reason.
  test.each([
    ['GET detail', /"GET detail": no such endpoint.*versions, details, credentials, tokens, commands/],
    ['POST credential', /"POST credential": no such endpoint/],
    ['GET tokenz', /"GET tokenz": no such endpoint.*tokens/],
    ['FETCH versions', /"FETCH versions": the method must be one of GET, POST, PUT, PATCH, DELETE/],
    ['versions', /"versions": the method must be one of/],
    ['send PUT credential', /"send PUT credential": the mock never sends that.*send PUT credentials/],
    ['send GET credentials', /"send GET credentials": the mock never sends that/],
    ['send GET tokens', /"send GET tokens": the mock never sends that/],
  ])('fail() refuses the unknown target %s, naming the valid ones', async (target, message) => {
    const { peer } = setup()
    const fail = () => peer.fail('unreachable', { on: target as MockPeerFaultTarget })
    expect(fail).toThrow(TypeError)
    expect(fail).toThrow(message)
    // Refused whole: the valid target beside it was not switched on either.
    expect(() => peer.fail('unreachable', { on: ['GET versions', target as MockPeerFaultTarget] })).toThrow(
      TypeError,
    )
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', peer.invite()))).status).toBe(200)
  })

  test('fail() refuses an empty target list, a fault that would never fire', () => {
    const { peer } = setup()
    expect(() => peer.fail('unreachable', { on: [] })).toThrow('on is an empty list')
  })

  test('fail() takes every target that exists, written in any case and with a leading slash', async () => {
    const { peer } = setup()
    for (const on of [
      'GET versions',
      'get /details',
      'PUT credentials',
      'PATCH tokens',
      'GET unknown',
      'send GET versions',
      'SEND post credentials',
      'send DELETE credentials',
    ])
      expect(() => peer.fail('unreachable', { on: on as MockPeerFaultTarget })).not.toThrow()
  })

  test('fail() refuses an unknown mode, naming the valid ones', async () => {
    const { peer } = setup()
    const tokenA = peer.invite()
    expect(() => peer.fail('lost-reponse' as MockPeerFaultMode)).toThrow(
      /unknown fault mode "lost-reponse".*lost-response/,
    )
    expect((await peer.fetch(peer.versionsUrl, ocpiInit('GET', tokenA))).status).toBe(200)
  })
})
