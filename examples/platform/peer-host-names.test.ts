// Regression: the platform built its SDK instance with a urlPolicy but without createNodeFetch, so a peer
// URL naming a host that resolves to an internal address (loopback here; 10.x or the cloud metadata
// address alike) was called: whoever holds a TOKEN_A could make it connect into its own network. The
// name is made to resolve to 127.0.0.1 by test-hosts.mjs in the platform process (`.test` is reserved:
// no real DNS ever answers it), as an /etc/hosts entry would.
import net from 'node:net'
import { expect, it } from 'vitest'
import { startPlatform } from './running-platform.js'

const hosts = new URL('./test-hosts.mjs', import.meta.url).href
const ADMIN = 'admin-token-for-tests-0123456789'
const INTERNAL = 'internal.test'

it.each(['hono', 'express'])(
  'on %s, a TOKEN_A holder cannot make the platform connect to a name that resolves to loopback',
  async (framework) => {
    // An "internal service" on loopback: counts the connections it receives.
    let connections = 0
    const internal = net.createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = internal.address() as net.AddressInfo
      // PUBLIC_URL https: the URL policy is the production one (https, public addresses only). It names
      // the public host, so the port the process listens on (127.0.0.1, HOST's default) is chosen here.
      const listen = await freePort()
      const platform = await startPlatform(
        {
          TEST_HOSTS: JSON.stringify([[INTERNAL, '127.0.0.1']]),
          PORT: String(listen),
          ADMIN_TOKEN: ADMIN,
          FRAMEWORK: framework,
          PUBLIC_URL: 'https://cpo.example.com',
        },
        ['--import', hosts],
      )
      const local = `http://127.0.0.1:${listen}`
      const created = await fetch(`${local}/admin/invitations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}` },
      })
      const { token } = (await created.json()) as { token: string }

      // Whoever holds the TOKEN_A POSTs a versions URL naming an internal host.
      const answer = await fetch(`${local}/ocpi/2.2.1/credentials`, {
        method: 'POST',
        headers: { authorization: `Token ${btoa(token)}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          token: 'attacker-chosen-token-0123456789',
          url: `https://${INTERNAL}:${port}/ocpi/versions`,
          roles: [{ role: 'EMSP', party_id: 'ABC', country_code: 'DE', business_details: { name: 'x' } }],
        }),
      })
      expect([answer.status, ((await answer.json()) as { status_code: number }).status_code]).toEqual([
        200, 3001,
      ])
      // Refused after resolution, before any packet: the resolved address was checked, not connected to.
      expect(connections).toBe(0)
      expect(platform.stderr()).toContain(`refused ${INTERNAL}: the name resolves to a loopback address`)
    } finally {
      internal.close()
    }
  },
)

async function freePort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
