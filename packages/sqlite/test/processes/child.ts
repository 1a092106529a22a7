// One process of processes.test.ts: opens the store on the shared file, says "ready", waits for the
// go file (so that every process starts its attempts at once), runs its task and prints the answers
// as one JSON line.
import { existsSync } from 'node:fs'
import type { CommitToken, ConsumeInvitation, PeerRecord } from '@ocpi-credentials/core'
import { sqliteStore } from '../../src/index.js'

export type Task =
  | { readonly kind: 'consumeInvitation'; readonly args: ConsumeInvitation }
  | { readonly kind: 'commitToken'; readonly args: CommitToken }
  | { readonly kind: 'increment'; readonly peerId: string; readonly rounds: number }

const [path, go, json] = process.argv.slice(2) as [string, string, string]
const task = JSON.parse(json) as Task
const store = sqliteStore({ path, busyTimeoutMs: 20_000 })
process.stdout.write('ready\n')
const pause = new Int32Array(new SharedArrayBuffer(4))
while (!existsSync(go)) Atomics.wait(pause, 0, 0, 1)

let answers: unknown[]
switch (task.kind) {
  case 'consumeInvitation':
    answers = [await store.consumeInvitation(task.args)]
    break
  case 'commitToken':
    answers = [await store.commitToken(task.args)]
    break
  case 'increment': {
    // Read, then compare-and-swap: a swap that lost to another process answers null and is not counted.
    answers = []
    for (let round = 0; round < task.rounds; round++) {
      const peer = (await store.getPeer(task.peerId)) as PeerRecord
      const next = { ...peer, updatedAt: peer.updatedAt + 1 }
      answers.push((await store.casPeer(task.peerId, peer.revision, next)) !== null)
    }
    break
  }
}
store.close()
process.stdout.write(`${JSON.stringify(answers)}\n`)
