import { describe, expect, it } from 'vitest'
import { classifyIpLiteral, parseIpv6 } from './ip-address.js'
import { checkPeerUrl, normalizeAllowedHost, type UrlPolicy } from './url-policy.js'

const INSECURE: UrlPolicy = { allowInsecure: true }

function reasonOf(raw: string, policy?: UrlPolicy): string {
  const result = checkPeerUrl(raw, policy)
  if (result.ok) throw new Error(`expected ${raw} to be refused, got ${result.url.href}`)
  return result.reason
}

describe('checkPeerUrl: refused by default', () => {
  // [url, what the reason must say]
  const refused: readonly (readonly [string, RegExp])[] = [
    // not an absolute URL
    ['not a url', /not a valid absolute URL/],
    ['/ocpi/versions', /not a valid absolute URL/],
    ['peer.example.com/ocpi/versions', /not a valid absolute URL/],
    ['', /not a valid absolute URL/],
    // scheme
    ['ftp://peer.example.com/versions', /scheme "ftp:".*only https/],
    ['file:///etc/passwd', /scheme "file:"/],
    ['javascript:alert(1)', /scheme "javascript:"/],
    ['ws://peer.example.com/', /scheme "ws:"/],
    ['http://peer.example.com/ocpi/versions', /refused http:\/\/peer\.example\.com: only https/],
    // credentials
    ['https://user:pass@peer.example.com/', /must not carry credentials/],
    ['https://user@peer.example.com/', /must not carry credentials/],
    ['https://:pass@peer.example.com/', /must not carry credentials/],
    // localhost names
    ['https://localhost/', /localhost/],
    ['https://LOCALHOST:8443/', /refused https:\/\/localhost:8443: localhost/],
    ['https://localhost./', /localhost/],
    ['https://api.localhost/', /localhost/],
    // IPv4 loopback, unspecified
    ['https://127.0.0.1/', /loopback address \(127\.0\.0\.0\/8/],
    ['https://127.255.255.254/', /loopback/],
    ['https://0.0.0.0/', /unspecified.*0\.0\.0\.0\/8/],
    ['https://0.1.2.3/', /unspecified/],
    // IPv4 private, link-local, CGNAT
    ['https://10.0.0.1/', /private address \(10\.0\.0\.0\/8\)/],
    ['https://172.16.0.1/', /private address \(172\.16\.0\.0\/12\)/],
    ['https://172.31.255.255/', /private address \(172\.16\.0\.0\/12\)/],
    ['https://192.168.1.1/', /private address \(192\.168\.0\.0\/16\)/],
    ['https://169.254.169.254/latest/meta-data', /link-local address \(169\.254\.0\.0\/16\)/],
    ['https://100.64.0.1/', /CGNAT.*100\.64\.0\.0\/10/],
    ['https://100.127.255.255/', /CGNAT/],
    // IPv4 multicast, broadcast, reserved
    ['https://224.0.0.1/', /multicast address \(224\.0\.0\.0\/4\)/],
    ['https://239.255.255.250/', /multicast/],
    ['https://240.0.0.1/', /reserved.*240\.0\.0\.0\/4/],
    ['https://255.255.255.255/', /broadcast/],
    ['https://192.0.2.10/', /documentation/],
    // IPv4 in odd notations, normalized by the WHATWG parser
    ['https://0x7f.1/', /refused https:\/\/127\.0\.0\.1: the host is a loopback/],
    ['https://2130706433/', /refused https:\/\/127\.0\.0\.1:/],
    ['https://0177.0.0.1/', /refused https:\/\/127\.0\.0\.1:/],
    ['https://127.1/', /refused https:\/\/127\.0\.0\.1:/],
    ['https://0x7f000001/', /refused https:\/\/127\.0\.0\.1:/],
    ['https://3232235777/', /refused https:\/\/192\.168\.1\.1:.*private/],
    ['https://10.1/', /refused https:\/\/10\.0\.0\.1:.*private/],
    ['https://127.0.0.1./', /loopback/],
    // IPv6
    ['https://[::1]/', /loopback address \(::1\/128/],
    ['https://[0:0:0:0:0:0:0:1]/', /loopback/],
    ['https://[::]/', /unspecified address \(::\/128\)/],
    ['https://[fc00::1]/', /private \(unique local\) address \(fc00::\/7\)/],
    ['https://[fd12:3456:789a::1]/', /fc00::\/7/],
    ['https://[fe80::1]/', /link-local address \(fe80::\/10\)/],
    ['https://[febf:ffff::1]/', /fe80::\/10/],
    ['https://[ff02::1]/', /multicast/],
    ['https://[fec0::1]/', /site-local/],
    // IPv4-mapped and -compatible IPv6, in every spelling
    ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['https://[::ffff:7f00:1]/', /IPv4-mapped/],
    ['https://[0:0:0:0:0:ffff:a00:1]/', /IPv4-mapped/],
    ['https://[::ffff:8.8.8.8]/', /IPv4-mapped/],
    ['https://[::127.0.0.1]/', /IPv4-compatible/],
    ['https://[::ffff:0:7f00:1]/', /IPv4-translated/],
    // NAT64, 6to4, outside global unicast
    ['https://[64:ff9b::7f00:1]/', /NAT64.*64:ff9b::\/96/],
    ['https://[64:ff9b::8.8.8.8]/', /NAT64/],
    ['https://[2002:7f00:1::1]/', /6to4/],
    ['https://[2002:c0a8:101::1]/', /6to4/],
    ['https://[2001:db8::1]/', /documentation/],
    ['https://[3fff::1]/', /documentation.*3fff::\/20/],
    ['https://[3fff:fff:ffff::1]/', /documentation/],
    ['https://[2001::1]/', /Teredo/],
    ['https://[4000::1]/', /outside global unicast/],
  ]
  for (const [raw, reason] of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      expect(reasonOf(raw)).toMatch(reason)
    })
  }
})

describe('checkPeerUrl: accepted by default', () => {
  const accepted: readonly (readonly [string, string])[] = [
    ['https://peer.example.com/ocpi/versions', 'https://peer.example.com/ocpi/versions'],
    ['HTTPS://PEER.Example.COM:8443/ocpi/versions?x=1', 'https://peer.example.com:8443/ocpi/versions?x=1'],
    ['https://8.8.8.8/ocpi', 'https://8.8.8.8/ocpi'],
    ['https://172.32.0.1/', 'https://172.32.0.1/'],
    ['https://172.15.255.255/', 'https://172.15.255.255/'],
    ['https://100.128.0.1/', 'https://100.128.0.1/'],
    ['https://169.255.0.1/', 'https://169.255.0.1/'],
    ['https://223.255.255.255/', 'https://223.255.255.255/'],
    ['https://[2001:4860:4860::8888]/', 'https://[2001:4860:4860::8888]/'],
    ['https://[2002:808:808::1]/', 'https://[2002:808:808::1]/'],
    ['https://[3fff:1000::1]/', 'https://[3fff:1000::1]/'], // just past the documentation /20
    ['https://localhost.example.com/', 'https://localhost.example.com/'],
    ['https://mylocalhost/', 'https://mylocalhost/'],
  ]
  for (const [raw, href] of accepted) {
    it(`accepts ${raw}`, () => {
      const result = checkPeerUrl(raw)
      expect(result.ok).toBe(true)
      if (result.ok) expect(result.url.href).toBe(href)
    })
  }
})

describe('checkPeerUrl: allowInsecure', () => {
  for (const raw of [
    'http://127.0.0.1:3000/ocpi/versions',
    'http://127.8.9.10/',
    'http://localhost:8080/',
    'http://api.localhost/',
    'http://[::1]:3000/',
    'http://0x7f.1/',
    'http://peer.example.com/',
    'https://127.0.0.1/',
  ]) {
    it(`accepts ${raw}`, () => {
      expect(checkPeerUrl(raw, INSECURE).ok).toBe(true)
    })
  }
  const refused: readonly (readonly [string, RegExp])[] = [
    ['http://10.0.0.1/', /private/],
    ['http://192.168.0.10:8080/', /private/],
    ['http://169.254.169.254/', /link-local/],
    ['http://100.64.1.1/', /CGNAT/],
    ['http://0.0.0.0:3000/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['http://[64:ff9b::7f00:1]/', /NAT64/],
    ['ftp://127.0.0.1/', /scheme "ftp:"/],
    ['http://user:pw@localhost/', /credentials/],
  ]
  for (const [raw, reason] of refused) {
    it(`still refuses ${raw}`, () => {
      expect(reasonOf(raw, INSECURE)).toMatch(reason)
    })
  }
})

describe('checkPeerUrl: allowHosts', () => {
  const cases: readonly (readonly [string, readonly string[], boolean])[] = [
    ['https://10.0.0.5/ocpi', ['10.0.0.5'], true],
    ['https://10.0.0.6/ocpi', ['10.0.0.5'], false],
    ['https://[fd00::5]/', ['fd00::5'], true],
    ['https://[fd00::5]/', ['[FD00::5]'], true],
    ['https://[fd00::5]/', ['fd00:0:0:0:0:0:0:5'], true],
    ['https://[fd00::6]/', ['fd00::5'], false],
    ['https://Internal.LOCALHOST/', ['internal.localhost'], true],
    ['https://localhost/', ['internal.localhost'], false],
    ['https://ocpi.intranet.example/', ['OCPI.Intranet.Example'], true],
    ['https://127.0.0.1/', ['localhost'], false],
    ['https://10.0.0.5:8443/', ['10.0.0.5:8443'], false],
  ]
  for (const [raw, allowHosts, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${raw} with allowHosts ${JSON.stringify(allowHosts)}`, () => {
      expect(checkPeerUrl(raw, { allowHosts }).ok).toBe(ok)
    })
  }

  it('keeps the https rule for allow-listed hosts unless allowInsecure', () => {
    expect(reasonOf('http://10.0.0.5/', { allowHosts: ['10.0.0.5'] })).toMatch(/only https/)
    expect(checkPeerUrl('http://10.0.0.5/', { allowHosts: ['10.0.0.5'], allowInsecure: true }).ok).toBe(true)
  })

  it('keeps the no-credentials rule for allow-listed hosts', () => {
    expect(reasonOf('https://u:p@10.0.0.5/', { allowHosts: ['10.0.0.5'] })).toMatch(/credentials/)
  })
})

describe('checkPeerUrl: reasons never reveal path, query or credentials', () => {
  it('names the origin only', () => {
    const reason = reasonOf('https://10.0.0.1:8443/secret-path/x?token=s3cr3t#frag')
    expect(reason).toContain('https://10.0.0.1:8443')
    expect(reason).not.toMatch(/secret-path|s3cr3t|token=|frag/)
  })

  it('does not echo credentials', () => {
    const reason = reasonOf('https://alice:hunter2secret@peer.example.com/x')
    expect(reason).not.toMatch(/alice|hunter2secret/)
    expect(reason).toContain('https://peer.example.com')
  })

  it('does not echo an unparseable URL', () => {
    expect(reasonOf('ht tp://peer/?token=s3cr3t')).not.toContain('s3cr3t')
  })

  it('does not echo a non-http URL', () => {
    expect(reasonOf('ftp://user:s3cr3t@peer.example.com/path?q=s3cr3t')).not.toMatch(/s3cr3t|peer|path/)
  })
})

describe('normalizeAllowedHost', () => {
  const cases: readonly (readonly [string, string | null])[] = [
    ['Peer.Example.com', 'peer.example.com'],
    ['10.0.0.5', '10.0.0.5'],
    ['FD00:0:0:0:0:0:0:5', '[fd00::5]'],
    ['[::1]', '[::1]'],
    ['peer.example.com:8443', null],
    ['https://peer.example.com', null],
    ['peer.example.com/path', null],
    ['user@peer.example.com', null],
    ['', null],
  ]
  for (const [entry, expected] of cases) {
    it(`normalizes ${JSON.stringify(entry)} to ${JSON.stringify(expected)}`, () => {
      expect(normalizeAllowedHost(entry)).toBe(expected)
    })
  }
})

describe('ip-address parsing', () => {
  it('parses IPv6 in every spelling to the same value', () => {
    const expected = parseIpv6('::ffff:7f00:1')
    expect(expected).toBe(0xffff7f000001n)
    expect(parseIpv6('[::ffff:127.0.0.1]')).toBe(expected)
    expect(parseIpv6('0:0:0:0:0:ffff:7f00:1')).toBe(expected)
  })

  it('rejects malformed IPv6', () => {
    for (const bad of [
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'g::1',
      '1.2.3.4::',
      '::1.2.3',
    ]) {
      expect(parseIpv6(bad), bad).toBeNull()
    }
  })

  it('does not classify DNS names', () => {
    expect(classifyIpLiteral('peer.example.com')).toBeNull()
  })
})
