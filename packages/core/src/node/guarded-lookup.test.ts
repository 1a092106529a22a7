// The address rules of the Node transport, without any network: the URL policy applied to DNS answers,
// and the `lookup` that applies it for node:net, node:http(s) and undici.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { OcpiError } from '../errors.js'
import type { UrlPolicy } from '../transport/url-policy.js'
import { createGuardedLookup } from './guarded-lookup.js'
import type { NodeLookup } from './options.js'
import { checkResolvedAddresses } from './resolved-address.js'

const PUBLIC_V4 = '93.184.216.34'
const PUBLIC_V6 = '2606:2800:220:1:248:1893:25c8:1946'

/** A lookup that answers every name with these addresses. */
function answers(...addresses: string[]): NodeLookup {
  return async () => addresses.map((address) => ({ address, family: net.isIP(address) }))
}

describe('checkResolvedAddresses: the URL policy on DNS answers', () => {
  it.each([
    ['127.0.0.1', 'a loopback address (127.0.0.0/8; allowInsecure permits it)'],
    ['::1', 'a loopback address (::1/128; allowInsecure permits it)'],
    ['10.0.0.1', 'a private address (10.0.0.0/8)'],
    ['192.168.1.10', 'a private address (192.168.0.0/16)'],
    ['169.254.169.254', 'a link-local address (169.254.0.0/16)'],
    ['100.64.0.1', 'a shared address space (CGNAT) address (100.64.0.0/10)'],
    ['0.0.0.0', 'an unspecified ("this network") address (0.0.0.0/8)'],
    ['224.0.0.1', 'a multicast address (224.0.0.0/4)'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped address (::ffff:0:0/96)'],
    ['64:ff9b::a00:1', 'a NAT64 (embeds an IPv4 address) address (64:ff9b::/96)'],
    ['fd00::1', 'a private (unique local) address (fc00::/7)'],
    ['fe80::1', 'a link-local address (fe80::/10)'],
  ])('refuses a name resolving to %s', (address, what) => {
    const family = net.isIP(address)
    expect(checkResolvedAddresses('peer.example.com', [{ address, family }], {})).toEqual({
      ok: false,
      reason: `the name resolves to ${what}`,
    })
  })

  it('accepts public answers, IPv4 and IPv6', () => {
    const public_ = [
      { address: PUBLIC_V4, family: 4 },
      { address: PUBLIC_V6, family: 6 },
    ]
    expect(checkResolvedAddresses('peer.example.com', public_, {})).toEqual({ ok: true })
  })

  it('refuses a name when any answer is refused (a fallback to the next answer must not reach it)', () => {
    const mixed = [
      { address: PUBLIC_V4, family: 4 },
      { address: '10.1.2.3', family: 4 },
    ]
    expect(checkResolvedAddresses('peer.example.com', mixed, {})).toMatchObject({ ok: false })
  })

  it('refuses no answer, and an answer that is not an IP address', () => {
    expect(checkResolvedAddresses('peer.example.com', [], {})).toMatchObject({ ok: false })
    const bogus = [{ address: 'peer.example.com', family: 4 }]
    expect(checkResolvedAddresses('peer.example.com', bogus, {})).toMatchObject({ ok: false })
    const zoned = [{ address: 'fe80::1%eth0', family: 6 }]
    expect(checkResolvedAddresses('peer.example.com', zoned, {})).toMatchObject({ ok: false })
  })

  it('allowInsecure lets loopback answers through, and nothing else special', () => {
    const policy: UrlPolicy = { allowInsecure: true }
    for (const address of ['127.0.0.1', '127.8.9.10', '::1']) {
      const answer = [{ address, family: net.isIP(address) }]
      expect(checkResolvedAddresses('peer.example.com', answer, policy)).toEqual({ ok: true })
    }
    for (const address of ['10.0.0.1', '::ffff:127.0.0.1', '0.0.0.0', '169.254.169.254']) {
      const answer = [{ address, family: net.isIP(address) }]
      expect(checkResolvedAddresses('peer.example.com', answer, policy)).toMatchObject({ ok: false })
    }
  })

  it('a host in allowHosts may resolve anywhere (matched case-insensitively); other hosts may not', () => {
    const policy: UrlPolicy = { allowHosts: ['Ocpi.Internal.Example'] }
    const private_ = [{ address: '10.0.0.5', family: 4 }]
    expect(checkResolvedAddresses('ocpi.internal.example', private_, policy)).toEqual({ ok: true })
    expect(checkResolvedAddresses('peer.example.com', private_, policy)).toMatchObject({ ok: false })
  })
})

describe('createGuardedLookup', () => {
  const call = (lookup: net.LookupFunction, options: Parameters<net.LookupFunction>[1]) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup('peer.example.com', options, (error, address, family) =>
        resolve(family === undefined ? { error, address } : { error, address, family }),
      ),
    )

  it('hands the socket the answers that passed, all of them or the first of the family asked for', async () => {
    const lookup = createGuardedLookup({ lookup: answers(PUBLIC_V6, PUBLIC_V4) })
    expect(await call(lookup, { all: true })).toEqual({
      error: null,
      address: [
        { address: PUBLIC_V6, family: 6 },
        { address: PUBLIC_V4, family: 4 },
      ],
    })
    expect(await call(lookup, { family: 4 })).toEqual({ error: null, address: PUBLIC_V4, family: 4 })
    expect(await call(lookup, {})).toEqual({ error: null, address: PUBLIC_V6, family: 6 })
  })

  it('fails with ERR_OCPI_URL_REFUSED naming the host and the range, never the address', async () => {
    const { error } = await call(createGuardedLookup({ lookup: answers('10.20.30.40') }), { all: true })
    expect(error).toBeInstanceOf(OcpiError)
    expect(error).toMatchObject({
      code: 'ERR_OCPI_URL_REFUSED',
      message: 'refused peer.example.com: the name resolves to a private address (10.0.0.0/8)',
    })
  })

  it("passes the resolver's own errors through", async () => {
    const failing: NodeLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND peer.example.com'), { code: 'ENOTFOUND' })
    }
    const { error } = await call(createGuardedLookup({ lookup: failing }), { all: true })
    expect(error).toMatchObject({ code: 'ENOTFOUND' })
  })

  it('answers ENOTFOUND when no answer is of the family asked for', async () => {
    const { error } = await call(createGuardedLookup({ lookup: answers(PUBLIC_V4) }), { family: 6 })
    expect(error).toMatchObject({ code: 'ENOTFOUND' })
  })

  it('checks its options at creation', () => {
    expect(() => createGuardedLookup({ urlPolicy: { allowHosts: ['peer.example.com:443'] } })).toThrow(
      /allowHosts entries must be bare hostnames/,
    )
  })
})
