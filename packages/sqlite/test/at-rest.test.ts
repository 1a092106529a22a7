// Protection at rest: issued tokens are stored only as digests and received tokens only sealed. Two SDK
// instances link, rotate both ways and unregister, each on its own SQLite file; every token that crossed
// the wire (and TOKEN_A) is then searched for in the raw bytes of the database files, the WAL included,
// as it is and Base64-encoded. Deleted rows and old WAL frames count too: the search is over every byte.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { digestToken } from '@ocpi-credentials/core'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createNetwork, expectLinkWorks, link, type Platform } from './platforms.js'

let directory: string
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'ocpi-sqlite-at-rest-'))
})
afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

/** Every byte of a platform's database files: the database, its WAL and shared-memory index. */
function bytesOf(platform: Platform): Buffer {
  const files = ['', '-wal', '-shm'].map((suffix) => `${platform.path}${suffix}`).filter(existsSync)
  return Buffer.concat(files.map((file) => readFileSync(file)))
}

/** The forms in which a token must not be found: as it is, and Base64 (standard and URL-safe). */
function formsOf(token: string): string[] {
  const base64 = Buffer.from(token, 'utf8').toString('base64')
  const base64url = Buffer.from(token, 'utf8').toString('base64url')
  return [token, base64, base64.replace(/=+$/, ''), base64url]
}

function expectNoTokenIn(bytes: Buffer, tokens: Iterable<string>): void {
  for (const token of tokens) {
    for (const form of formsOf(token)) {
      // The assertion names the form's length only: a failing run must not print a token either.
      if (bytes.includes(Buffer.from(form, 'utf8'))) {
        expect.fail(`a token (${form.length} characters) is stored in plain or Base64 form`)
      }
    }
  }
}

it('no token exchanged in register, rotations and unregister is stored, raw or Base64', async () => {
  const network = createNetwork(directory)
  const { cpo, emsp, tokens } = network
  const { tokenA, peerOnReceiver, peerOnSender } = await link(cpo, emsp)
  tokens.add(tokenA)
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual([
    [200, 1000],
    [200, 1000],
  ])
  await emsp.ocpi.rotate(peerOnSender)
  await cpo.ocpi.rotate(peerOnReceiver)
  expect(await expectLinkWorks(cpo, peerOnReceiver, emsp, peerOnSender)).toEqual([
    [200, 1000],
    [200, 1000],
  ])

  // TOKEN_A, B and C, and the two rotated tokens, at least; each seen raw and Base64.
  const raw = [...tokens].filter((token) => /^[\w-]{43}$/.test(token))
  expect(raw.length).toBeGreaterThanOrEqual(5)
  // The search does reach the data: the live tokens' digests are there (the CPO's tokens hold the
  // digest of the token it issued last, which the eMSP now sends).
  const live = (await cpo.store.listTokens(peerOnReceiver)).map((t) => t.digest)
  expect(live.length).toBeGreaterThan(0)
  const cpoBytes = bytesOf(cpo)
  expect(live.every((digest) => cpoBytes.includes(Buffer.from(digest)))).toBe(true)
  expect(raw.some((token) => cpoBytes.includes(Buffer.from(digestToken(token))))).toBe(true)
  for (const platform of [cpo, emsp]) expectNoTokenIn(bytesOf(platform), tokens)

  const { remote } = await cpo.ocpi.unregister(peerOnReceiver)
  expect(remote).toBe('confirmed')
  for (const platform of [cpo, emsp]) expectNoTokenIn(bytesOf(platform), tokens)

  // Closing checkpoints the WAL into the database file: still nothing.
  network.close()
  for (const platform of [cpo, emsp]) {
    expect(existsSync(`${platform.path}-wal`)).toBe(false)
    expectNoTokenIn(bytesOf(platform), tokens)
  }
})
