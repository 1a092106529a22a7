// Starts the real platform process (built packages) and drives it over HTTP.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'

const DATABASE_URL = process.env['OCPI_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

const server = fileURLToPath(new URL('./server.mjs', import.meta.url))
const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL')
})

async function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [server], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  const ready = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d
      const line = stdout.split('\n').find((l) => l.startsWith('ready '))
      if (line) resolve(line.slice('ready '.length))
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  return { child, versionsUrl: ready, stdout: () => stdout, stderr: () => stderr }
}

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

  it('refuses to start without ADMIN_TOKEN, naming the problem', async () => {
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, ADMIN_TOKEN: '', FRAMEWORK: framework },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d) => {
      stderr += d
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(stderr).toContain('ADMIN_TOKEN')
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

async function dropSchema(schema: string) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL })
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await pool.end()
  }
}
