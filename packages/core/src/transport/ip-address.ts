// IP literal parsing and classification for the URL policy. Pure: no DNS, no platform APIs beyond BigInt.

/**
 * What an IP literal is, as far as a peer URL is concerned: a public address, a loopback address
 * (allowed in development), or a special-purpose address that is never a legitimate peer.
 *
 * @example
 * ```ts
 * const kind: AddressClass = classifyIpLiteral('10.0.0.1') ?? { kind: 'public' }
 * if (kind.kind === 'special') console.log(kind.label, kind.range) // 'private' '10.0.0.0/8'
 * ```
 */
export type AddressClass =
  | { readonly kind: 'public' }
  | { readonly kind: 'loopback'; readonly range: string }
  | { readonly kind: 'special'; readonly label: string; readonly range: string }

interface Range {
  readonly cidr: string
  readonly base: bigint
  readonly bits: number
  readonly label: string
}

const IPV4_DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/**
 * Parses a dotted-decimal IPv4 address (the form the WHATWG URL parser normalizes every IPv4 host to)
 * into a 32-bit number, or `null`.
 *
 * @example
 * ```ts
 * parseIpv4('127.0.0.1') // 2130706433n
 * parseIpv4('peer.example.com') // null
 * ```
 */
export function parseIpv4(text: string): bigint | null {
  const match = IPV4_DOTTED.exec(text)
  if (match === null) return null
  let value = 0n
  for (const part of match.slice(1)) {
    const octet = Number(part)
    if (octet > 255) return null
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

/**
 * Parses an IPv6 address, with or without brackets, compressed (`::`) or not, with or without a
 * trailing dotted IPv4 part, into a 128-bit number, or `null`. Zone identifiers are not accepted.
 *
 * @example
 * ```ts
 * parseIpv6('[::1]') // 1n
 * parseIpv6('::ffff:127.0.0.1') === parseIpv6('::ffff:7f00:1') // true
 * ```
 */
export function parseIpv6(text: string): bigint | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const halves = bare.split('::')
  if (halves.length > 2) return null
  const head = parseGroups(halves[0] ?? '')
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : { groups: [], embedsIpv4: false }
  if (head === null || tail === null) return null
  // A dotted IPv4 part may only end the address.
  if (halves.length === 2 && head.embedsIpv4) return null
  const count = head.groups.length + tail.groups.length
  if (halves.length === 1 ? count !== 8 : count > 7) return null
  const groups = [...head.groups, ...new Array<number>(8 - count).fill(0), ...tail.groups]
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n)
}

function parseGroups(text: string): { groups: number[]; embedsIpv4: boolean } | null {
  if (text === '') return { groups: [], embedsIpv4: false }
  const parts = text.split(':')
  const groups: number[] = []
  let embedsIpv4 = false
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part)
      if (v4 === null) return null
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      embedsIpv4 = true
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16))
    } else {
      return null
    }
  }
  return { groups, embedsIpv4 }
}

function range(width: 32 | 128, cidr: string, label: string): Range {
  const [address = '', bits = ''] = cidr.split('/')
  const base = width === 32 ? parseIpv4(address) : parseIpv6(address)
  if (base === null) throw new Error(`bad range ${cidr}`)
  return { cidr, base, bits: Number(bits), label }
}

function ranges(width: 32 | 128, table: readonly (readonly [string, string])[]): Range[] {
  return table.map(([cidr, label]) => range(width, cidr, label))
}

function inRange(value: bigint, width: 32 | 128, range: Range): boolean {
  const shift = BigInt(width - range.bits)
  return value >> shift === range.base >> shift
}

const LOOPBACK = 'loopback'

// Order matters: the first matching range names the refusal.
const IPV4_RANGES = ranges(32, [
  ['127.0.0.0/8', LOOPBACK],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['169.254.0.0/16', 'link-local'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'reserved for documentation'],
  ['198.51.100.0/24', 'reserved for documentation'],
  ['203.0.113.0/24', 'reserved for documentation'],
  ['198.18.0.0/15', 'reserved for benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (including broadcast)'],
])

const IPV6_RANGES = ranges(128, [
  ['::1/128', LOOPBACK],
  ['::/128', 'unspecified'],
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['::ffff:0:0:0/96', 'IPv4-translated'],
  ['::/96', 'IPv4-compatible'],
  ['64:ff9b::/96', 'NAT64 (embeds an IPv4 address)'],
  ['64:ff9b:1::/48', 'NAT64 for local use'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'reserved for documentation'],
  ['3fff::/20', 'reserved for documentation (RFC 9637)'],
  ['2001::/23', 'reserved (IETF protocol assignments, Teredo)'],
  ['fc00::/7', 'private (unique local)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
])

const SIX_TO_FOUR = range(128, '2002::/16', '6to4')
const GLOBAL_UNICAST = range(128, '2000::/3', 'global unicast')

function classify(value: bigint, width: 32 | 128, table: readonly Range[]): AddressClass | null {
  for (const range of table) {
    if (!inRange(value, width, range)) continue
    return range.label === LOOPBACK
      ? { kind: 'loopback', range: range.cidr }
      : { kind: 'special', label: range.label, range: range.cidr }
  }
  return null
}

/**
 * Classifies a URL hostname if it is an IP literal: dotted-decimal IPv4 (as `new URL` normalizes it)
 * or bracketed IPv6. Returns `null` for anything else (a DNS name). IPv6 literals outside global
 * unicast (`2000::/3`) and 6to4 addresses embedding a non-public IPv4 address are special too.
 *
 * @example
 * ```ts
 * classifyIpLiteral(new URL('http://0x7f.1/').hostname) // { kind: 'loopback', range: '127.0.0.0/8' }
 * classifyIpLiteral('[2001:4860:4860::8888]') // { kind: 'public' }
 * classifyIpLiteral('peer.example.com') // null
 * ```
 */
export function classifyIpLiteral(hostname: string): AddressClass | null {
  const v4 = parseIpv4(hostname)
  if (v4 !== null) return classify(v4, 32, IPV4_RANGES) ?? { kind: 'public' }
  if (!hostname.startsWith('[')) return null
  const v6 = parseIpv6(hostname)
  if (v6 === null) return null
  const special = classify(v6, 128, IPV6_RANGES)
  if (special !== null) return special
  if (inRange(v6, 128, SIX_TO_FOUR)) {
    const embedded = (v6 >> 80n) & 0xffffffffn
    if (classify(embedded, 32, IPV4_RANGES) !== null)
      return { kind: 'special', label: '6to4 embedding a non-public IPv4 address', range: '2002::/16' }
  }
  if (!inRange(v6, 128, GLOBAL_UNICAST)) {
    return { kind: 'special', label: 'reserved (outside global unicast)', range: '2000::/3' }
  }
  return { kind: 'public' }
}
