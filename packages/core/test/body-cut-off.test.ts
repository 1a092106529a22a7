// Regression: a client that closes the connection mid-body (Content-Length 1000, 10 bytes sent) made the
// body stream fail, and that failure was answered as ours: a 500 for the admin API's `onError`, a 500 / 3000
// logged at `error` for an OCPI POST. The client is gone and its body incomplete: a 400, not reported.
import { describe, expect, it, vi } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { twoPlatforms } from './two-platforms.js'

/** A body whose stream fails after its first bytes, as Node's does when the client goes (`aborted`). */
function cutOffBody(): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    pull(controller) {
      if (sent) controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
      else controller.enqueue(new TextEncoder().encode('{"expires_'))
      sent = true
    },
  })
}

function post(url: string, headers: Record<string, string>): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '1000', ...headers },
    body: cutOffBody(),
    duplex: 'half',
  } as RequestInit)
}

describe('a request body cut off by the client', () => {
  it('admin API: 400 ERR_OCPI_INVALID_JSON, not a 500 for onError, and nothing stored', async () => {
    const { cpo } = twoPlatforms()
    const onError = vi.fn()
    const admin = createAdminHandler(cpo.ocpi, { onError })
    const response = await admin(post(`${cpo.base}/admin/invitations`, {}))
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      code: 'ERR_OCPI_INVALID_JSON',
      message: 'the request body could not be read to its end',
    })
    expect(onError).not.toHaveBeenCalled()
    expect(await cpo.ocpi.listPeers()).toEqual([])
  })

  it('OCPI POST credentials: HTTP 400 / 2000, no error logged, and the TOKEN_A still registers', async () => {
    const { cpo, emsp } = twoPlatforms()
    const invitation = await cpo.ocpi.invite()
    const response = await cpo.ocpi.handle(
      post(`${cpo.base}/ocpi/2.3.0/credentials`, { authorization: `Token ${btoa(invitation.token)}` }),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      status_code: 2000,
      status_message: 'the request body could not be read to its end',
    })
    expect(cpo.lines.filter((line) => line.startsWith('error '))).toEqual([])
    const peer = await emsp.ocpi.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
    expect(peer.state).toBe('registered')
  })
})
