// TRACE, which the Fetch standard forbids in a web Request, reaches the core as a GET that reads as TRACE
// (as on @hono/node-server) and is refused with the core's 405, instead of failing in the bridge
// (Express's HTML 500 and a logged error, before). CONNECT and TRACK never reach Express.
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { ocpiAdmin, ocpiRouter } from '../src/index.js'
import { CPO, EXPRESS_MAJORS, makeOcpi } from './platform.js'

describe.each(EXPRESS_MAJORS)('%s', (_, express) => {
  it('TRACE on an OCPI path and on the admin API is refused with the core’s 405, not an error', async () => {
    const ocpi = makeOcpi('http://cpo.test/ocpi', CPO)
    const app = express()
    app.use('/ocpi', ocpiRouter(ocpi))
    app.use('/admin', ocpiAdmin(ocpi))
    const errors: unknown[] = []
    app.use((error: unknown, _req: unknown, res: { status(n: number): { end(): void } }, _next: unknown) => {
      errors.push(error)
      res.status(500).end()
    })
    const core = await supertest(app).trace('/ocpi/versions')
    expect(core.status).toBe(405)
    expect(JSON.parse(core.text)).toMatchObject({
      status_code: 2000,
      status_message: 'TRACE is not supported here',
    })
    const admin = await supertest(app).trace('/admin/peers')
    expect(admin.status).toBe(405)
    expect(JSON.parse(admin.text)).toMatchObject({ code: 'ERR_OCPI_NOT_ALLOWED' })
    expect(errors).toEqual([])
  })
})
