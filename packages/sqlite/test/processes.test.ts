// Atomicity across processes: several Node processes, each with its own connection to one database
// file, race on the same operation at the same moment. SQLite's locks, taken up front by BEGIN
// IMMEDIATE, are all that stands between them: exactly one wins, and no update is lost.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import type { PeerRecord, TokenDigest, TokenRecord } from '@ocpi-credentials/core'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { migrationScript, migrations, sqliteStore } from '../src/index.js'
import type { Task } from './processes/child.js'

const PROCESSES = 6
/** The racing processes run the TypeScript sources with Node's type stripping (Node ≥ 22.18 / 23.6). */
const strips = Boolean(process.features.typescript)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const T0 = 1_700_000_000_000

let directory: string
let path: string
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-processes-'))
  path = join(directory, 'ocpi.db')
})
afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

/**
 * Starts one process per task, lets them all go at once, and answers what each one answered. `script`
 * is `child.ts` (store operations, on a store opened before the start) or `start.ts` (the start itself).
 */
async function race(
  tasks: readonly (Task | { readonly kind: 'start' })[],
  script = './processes/child.ts',
): Promise<unknown[][]> {
  const go = join(directory, 'go')
  const children = tasks.map((task) =>
    spawn(
      process.execPath,
      ['--import', here('./processes/register.mjs'), here(script), path, go, JSON.stringify(task)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  )
  const outputs = children.map((child) => collect(child))
  await Promise.all(outputs.map((output) => output.ready))
  writeFileSync(go, '')
  return Promise.all(outputs.map(async (output) => JSON.parse(await output.answers) as unknown[]))
}

function collect(child: ChildProcess) {
  let stdout = ''
  let stderr = ''
  let ready: () => void = () => undefined
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (stdout.startsWith('ready\n')) ready()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const answers = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout.split('\n')[1] ?? '')
      else reject(new Error(`a racing process failed (${code}): ${stderr}`))
    })
  })
  // A process that fails before it is ready must fail the race, not hang it.
  return { ready: Promise.race([readyPromise, answers.then(() => undefined)]), answers }
}

const winners = (answers: unknown[][]) => answers.flat().filter((answer) => answer !== null).length

function peer(id: string, state: 'invited' | 'registered'): PeerRecord {
  const common = {
    id,
    revision: 0,
    origin: 'invitation' as const,
    expectedParties: null,
    as: null,
    createdAt: T0,
    updatedAt: T0,
    lastContactAt: null,
  }
  return state === 'invited'
    ? { ...common, state, invitationExpiresAt: T0 + 60_000 }
    : { ...common, state: 'registered', registeredAt: T0, link: null as never }
}

function token(peerId: string, kind: TokenRecord['kind'], n: number): TokenRecord {
  return {
    digest: `${kind.length.toString(16)}${n.toString(16).padStart(63, '0')}` as TokenDigest,
    peerId,
    kind,
    createdAt: T0 + n,
    expiresAt: kind === 'current' ? null : T0 + 60_000,
    supersedes: null,
    successor: null,
  }
}

it.runIf(strips)(
  'consumeInvitation of one invitation from several processes: exactly one registers',
  async () => {
    const store = sqliteStore({ path, migrate: true })
    const invitation = token('peer-a', 'invitation', 0)
    expect(await store.createPeer(peer('peer-a', 'invited'), [invitation])).toBe(true)
    const issues = Array.from({ length: PROCESSES }, (_, i) => token('peer-a', 'current', i + 1))
    const answers = await race(
      issues.map((issue) => ({
        kind: 'consumeInvitation',
        args: {
          invitation: invitation.digest,
          revision: 0,
          next: peer('peer-a', 'registered'),
          issue,
          now: T0,
        },
      })),
    )
    expect(winners(answers)).toBe(1)
    const winner = issues[answers.findIndex(([answer]) => answer !== null)]
    expect(await store.listTokens('peer-a')).toEqual([winner])
    expect(await store.getPeer('peer-a')).toMatchObject({ state: 'registered', revision: 1 })
    store.close()
  },
)

it.runIf(strips)('commitToken on one revision from several processes: exactly one commits', async () => {
  const store = sqliteStore({ path, migrate: true })
  const current = token('peer-a', 'current', 0)
  const pendings = Array.from({ length: PROCESSES }, (_, i) => token('peer-a', 'pending-rotation', i + 1))
  expect(await store.createPeer(peer('peer-a', 'registered'), [current, ...pendings])).toBe(true)
  const answers = await race(
    pendings.map((pending) => ({
      kind: 'commitToken',
      args: {
        peerId: 'peer-a',
        revision: 0,
        next: peer('peer-a', 'registered'),
        token: { pending: pending.digest },
        grace: { expiresAt: T0 + 300_000, successor: null },
        now: T0,
      },
    })),
  )
  expect(winners(answers)).toBe(1)
  const winner = pendings[answers.findIndex(([answer]) => answer !== null)] as TokenRecord
  const tokens = await store.listTokens('peer-a')
  expect(tokens.filter((t) => t.kind === 'current')).toEqual([
    { ...winner, kind: 'current', expiresAt: null, supersedes: current.digest },
  ])
  expect(tokens.filter((t) => t.kind === 'previous').map((t) => t.digest)).toEqual([current.digest])
  expect(tokens.filter((t) => t.kind === 'pending-rotation')).toHaveLength(PROCESSES - 1)
  store.close()
})

it.runIf(strips)(
  'read-then-swap loops in several processes lose no update',
  async () => {
    const store = sqliteStore({ path, migrate: true })
    expect(await store.createPeer(peer('peer-a', 'invited'), [])).toBe(true)
    const answers = await race(
      Array.from({ length: PROCESSES }, () => ({ kind: 'increment', peerId: 'peer-a', rounds: 40 })),
    )
    const swapped = answers.flat().filter((answer) => answer === true).length
    expect(swapped).toBeGreaterThan(0)
    expect(await store.getPeer('peer-a')).toMatchObject({ revision: swapped, updatedAt: T0 + swapped })
    store.close()
  },
  30_000,
)

// Switching a file to WAL takes an exclusive lock. When another connection is writing, SQLite answers
// SQLITE_BUSY at once there, without waiting out busy_timeout: the start must wait for the lock itself.
it('a start waits for another process writing a rollback-journal file, then switches it to WAL', async () => {
  const setup = new DatabaseSync(path)
  setup.exec(migrationScript())
  expect(setup.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' })
  setup.close()
  const go = join(directory, 'go')
  const holder = spawn(process.execPath, [here('./processes/holder.mjs'), path, go, '200'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const exited = new Promise((resolve) => holder.on('exit', resolve))
  // A holder that fails before it holds the lock fails the test here, instead of hanging it.
  const held = new Promise<string>((resolve) => {
    holder.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()))
  })
  // A holder that fails before it holds the lock fails the test here, instead of hanging it.
  expect(await Promise.race([held, exited])).toBe('holding\n')
  // The holder keeps its write lock for 200 ms after this: the store's first attempts find it taken.
  writeFileSync(go, '')
  const store = sqliteStore({ path, busyTimeoutMs: 20_000 })
  expect(await store.listPeers()).toEqual([])
  store.close()
  expect(await exited).toBe(0)
  const reader = new DatabaseSync(path)
  expect(reader.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
  reader.close()
})

it.runIf(strips)(
  'several processes starting on one fresh file at once all start, and migrate it once',
  async () => {
    const answers = await race(
      Array.from({ length: PROCESSES }, () => ({ kind: 'start' }) as const),
      './processes/start.ts',
    )
    expect(answers).toEqual(Array.from({ length: PROCESSES }, () => ['started']))
    const db = new DatabaseSync(path)
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    expect(db.prepare('SELECT count(*) AS n FROM ocpi_migrations').get()).toEqual({ n: migrations.length })
    db.close()
  },
  30_000,
)
