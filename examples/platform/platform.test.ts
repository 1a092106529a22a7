// Starts the real platform process (built packages) and drives it over HTTP.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startPlatform as start } from './running-platform.js'

const DATABASE_URL = process.env['OCPI_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

const server = fileURLToPath(new URL('./server.mjs', import.meta.url))

const ADMIN = 'admin-token-for-tests-0123456789'

/** Calls the admin API of the platform whose versions URL is given. */
const admin = (versionsUrl: string, path: string, body?: unknown, method = 'POST') =>
  fetch(versionsUrl.replace(/\/ocpi\/versions$/, `/admin${path}`), {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe.each(['hono', 'express'])('pnpm platform on %s', (framework) => {
  it('prints one ready line, registers two platforms through the admin API, and exits 0 on SIGTERM', async () => {
    const a = await start({ PORT: '0', ADMIN_TOKEN: ADMIN, FRAMEWORK: framework, OCPI_PARTIES: 'CPO:NL:AAA' })
    const b = await start({
      PORT: '0',
      ADMIN_TOKEN: ADMIN,
      FRAMEWORK: framework,
      OCPI_PARTIES: 'EMSP:DE:BBB',
    })
    expect(a.versionsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ocpi\/versions$/)
    expect(await admin(a.versionsUrl, '/invitations', {}, 'POST').then((r) => r.status)).toBe(201)
    const invitation = (await (await admin(a.versionsUrl, '/invitations', {})).json()) as {
      token: string
      versions_url: string
    }
    const registered = await admin(b.versionsUrl, '/registrations', {
      versions_url: invitation.versions_url,
      token: invitation.token,
    })
    expect(registered.status).toBe(201)
    const peer = (await registered.json()) as { id: string; state: string }
    expect(peer.state).toBe('registered')
    expect((await fetch(a.versionsUrl)).status).toBe(401)
    expect((await admin(a.versionsUrl, '/peers', undefined, 'GET')).status).toBe(200)
    expect((await fetch(`${a.versionsUrl.replace(/versions$/, '')}../admin/peers`)).status).toBe(401)

    expect(a.stdout().trim().split('\n')).toHaveLength(1)
    for (const p of [a, b]) {
      p.child.kill('SIGTERM')
      const [code] = await once(p.child, 'exit')
      expect(code).toBe(0)
    }
    expect(a.stderr()).not.toContain(invitation.token)
  })

  it('answers paths nobody serves under /ocpi with an OCPI envelope, echoing the request ids', async () => {
    const platform = await start({ PORT: '0', ADMIN_TOKEN: ADMIN, OCPI_PARTIES: 'CPO:NL:AAA' })
    const base = platform.versionsUrl.replace(/\/versions$/, '')
    const ids = { 'x-request-id': 'req-1', 'x-correlation-id': 'corr-1' }
    for (const [method, path, status] of [
      ['GET', '/2.2.1/tariffs', 404],
      ['GET', '/nothing/here', 404],
      ['POST', '/2.2.1/locations', 405],
    ] as const) {
      const answer = await fetch(`${base}${path}`, { method, headers: ids })
      expect([method, path, answer.status]).toEqual([method, path, status])
      expect(answer.headers.get('x-request-id')).toBe('req-1')
      expect(answer.headers.get('x-correlation-id')).toBe('corr-1')
      expect(await answer.json()).toMatchObject({ status_code: 2000, timestamp: expect.any(String) })
    }
    await stop(platform)
  })

  it('serves under the path of PUBLIC_URL: the ready URL and PUBLIC_URL/admin answer', async () => {
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}/base/`
    const p = await start({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      ADMIN_TOKEN: ADMIN,
      FRAMEWORK: framework,
    })
    expect(p.versionsUrl).toBe(`http://127.0.0.1:${port}/base/ocpi/versions`)
    const created = await admin(p.versionsUrl, '/invitations', {})
    expect(created.status).toBe(201)
    const { token } = (await created.json()) as { token: string }
    expect((await fetch(p.versionsUrl, { headers: { authorization: `Token ${token}` } })).status).toBe(200)
    await stop(p)
  })

  it.each([
    [{ ADMIN_TOKEN: '' }, 'ADMIN_TOKEN is required'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL must be an http(s) URL'],
    [{ OCPI_ALLOW_INSECURE_URLS: 'maybe' }, 'OCPI_ALLOW_INSECURE_URLS must be'],
    // Checked by the SDK itself, still before listening: 2.3.0 (offered by default) has no HUB role.
    [{ OCPI_PARTIES: 'HUB:NL:HUB' }, 'OCPI 2.3.0 has no HUB role'],
    [{ HOST: 'no-such-host.invalid' }, 'cannot listen on no-such-host.invalid'],
  ])('refuses to start on %o, naming the problem on one line, exit 1', async (env, problem) => {
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, PORT: '0', ADMIN_TOKEN: ADMIN, FRAMEWORK: framework, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => {
      stdout += d
    })
    child.stderr?.on('data', (d) => {
      stderr += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(new RegExp(`^platform: ${problem.replace(/[.()]/g, '\\$&')}`, 'm'))
    expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  })
})

/** A port free right now (the restarted platform must come back on the port its peer knows). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function stop(platform: Awaited<ReturnType<typeof start>>) {
  platform.child.kill('SIGTERM')
  const [code] = await once(platform.child, 'exit')
  expect(code).toBe(0)
}

const SEALING_KEY = Buffer.alloc(32, 5).toString('base64')
const scratch = mkdtempSync(join(tmpdir(), 'ocpi-platform-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.each([
  ['postgres', () => `postgres:${DATABASE_URL}`],
  ['sqlite', () => `sqlite:${join(scratch, `platform-${Date.now()}.db`)}`],
])('pnpm platform with STORE=%s', (_kind, storeOf) => {
  it('keeps its links across a restart: the restarted platform rotates over the stored link', async () => {
    const schema = `ocpi_test_platform_${process.pid}_${Date.now()}`
    const env = {
      PORT: String(await freePort()),
      ADMIN_TOKEN: ADMIN,
      OCPI_PARTIES: 'CPO:NL:AAA',
      STORE: storeOf(),
      STORE_SCHEMA: schema,
      SEALING_KEY,
    }
    try {
      let a = await start(env)
      const b = await start({ PORT: '0', ADMIN_TOKEN: ADMIN, OCPI_PARTIES: 'EMSP:DE:BBB' })
      const invitation = (await (await admin(a.versionsUrl, '/invitations', {})).json()) as {
        peer_id: string
        token: string
        versions_url: string
      }
      const registered = await admin(b.versionsUrl, '/registrations', {
        versions_url: invitation.versions_url,
        token: invitation.token,
      })
      expect(registered.status).toBe(201)

      await stop(a)
      a = await start(env)
      const peer = (await (
        await admin(a.versionsUrl, `/peers/${invitation.peer_id}`, undefined, 'GET')
      ).json()) as {
        state: string
      }
      expect(peer.state).toBe('registered')
      // Rotating needs the sealed outbound token (opened with SEALING_KEY) and the peer's callback with
      // the new token: the restarted process has both from the store alone.
      const rotation = await admin(a.versionsUrl, `/peers/${invitation.peer_id}/rotation`, {})
      expect(rotation.status).toBe(200)
      await stop(a)
      await stop(b)
      expect(a.stderr()).not.toContain(invitation.token)
    } finally {
      if (env.STORE.startsWith('postgres:')) await dropSchema(schema)
    }
  })

  it('refuses a durable store without SEALING_KEY, naming the problem', async () => {
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, ADMIN_TOKEN: ADMIN, STORE: storeOf(), SEALING_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d) => {
      stderr += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(stderr).toContain('SEALING_KEY is required')
  })
})

describe.each(['hono', 'express'])('pnpm platform on %s, its store failing', (framework) => {
  it('logs an admin 500 to stderr with the method and path, without the admin token', async () => {
    // Regression: no onError was given to the admin API, so a store failure answered `internal error`
    // and left no trace, although every log is said to go to stderr.
    const schema = `ocpi_test_platform_fail_${process.pid}_${Date.now()}`
    try {
      const a = await start({
        PORT: '0',
        ADMIN_TOKEN: ADMIN,
        FRAMEWORK: framework,
        STORE: `postgres:${DATABASE_URL}`,
        STORE_SCHEMA: schema,
        SEALING_KEY,
      })
      await dropSchema(schema) // every query of the store fails from now on
      const failed = await admin(a.versionsUrl, '/peers', undefined, 'GET')
      expect([failed.status, await failed.json()]).toEqual([
        500,
        { code: 'ERR_OCPI_INTERNAL', message: 'internal error' },
      ])
      a.child.kill('SIGTERM')
      await once(a.child, 'close') // its stderr read to the end
      const lines = a
        .stderr()
        .split('\n')
        .filter((l) => l.includes('admin API request failed'))
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({
        level: 'error',
        method: 'GET',
        path: '/admin/peers',
        error: expect.stringMatching(/^ERR_OCPI_STORE: /),
      })
      expect(a.stderr()).not.toContain(ADMIN)
    } finally {
      await dropSchema(schema)
    }
  })
})

async function dropSchema(schema: string) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL })
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await pool.end()
  }
}
