// Regression: a client that closed the connection mid-body (Content-Length 1000, 10 bytes sent) was
// reported as a failure twice: the admin handler's `onError` got `Error: aborted` (a 500), and writing the
// answer to the destroyed response rejected with ERR_STREAM_UNABLE_TO_PIPE, which went to `next(error)` and
// Express's final handler printed it. The client is gone: nothing is written, nothing is reported.
import { once } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { createAdminHandler } from '@ocpi-credentials/core'
import { describe, expect, it, vi } from 'vitest'
import { sendWebResponse } from '../src/bridge.js'
import { serveWith } from '../src/router.js'
import { CPO, EXPRESS_MAJORS, type ExpressModule, makeOcpi } from './platform.js'

/** A deferred value, resolved from a route. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * An app whose every request goes to `route`, listening on loopback, and a raw client connected to it
 * that has sent `head` (request line, headers and part of a body).
 */
async function clientOf(
  express: ExpressModule,
  route: (req: IncomingMessage, res: ServerResponse) => void,
  head: string,
): Promise<{ server: Server; socket: Socket }> {
  const app = express()
  app.use((req, res) => route(req, res))
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write(head)
  return { server, socket }
}

const CUT_OFF_POST =
  'POST /admin/invitations HTTP/1.1\r\nHost: cpo.example.com\r\ncontent-type: application/json\r\n' +
  'content-length: 1000\r\n\r\n{"expires_'

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  it('a client gone mid-body: the admin API writes nothing and reports nothing (no onError, no error to next)', async () => {
    const ocpi = makeOcpi('https://cpo.example.com/ocpi', CPO)
    const onError = vi.fn()
    const handle = createAdminHandler(ocpi, { onError })
    const serving = deferred<{ done: Promise<void>; res: ServerResponse }>()
    const { server, socket } = await clientOf(
      express,
      (req, res) => {
        const refuse = () => Response.json({}, { status: 400 })
        serving.resolve({ done: serveWith(handle, req as never, res as never, refuse), res })
      },
      CUT_OFF_POST,
    )
    try {
      const { done, res } = await serving.promise // the admin handler is reading the body
      socket.destroy()
      await expect(done).resolves.toBeUndefined() // what ocpiAdmin would have passed to next: nothing
      expect(onError).not.toHaveBeenCalled()
      expect(res.headersSent).toBe(false)
      expect(await ocpi.listPeers()).toEqual([])
    } finally {
      server.close()
    }
  })

  it('sendWebResponse: a client gone mid-answer ends the write quietly; a failing body still throws', async () => {
    const body = new TransformStream<Uint8Array, Uint8Array>()
    const writer = body.writable.getWriter()
    const serving = deferred<{ done: Promise<void>; res: ServerResponse }>()
    const { server, socket } = await clientOf(
      express,
      (_req, res) => serving.resolve({ done: sendWebResponse(res, new Response(body.readable)), res }),
      'GET /answer HTTP/1.1\r\nHost: x\r\n\r\n',
    )
    try {
      const { done, res } = await serving.promise
      await writer.write(new TextEncoder().encode('{"first":'))
      await once(socket, 'data') // the client has the head and a first chunk
      socket.destroy()
      await once(res, 'close')
      await expect(done).resolves.toBeUndefined()
      await writer.abort().catch(() => {})
    } finally {
      server.close()
    }

    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('the handler body failed'))
      },
    })
    const second = deferred<{ done: Promise<void> }>()
    const other = await clientOf(
      express,
      (_req, res) => second.resolve({ done: sendWebResponse(res, new Response(failing)) }),
      'GET /answer HTTP/1.1\r\nHost: x\r\n\r\n',
    )
    try {
      await expect((await second.promise).done).rejects.toThrow('the handler body failed')
    } finally {
      other.socket.destroy()
      other.server.close()
    }
  })

  it('sendWebResponse: nothing written, and no error, to a response whose client already left', async () => {
    const serving = deferred<ServerResponse>()
    const { server, socket } = await clientOf(express, (_req, res) => serving.resolve(res), CUT_OFF_POST)
    try {
      const res = await serving.promise
      socket.destroy()
      await once(res, 'close')
      let cancelled = false
      const body = new ReadableStream({
        cancel() {
          cancelled = true
        },
      })
      await expect(sendWebResponse(res, new Response(body, { status: 201 }))).resolves.toBeUndefined()
      expect([res.headersSent, cancelled]).toEqual([false, true])
    } finally {
      server.close()
    }
  })
})
