// Pinned fixtures shared by the benchmarks: a 2.2.1 peer with 10 endpoints and realistic URLs, and the
// Base64 Authorization header (the slower path: the raw lookup misses first).
export const PEER_BASE = 'https://ocpi.emsp-example-platform.com/ocpi/emsp/2.2.1'
export const ENDPOINTS = [
  ['credentials', 'SENDER'],
  ['locations', 'RECEIVER'],
  ['sessions', 'RECEIVER'],
  ['cdrs', 'RECEIVER'],
  ['tariffs', 'RECEIVER'],
  ['tokens', 'SENDER'],
  ['commands', 'SENDER'],
  ['chargingprofiles', 'SENDER'],
  ['hubclientinfo', 'RECEIVER'],
  ['sessions', 'SENDER'],
].map(([identifier, role]) => ({ identifier, role, url: `${PEER_BASE}/${identifier}/${role.toLowerCase()}` }))

export const SEALING_KEY = new Uint8Array(32).fill(3)
export const OUR_PARTY = {
  role: 'CPO',
  country_code: 'NL',
  party_id: 'CPO',
  business_details: { name: 'Bench CPO' },
}

/** The token peer `i` uses towards us (43 characters, like the ones the SDK issues). */
export function inboundToken(i) {
  return `bench-inbound-${String(i).padStart(8, '0')}-abcdefghijklmnopqrstu`
}
export function outboundToken(i) {
  return `bench-outbound-${String(i).padStart(8, '0')}-abcdefghijklmnopqrst`
}
/**
 * The import of peer `i`, its strings its own, as if parsed from that peer's JSON: records sharing string
 * constants would flatter the store's memory figure.
 */
export function importInput(i) {
  return JSON.parse(JSON.stringify(sharedImportInput(i)))
}

function sharedImportInput(i) {
  return {
    versionsUrl: 'https://ocpi.emsp-example-platform.com/ocpi/emsp/versions',
    version: '2.2.1',
    inboundToken: inboundToken(i),
    outboundToken: outboundToken(i),
    parties: [{ role: 'EMSP', country_code: 'DE', party_id: `E${String(i % 100).padStart(2, '0')}` }],
    endpoints: ENDPOINTS,
  }
}
export const base64Header = (token) => `Token ${Buffer.from(token).toString('base64')}`

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
