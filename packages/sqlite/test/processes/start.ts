// One process of the start races of processes.test.ts: waits for the go file (so that every process
// starts at once), then starts a store on the shared file, migrating it, and prints its outcome as one
// JSON line: "started", or the error's message.
import { existsSync } from 'node:fs'
import { sqliteStore } from '../../src/index.js'

const [path, go] = process.argv.slice(2) as [string, string]
process.stdout.write('ready\n')
const pause = new Int32Array(new SharedArrayBuffer(4))
while (!existsSync(go)) Atomics.wait(pause, 0, 0, 1)

let outcome: string
try {
  sqliteStore({ path, migrate: true, busyTimeoutMs: 20_000 }).close()
  outcome = 'started'
} catch (error) {
  outcome = error instanceof Error ? error.message : String(error)
}
process.stdout.write(`${JSON.stringify([outcome])}\n`)
