// Starts the real platform process (built packages) and drives it over HTTP.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

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
    const admin = (url: string, path: string, body?: unknown, method = 'POST') =>
      fetch(url.replace(/\/ocpi\/versions$/, `/admin${path}`), {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
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
