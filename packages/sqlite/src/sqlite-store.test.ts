import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import {
  OcpiConfigError,
  type PeerRecord,
  type RegisteredPeer,
  type StoreChange,
  type TokenDigest,
  type TokenRecord,
  type UnregisteredPeer,
} from '@ocpi-credentials/core'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate } from './migrate.js'
import { migrationScript } from './migrations.js'
import { sqliteStore } from './sqlite-store.js'
import { prepareStatements } from './statements.js'
import { tableNamesOf } from './table-names.js'

const directories: string[] = []
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})
function tempPath(name = 'ocpi.db'): string {
  const directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-'))
  directories.push(directory)
  return join(directory, name)
}

const T0 = 1_700_000_000_000
let sequence = 0
const digest = () => `d1${(++sequence).toString(16).padStart(62, '0')}` as TokenDigest

function registered(id: string, changes: Partial<RegisteredPeer> = {}): RegisteredPeer {
  return {
    id,
    revision: 0,
    origin: 'invitation',
    expectedParties: [{ country_code: 'NL', party_id: 'EXA', role: 'CPO' }],
    as: { country_code: 'DE', party_id: 'OUR' },
    createdAt: T0,
    updatedAt: T0,
    lastContactAt: null,
    state: 'registered',
    registeredAt: T0 + 1,
    link: {
      version: '2.2.1',
      versionsUrl: 'https://peer.example/ocpi/versions',
      endpoints: [
        { identifier: 'credentials', role: 'RECEIVER', url: 'https://peer.example/ocpi/2.2.1/cred' },
      ],
      parties: [
        {
          role: 'CPO',
          country_code: 'NL',
          party_id: 'EXA',
          business_details: { name: 'Laadpaal “Zuid” ⚡ — Ærø 🚗', website: 'https://exa.example' },
        },
      ],
      hubPartyId: null,
      outbound: 'eyJhbGciOiJkaXIi.sealed' as RegisteredPeer['link']['outbound'],
      encoding: 'base64',
    },
    ...changes,
  }
}

function current(peerId: string): TokenRecord {
  return {
    digest: digest(),
    peerId,
    kind: 'current',
    createdAt: T0,
    expiresAt: null,
    supersedes: null,
    successor: null,
  }
}

describe('sqliteStore({ path })', () => {
  it('creates the file for its owner only, in WAL mode, and closes it on close()', async () => {
    const path = tempPath()
    const store = sqliteStore({ path, migrate: true })
    expect(await store.createPeer(registered('peer-a'), [current('peer-a')])).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600)
    const reader = new DatabaseSync(path)
    expect(reader.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    reader.close()
    store.close()
    store.close()
    await expect(store.getPeer('peer-a')).rejects.toMatchObject({ code: 'ERR_OCPI_STORE' })
    // Closing the last connection checkpoints the WAL into the file and removes it.
    expect(() => statSync(`${path}-wal`)).toThrow()
    const reopened = sqliteStore({ path })
    expect(await reopened.getPeer('peer-a')).toEqual(registered('peer-a'))
    reopened.close()
  })

  it("leaves an existing file's permissions as they are", () => {
    const path = tempPath()
    writeFileSync(path, '', { mode: 0o640 })
    sqliteStore({ path, migrate: true }).close()
    expect(statSync(path).mode & 0o777).toBe(0o640)
  })

  it('refuses a file: URI, which SQLite would create readable by others, creating nothing', () => {
    const path = tempPath()
    for (const uri of [`file:${path}`, `file:${path}?mode=rwc`, 'file:ocpi?mode=memory&cache=shared']) {
      expect(() => sqliteStore({ path: uri, migrate: true })).toThrow(
        new OcpiConfigError(
          'sqliteStore: path must be a file path, not a file: URI (SQLite would create the file without ' +
            'the owner-only permissions): open the DatabaseSync yourself and pass it as database',
        ),
      )
    }
    expect(() => statSync(path)).toThrow()
  })

  it('refuses a file it cannot open, naming the path', () => {
    const path = join(tempPath(), 'missing-directory', 'ocpi.db')
    expect(() => sqliteStore({ path, migrate: true })).toThrow(OcpiConfigError)
    expect(() => sqliteStore({ path, migrate: true })).toThrow(`cannot open the database at ${path}`)
  })

  it('refuses a file that is not a database', () => {
    const path = tempPath()
    writeFileSync(path, 'not a database, but long enough to have a header of sorts: '.repeat(20))
    expect(() => sqliteStore({ path, migrate: true })).toThrow(OcpiConfigError)
    expect(() => sqliteStore({ path, migrate: true })).toThrow(
      'sqliteStore: cannot set up the database: file is not a database',
    )
  })

  it('closes the file again when the schema check fails', () => {
    const path = tempPath()
    expect(() => sqliteStore({ path })).toThrow(/no ocpi_\* tables yet/)
    // Nothing holds the file: another connection can take its exclusive lock at once.
    const other = new DatabaseSync(path)
    other.exec('PRAGMA busy_timeout = 0')
    other.exec('BEGIN EXCLUSIVE')
    other.exec('ROLLBACK')
    other.close()
  })
})

describe('sqliteStore({ database })', () => {
  it('sets busy_timeout, foreign keys and WAL on the connection, and leaves it open on close()', async () => {
    const path = tempPath()
    const database = new DatabaseSync(path)
    migrate(database)
    const store = sqliteStore({ database, busyTimeoutMs: 1234 })
    expect(database.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 1234 })
    expect(database.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 })
    expect(database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    store.close()
    expect(database.prepare('SELECT count(*) AS n FROM ocpi_peers').get()).toEqual({ n: 0 })
    await expect(store.listPeers()).rejects.toThrow('sqliteStore.listPeers: the store is closed')
    database.close()
  })

  it('refuses options that do not name exactly one database', () => {
    const database = new DatabaseSync(':memory:')
    const bad = [
      {},
      { path: tempPath(), database },
      { path: '' },
      { database: {} },
      { database, busyTimeoutMs: -1 },
      { database, busyTimeoutMs: 1.5 },
    ]
    for (const options of bad) {
      expect(() => sqliteStore({ migrate: true, ...options } as Parameters<typeof sqliteStore>[0])).toThrow(
        OcpiConfigError,
      )
    }
  })
})

describe('settings', () => {
  it('refuses, creating nothing, settings that SQLite or the store would misread', () => {
    const path = tempPath()
    const database = new DatabaseSync(':memory:')
    const notAnObject =
      'sqliteStore: options must be an object: { path } (a file) or { database } (a DatabaseSync)'
    const refused: [unknown, string][] = [
      [undefined, notAnObject],
      [null, notAnObject],
      ['ocpi.db', notAnObject],
      [{ path, migrate: 'yes' }, 'sqliteStore: migrate must be true or false'],
      [{ path, migrate: 1 }, 'sqliteStore: migrate must be true or false'],
      ...[2 ** 31, 2 ** 32 + 7, 1e15].map((busyTimeoutMs): [unknown, string] => [
        { path, busyTimeoutMs },
        'sqliteStore: busyTimeoutMs must be a whole number of milliseconds from 0 to 2147483647',
      ]),
    ]
    for (const [options, message] of refused) {
      expect(() => sqliteStore(options as Parameters<typeof sqliteStore>[0])).toThrow(
        new OcpiConfigError(message),
      )
    }
    expect(() => statSync(path)).toThrow()
    // The largest timeout SQLite takes is kept as it is.
    sqliteStore({ database, migrate: true, busyTimeoutMs: 2 ** 31 - 1 })
    expect(database.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 2 ** 31 - 1 })
  })
})

describe('records', () => {
  it('round-trip exactly, as fresh objects', async () => {
    const store = sqliteStore({ path: ':memory:', migrate: true })
    const rotating = registered('peer-a', {
      revision: 7,
      lastContactAt: T0 + 5,
      rotation: { digest: digest(), startedAt: T0 + 9 },
    })
    const ended: UnregisteredPeer = {
      ...registered('peer-b'),
      state: 'unregistered',
      unregisteredAt: T0 + 10,
      link: { ...registered('peer-b').link, outbound: undefined } as UnregisteredPeer['link'],
    }
    for (const peer of [rotating, ended] as PeerRecord[]) expect(await store.createPeer(peer, [])).toBe(true)
    expect(await store.getPeer('peer-a')).toEqual(rotating)
    expect(await store.getPeer('peer-b')).toEqual(ended)
    const read = (await store.getPeer('peer-a')) as RegisteredPeer
    ;(read.link.parties as unknown[]).splice(0)
    expect(await store.getPeer('peer-a')).toEqual(rotating)
    store.close()
  })
})

describe('queries', () => {
  it('find tokens and peers through indexes, in index order', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db)
    const statements = prepareStatements(db, tableNamesOf(undefined))
    const plan = (statement: { sourceSQL: string }) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${statement.sourceSQL}`)
        .all()
        .map((row) => String(row['detail']))
        .join('; ')
    expect(plan(statements.token)).toBe('SEARCH ocpi_tokens USING PRIMARY KEY (digest=?)')
    expect(plan(statements.tokensOf)).toBe('SEARCH ocpi_tokens USING INDEX ocpi_tokens_by_peer (peer_id=?)')
    expect(plan(statements.purgeExpired)).toBe(
      'SEARCH ocpi_tokens USING INDEX ocpi_tokens_by_expiry (expires_at<?)',
    )
    expect(plan(statements.peer)).toMatch(
      /^SEARCH ocpi_peers USING INDEX sqlite_autoindex_ocpi_peers_1 \(id=\?\)$/,
    )
    expect(plan(statements.listPeers.byState)).toBe(
      'SEARCH ocpi_peers USING INDEX ocpi_peers_by_state (state=?)',
    )
    expect(plan(statements.listPeers.byStateAfter)).toBe(
      'SEARCH ocpi_peers USING INDEX ocpi_peers_by_state (state=? AND id>?)',
    )
    expect(plan(statements.listPeers.after)).toMatch(/^SEARCH ocpi_peers USING INDEX \w+ \(id>\?\)$/)
    // Every page comes in index order: no sort step.
    for (const list of Object.values(statements.listPeers)) expect(plan(list)).not.toMatch(/TEMP B-TREE/)
  })
})

describe('locks', () => {
  it("a write waits for another connection's write lock, then fails writing nothing; reads go on", async () => {
    const path = tempPath()
    const store = sqliteStore({ path, migrate: true, busyTimeoutMs: 100 })
    const token = current('peer-a')
    expect(await store.createPeer(registered('peer-a'), [token])).toBe(true)
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    other.exec("UPDATE ocpi_peers SET revision = 5 WHERE id = 'peer-a'")
    // WAL: readers see the last commit while another connection writes.
    expect(await store.findToken(token.digest)).toEqual(token)
    expect((await store.getPeer('peer-a'))?.revision).toBe(0)
    const started = Date.now()
    await expect(store.casPeer('peer-a', 0, registered('peer-a'))).rejects.toMatchObject({
      code: 'ERR_OCPI_STORE',
      message: 'sqliteStore.casPeer: database is locked',
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    other.exec('COMMIT')
    // The other connection's commit is what the next write checks against.
    expect(await store.casPeer('peer-a', 0, registered('peer-a'))).toBeNull()
    expect(await store.casPeer('peer-a', 5, registered('peer-a'))).toMatchObject({ revision: 6 })
    other.close()
    store.close()
  })
})

describe('the start', () => {
  it("gives up switching a file to WAL when another connection's write outlasts busyTimeoutMs", () => {
    const path = tempPath()
    const other = new DatabaseSync(path)
    other.exec(migrationScript())
    other.exec('BEGIN IMMEDIATE')
    expect(() => sqliteStore({ path, busyTimeoutMs: 50 })).toThrow(
      new OcpiConfigError('sqliteStore: cannot set up the database: database is locked'),
    )
    other.exec('ROLLBACK')
    other.close()
    const journalMode = () => {
      const reader = new DatabaseSync(path)
      const mode = reader.prepare('PRAGMA journal_mode').get()
      reader.close()
      return mode
    }
    expect(journalMode()).toEqual({ journal_mode: 'delete' })
    sqliteStore({ path }).close()
    expect(journalMode()).toEqual({ journal_mode: 'wal' })
  })

  it('refuses a file that SQLite cannot put in WAL mode', () => {
    const path = tempPath()
    // Without locks, SQLite keeps a file out of WAL mode (it answers the mode it stayed in).
    const database = new DatabaseSync(`file:${path}?nolock=1`)
    migrate(database)
    expect(() => sqliteStore({ database })).toThrow(
      new OcpiConfigError(
        `sqliteStore: the database at ${path} cannot be put in WAL mode (SQLite answered journal_mode ` +
          "'delete'), which the store needs so that reads never wait for a write",
      ),
    )
    database.close()
  })

  it('leaves a database without a file in its own mode', async () => {
    for (const location of [':memory:', '']) {
      const database = new DatabaseSync(location)
      const store = sqliteStore({ database, migrate: true })
      expect(await store.listPeers()).toEqual([])
      expect(database.prepare('PRAGMA journal_mode').get()).not.toEqual({ journal_mode: 'wal' })
      database.close()
    }
  })
})

describe("a host's open transaction", () => {
  const T0 = 1_700_000_000_000
  const lease = { name: 'probe:peer-a', holder: 'i1', until: T0 + 10, now: T0 }

  it('is refused by every operation, which then writes nothing the ROLLBACK could undo', async () => {
    const database = new DatabaseSync(':memory:')
    const store = sqliteStore({ database, migrate: true })
    expect(await store.createPeer(registered('peer-a'), [])).toBe(true)
    database.exec('BEGIN')
    const refused = (operation: string) => ({
      code: 'ERR_OCPI_STORE',
      message:
        `sqliteStore.${operation}: the connection is in a transaction the store did not start (the ` +
        "host's): the store works only between them, as its writes would join it and be undone by its ROLLBACK",
    })
    await expect(store.acquireLease(lease)).rejects.toMatchObject(refused('acquireLease'))
    await expect(store.casPeer('peer-a', 0, registered('peer-a'))).rejects.toMatchObject(refused('casPeer'))
    await expect(store.getPeer('peer-a')).rejects.toMatchObject(refused('getPeer'))
    database.exec('ROLLBACK')
    expect(await store.acquireLease(lease)).toBe(true)
    expect(await store.acquireLease({ ...lease, holder: 'i2' })).toBe(false)
    expect(await store.casPeer('peer-a', 0, registered('peer-a'))).toMatchObject({ revision: 1 })
  })

  it('is refused at start and by migrate, changing nothing', () => {
    const database = new DatabaseSync(':memory:')
    database.exec('BEGIN')
    const message =
      "the connection is in a transaction the store did not start (the host's): commit or roll it back first"
    expect(() => sqliteStore({ database, migrate: true })).toThrow(
      new OcpiConfigError(`sqliteStore: ${message}`),
    )
    expect(() => migrate(database)).toThrow(new OcpiConfigError(`migrate: ${message}`))
    expect(database.isTransaction).toBe(true)
    database.exec('ROLLBACK')
    expect(database.prepare('SELECT count(*) AS n FROM sqlite_master').get()).toEqual({ n: 0 })
  })
})

describe('the change feed', () => {
  const collect = (store: { changes: { subscribe(l: (c: StoreChange) => void): () => void } }) => {
    const seen: StoreChange[] = []
    const unsubscribe = store.changes.subscribe((change) => seen.push(change))
    return { seen, unsubscribe }
  }

  it('reports the commits of every store of this process on the same file and prefix', async () => {
    const path = tempPath()
    const writer = sqliteStore({ path, migrate: true })
    const follower = sqliteStore({ path })
    migrate(new DatabaseSync(path), { tablePrefix: 'other_' })
    const stranger = sqliteStore({ path, tablePrefix: 'other_' })
    const followed = collect(follower)
    const unrelated = collect(stranger)
    expect(await writer.createPeer(registered('peer-a'), [])).toBe(true)
    expect(followed.seen).toEqual([{ type: 'changed', peerId: 'peer-a' }])
    // Answers that write nothing, and contact times, are not changes.
    expect(await writer.createPeer(registered('peer-a'), [])).toBe(false)
    expect(await writer.casPeer('peer-a', 3, registered('peer-a'))).toBeNull()
    await writer.abortToken(digest())
    await writer.touchContact('peer-a', T0 + 1)
    expect(followed.seen).toHaveLength(1)
    followed.unsubscribe()
    expect(await writer.casPeer('peer-a', 0, registered('peer-a'))).not.toBeNull()
    expect(followed.seen).toHaveLength(1)
    expect(unrelated.seen).toEqual([])
    for (const store of [writer, follower, stranger]) store.close()
  })

  it('keeps in-memory databases apart', async () => {
    const first = new DatabaseSync(':memory:')
    const second = new DatabaseSync(':memory:')
    migrate(first)
    migrate(second)
    const a = collect(sqliteStore({ database: first }))
    const b = collect(sqliteStore({ database: second }))
    expect(await sqliteStore({ database: first }).createPeer(registered('peer-a'), [])).toBe(true)
    expect(a.seen).toEqual([{ type: 'changed', peerId: 'peer-a' }])
    expect(b.seen).toEqual([])
  })
})
