// Lookup scale (authenticate with 100,000 peers vs 10) and memory (heap per peer in memoryStore vs the
// same data as plain objects).
import { createMemoryBacking, createOcpi, memoryStore } from '@ocpi-credentials/core'
import { base64Header, importInput, inboundToken, median, OUR_PARTY, SEALING_KEY } from './fixtures.mjs'

const gc = () => {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
  for (let i = 0; i < 3; i++) globalThis.gc()
}

async function populate(count) {
  const backing = createMemoryBacking()
  const ocpi = createOcpi({
    baseUrl: 'https://cpo.example.com/ocpi',
    parties: [OUR_PARTY],
    versions: ['2.2.1'],
    modules: [{ id: 'locations', role: 'SENDER' }],
    store: memoryStore({ backing }),
    sealingKeys: [{ kid: 'bench', key: SEALING_KEY }],
    // The lookup itself is measured (digests and the store), not the per-process authentication cache.
    authCacheTtlMs: 0,
  })
  const batch = 500
  for (let start = 0; start < count; start += batch) {
    const jobs = []
    for (let i = start; i < Math.min(count, start + batch); i++) jobs.push(ocpi.importPeer(importInput(i)))
    await Promise.all(jobs)
  }
  return { ocpi, backing }
}

function requestsFor(count) {
  return Array.from({ length: 64 }, (_, k) => {
    const i = Math.floor(((k + 1) * count) / 65)
    return new Request('https://cpo.example.com/ocpi/2.2.1/locations', {
      headers: { authorization: base64Header(inboundToken(i)) },
    })
  })
}

async function authenticateTimes(ocpi, requests, samples, times) {
  for (let k = 0; k < samples; k++) {
    const started = performance.now()
    const result = await ocpi.authenticate(requests[k % requests.length], { module: 'locations' })
    times?.push(performance.now() - started)
    if (!result.ok) throw new Error('bench: authentication failed')
  }
}

// Both sizes are measured in alternating rounds, in alternating order: whichever is measured later runs
// on a warmer JIT, which alone moved the ratio from 0.7 to 1.4 when each size was measured in one go.
export async function lookupScale() {
  const sizes = [
    { count: 10, times: [] },
    { count: 100_000, times: [] },
  ]
  for (const size of sizes) {
    size.ocpi = (await populate(size.count)).ocpi
    size.requests = requestsFor(size.count)
  }
  for (let round = 0; round < 4; round++)
    for (const size of sizes) await authenticateTimes(size.ocpi, size.requests, 1_000)
  for (let round = 0; round < 20; round++) {
    const order = round % 2 === 0 ? sizes : [...sizes].reverse()
    for (const size of order) await authenticateTimes(size.ocpi, size.requests, 1_000, size.times)
  }
  const [small, large] = sizes.map((size) => median(size.times))
  return {
    ratio: large / small,
    medianMicros10: small * 1000,
    medianMicros100k: large * 1000,
  }
}

export async function memoryPerPeer() {
  const count = 100_000
  gc()
  const before = process.memoryUsage().heapUsed
  const { backing, ocpi } = await populate(count)
  gc()
  const storeBytes = process.memoryUsage().heapUsed - before
  // The same peer data as plain objects: each record and token record cloned out of the store.
  const plain = {
    peers: [...backing.peers.values()].map((p) => structuredClone(p)),
    tokens: [...backing.tokens.values()].map((t) => structuredClone(t)),
  }
  gc()
  const withPlain = process.memoryUsage().heapUsed
  const plainBytes = withPlain - before - storeBytes
  void ocpi
  void plain.peers.length
  return {
    ratio: storeBytes / plainBytes,
    bytesPerPeer: storeBytes / count,
    plainBytesPerPeer: plainBytes / count,
  }
}
