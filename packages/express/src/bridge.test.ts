// The bridge alone, once per Express major: what a web `Request` built from an Express request carries
// (URL with the mount path, every header, the body streamed or taken from a body parser), and what an
// Express response carries after a web `Response` was written to it.
import type { Express, RequestHandler } from 'express'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { EXPRESS_MAJORS } from '../test/platform.js'
import { sendWebResponse, toWebRequest } from './bridge.js'

/** What the echo route saw, as JSON. */
interface Seen {
  method: string
  url: string
  headers: [string, string][]
  body: string | null
}

/** An app that answers every request under `/mount` with what `toWebRequest` made of it. */
function echoApp(app: Express, before: RequestHandler[] = [], options: { body?: boolean } = {}): Express {
  app.use('/mount', ...before, (req, res, next) => {
    const request = toWebRequest(req, options)
    request
      .text()
      .then((text) => {
        const seen: Seen = {
          method: request.method,
          url: request.url,
          headers: [...request.headers],
          body: request.body === null ? null : text,
        }
        res.json(seen)
      })
      .catch(next)
  })
  return app
}

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  describe('toWebRequest', () => {
    it('builds the full URL from the protocol, Host and originalUrl (mount path and query kept)', async () => {
      const app = echoApp(express())
      const { body } = await supertest(app).get('/mount/a/b?x=1&y=%2F').set('host', 'cpo.example.com:8080')
      expect((body as Seen).url).toBe('http://cpo.example.com:8080/mount/a/b?x=1&y=%2F')
    })

    it("follows Express's `trust proxy` for the protocol", async () => {
      const app = express()
      app.set('trust proxy', true)
      echoApp(app)
      const { body } = await supertest(app).get('/mount/versions').set('x-forwarded-proto', 'https')
      expect((body as Seen).url).toMatch(/^https:\/\//)
    })

    it('keeps every header, repeated ones included', async () => {
      const app = echoApp(express())
      const { body } = await supertest(app)
        .get('/mount')
        .set('authorization', 'Token abc')
        // superagent sends an array as repeated header lines; its types allow that for Cookie only.
        .set('x-multi', ['one', 'two'] as unknown as string)
      const headers = new Headers((body as Seen).headers)
      expect(headers.get('authorization')).toBe('Token abc')
      expect(headers.get('x-multi')).toBe('one, two')
    })

    it('streams a body nobody read, Content-Length kept', async () => {
      const app = echoApp(express())
      const { body } = await supertest(app).post('/mount').set('content-type', 'text/plain').send('hello')
      expect(body).toMatchObject({ method: 'POST', body: 'hello' })
      expect(new Headers((body as Seen).headers).get('content-length')).toBe('5')
    })

    it('re-serializes what express.json() parsed, without the stale Content-Length', async () => {
      const app = echoApp(express(), [express.json()])
      const { body } = await supertest(app)
        .put('/mount')
        .set('content-type', 'application/json')
        .send('{ "token" :  "abc", "n": [1, 2] }')
      expect(JSON.parse((body as Seen).body ?? '')).toEqual({ token: 'abc', n: [1, 2] })
      const headers = new Headers((body as Seen).headers)
      expect(headers.get('content-length')).toBeNull()
      expect(headers.get('content-type')).toBe('application/json')
    })

    it('re-serializes a JSON null that express.json({ strict: false }) parsed (it is a body, not none)', async () => {
      const app = echoApp(express(), [express.json({ strict: false })])
      const { body } = await supertest(app)
        .post('/mount')
        .set('content-type', 'application/json')
        .send('null')
      expect((body as Seen).body).toBe('null')
    })

    it('passes on what express.raw() and express.text() read as is', async () => {
      const raw = echoApp(express(), [express.raw({ type: 'application/octet-stream' })])
      const bytes = await supertest(raw)
        .post('/mount')
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from('{"raw":true}'))
      expect((bytes.body as Seen).body).toBe('{"raw":true}')

      const text = echoApp(express(), [express.text()])
      const plain = await supertest(text).post('/mount').set('content-type', 'text/plain').send('plain text')
      expect((plain.body as Seen).body).toBe('plain text')
    })

    it('with { body: false } leaves the stream to the handlers after it', async () => {
      const app = express()
      app.use('/mount', (req, _res, next) => {
        expect(toWebRequest(req, { body: false }).body).toBeNull()
        next()
      })
      app.use('/mount', express.text(), (req, res) => {
        res.send(`parsed: ${String(req.body)}`)
      })
      const response = await supertest(app)
        .post('/mount')
        .set('content-type', 'text/plain')
        .send('still here')
      expect(response.text).toBe('parsed: still here')
    })
  })

  describe('sendWebResponse', () => {
    const serving = (response: () => Response) => {
      const app = express()
      app.use((_req, res, next) => {
        sendWebResponse(res, response()).catch(next)
      })
      return app
    }

    it('writes the status, every header (each Set-Cookie apart) and the body, streamed', async () => {
      const encoder = new TextEncoder()
      const app = serving(() => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const part of ['{"data":', '[1,2,3]', ',"status_code":1000}']) {
              controller.enqueue(encoder.encode(part))
            }
            controller.close()
          },
        })
        const headers = new Headers({ 'content-type': 'application/json', 'x-request-id': 'r-1' })
        headers.append('set-cookie', 'a=1; Path=/')
        headers.append('set-cookie', 'b=2; Path=/')
        return new Response(body, { status: 201, statusText: 'Made', headers })
      })
      const response = await supertest(app).get('/')
      expect(response.status).toBe(201)
      expect((response as unknown as { res: { statusMessage: string } }).res.statusMessage).toBe('Made')
      expect(response.headers['x-request-id']).toBe('r-1')
      expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/'])
      expect(response.body).toEqual({ data: [1, 2, 3], status_code: 1000 })
    })

    it('ends a response without a body', async () => {
      const app = serving(() => new Response(null, { status: 204, headers: { allow: 'GET' } }))
      const response = await supertest(app).delete('/')
      expect(response.status).toBe(204)
      expect(response.headers['allow']).toBe('GET')
      expect(response.text).toBe('')
    })
  })
})
