// Regression: a client that closed the connection mid-body made the body stream fail (`@hono/node-server`
// errors it with `aborted`), and the admin API answered that as a 500 and handed it to `onError`; the OCPI
// routes logged a 500 / 3000. The body is incomplete and the client gone: a 400, not reported.
import { Hono } from 'hono'
import { expect, it, vi } from 'vitest'
import { ocpiAdmin, ocpiRoutes } from '../src/index.js'
import { CPO, makeOcpi } from './platform.js'

/** A body whose stream fails after its first bytes, as @hono/node-server's does when the client goes. */
function cutOffBody(): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    pull(controller) {
      if (sent) controller.error(new Error('aborted'))
      else controller.enqueue(new TextEncoder().encode('{"expires_'))
      sent = true
    },
  })
}

function cutOffPost(url: string, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: cutOffBody(),
    duplex: 'half',
  } as RequestInit)
}

it('a body cut off by the client: 400 on the admin API and the OCPI routes, reported nowhere', async () => {
  const failures: string[] = []
  const log = (message: string) => failures.push(message)
  const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO, { logger: { error: log } })
  const onError = vi.fn()
  const app = new Hono()
  app.route('/ocpi', ocpiRoutes(ocpi))
  app.route('/admin', ocpiAdmin(ocpi, { onError }))
  app.onError((error, c) => {
    failures.push(String(error))
    return c.text('failed', 500)
  })

  const admin = await app.request(cutOffPost('https://cpo.example.com/admin/invitations'))
  expect([admin.status, ((await admin.json()) as { code: string }).code]).toEqual([
    400,
    'ERR_OCPI_INVALID_JSON',
  ])
  expect(onError).not.toHaveBeenCalled()

  const invitation = await ocpi.invite()
  const post = await app.request(
    cutOffPost('https://cpo.example.com/ocpi/2.3.0/credentials', {
      authorization: `Token ${btoa(invitation.token)}`,
    }),
  )
  expect([post.status, ((await post.json()) as { status_code: number }).status_code]).toEqual([400, 2000])
  expect(failures).toEqual([])
  expect((await ocpi.listPeers()).map((peer) => peer.state)).toEqual(['invited'])
})
