// pnpm bench: measures side by side in one run and prints one JSON object of ratios (with the raw
// figures next to them). Targets: authOverhead ≥ 0.95, lookupScale ≤ 1.2, handshake ≤ 1.5, memory ≤ 1.5
// (issue 4); postgresStore ≥ 0.9 (issue 5: needs the PostgreSQL server, OCPI_BENCH_DATABASE_URL).
// Progress goes to stderr; stdout carries only the JSON. Names as arguments run a subset;
// BENCH_FRAMEWORKS=express (or hono) limits authOverhead to one binding. See docs/benchmarks.md.
import { lookupScale, memoryPerPeer } from './lookup-and-memory.mjs'

const only = process.argv.slice(2)
const want = (name) => only.length === 0 || only.includes(name)
const results = {}
const step = async (name, fn) => {
  if (!want(name)) return
  process.stderr.write(`bench: ${name}…\n`)
  results[name] = await fn()
}

await step('lookupScale', lookupScale)
await step('memory', memoryPerPeer)
try {
  const { authOverhead, handshake, postgresStore } = await import('./http-benches.mjs')
  await step('authOverhead', authOverhead)
  await step('handshake', handshake)
  await step('postgresStore', postgresStore)
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
}

const targets = {
  authOverhead: ['>=', 0.95],
  lookupScale: ['<=', 1.2],
  handshake: ['<=', 1.5],
  memory: ['<=', 1.5],
  postgresStore: ['>=', 0.9],
}
for (const [name, result] of Object.entries(results)) {
  const [op, target] = targets[name]
  result.target = `${op} ${target}`
  result.met = op === '>=' ? result.ratio >= target : result.ratio <= target
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
