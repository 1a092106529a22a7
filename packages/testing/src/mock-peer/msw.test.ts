import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { createMockPeer } from './create-mock-peer.js'
import { createFakePlatform, credentials, ocpiInit } from './fake-platform.js'

const BASE = 'https://emsp.example.com/ocpi'
const fake = createFakePlatform()
// No `fetch` option: the mock calls the platform through globalThis.fetch, which msw intercepts.
const peer = createMockPeer({ baseUrl: BASE })
const server = setupServer(
  ...peer.handlers,
  http.all('https://sdk.test/*', ({ request }) => fake.handle(request)),
  http.all('https://down.test/*', () => HttpResponse.error()),
)

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterEach(() => peer.heal())
afterAll(() => server.close())

describe('the mock behind msw', () => {
  test('a registration over (intercepted) HTTP, callback discovery included', async () => {
    const tokenB = `sdk-b-${crypto.randomUUID()}`
    fake.accepted.add(tokenB)
    const response = await fetch(
      `${BASE}/2.2.1/credentials`,
      ocpiInit('POST', peer.invite(), { body: credentials('2.2.1', tokenB) }),
    )
    expect(await response.json()).toMatchObject({
      status_code: 1000,
      data: { token: peer.state.tokenForSdk },
    })
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /versions', 'GET /2.2.1'])
    expect(peer.violations).toEqual([])
  })

  test('unreachable is a network error for a real fetch', async () => {
    peer.fail('unreachable', { on: 'GET versions' })
    await expect(fetch(peer.versionsUrl, ocpiInit('GET', peer.invite()))).rejects.toThrow(TypeError)
  })

  test('slow holds the request until the client aborts it', async () => {
    peer.fail('slow', { on: 'GET versions' })
    const controller = new AbortController()
    const pending = fetch(peer.versionsUrl, { ...ocpiInit('GET', peer.invite()), signal: controller.signal })
    await vi.waitFor(() => expect(peer.exchanges.at(-1)?.fault).toBe('slow'))
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    // The held resolver saw the abort too: released, not processed.
    await vi.waitFor(() => expect(peer.exchanges.at(-1)?.error).toMatch(/aborted/))
  })

  test('an unreachable platform makes the mock answer 3001', async () => {
    const down = createMockPeer({ baseUrl: 'https://other.example.com/ocpi' })
    server.use(...down.handlers)
    const body = { ...credentials('2.2.1', 'sdk-b-x'), url: 'https://down.test/ocpi/versions' }
    const response = await fetch(
      'https://other.example.com/ocpi/2.2.1/credentials',
      ocpiInit('POST', down.invite(), { body }),
    )
    expect(await response.json()).toMatchObject({ status_code: 3001 })
    expect(down.exchanges[1]?.error).toMatch(/network error/)
  })

  test('a baseUrl written in another form (upper-case host, default port) is intercepted all the same', async () => {
    const other = createMockPeer({ baseUrl: 'https://Other.Example.com:443/ocpi/' })
    server.use(...other.handlers)
    expect(other.versionsUrl).toBe('https://other.example.com/ocpi/versions')
    expect((await fetch(other.versionsUrl, ocpiInit('GET', other.invite()))).status).toBe(200)
    expect(other.violations).toEqual([])
  })
})
