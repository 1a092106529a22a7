// The README's demo: a CPO on Express and an eMSP on Hono, each on its own loopback port, run the whole
// story: invite → register → an authenticated module call through the outbound client → rotate →
// unregister. Every HTTP exchange is printed; tokens never are, not even partly: a token shows as
// «token#xxxxxx», the first 6 hex digits of its SHA-256, so the same token can be followed.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { serve } from '@hono/node-server'
import { createOcpi, memoryStore } from '@ocpi-credentials/core'
import { createNodeFetch } from '@ocpi-credentials/core/node'
import { ocpiAuth as expressAuth, ocpiPeerOf, ocpiRouter } from '@ocpi-credentials/express'
import { ocpiAuth as honoAuth, ocpiRoutes } from '@ocpi-credentials/hono'
import express from 'express'
import { Hono } from 'hono'

const fingerprint = (token) => `token#${createHash('sha256').update(token).digest('hex').slice(0, 6)}`
function showAuthorization(header) {
  if (!header) return '-'
  const value = header.replace(/^Token\s+/i, '')
  const decoded =
    /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0
      ? Buffer.from(value, 'base64').toString()
      : ''
  return /^[\x21-\x7E]+$/.test(decoded)
    ? `Token base64(${fingerprint(decoded)})`
    : `Token ${fingerprint(value)}`
}
const indent = '      '
const urlPolicy = { allowInsecure: true } // loopback http, for the demo only
// On Node, the fetch that applies the URL policy to the addresses a host name resolves to, too.
const nodeFetch = createNodeFetch({ urlPolicy })
/** A fetch that prints each exchange an SDK instance makes. */
const loggingFetch = (who) => async (input, init) => {
  const request = new Request(input, init)
  const response = await nodeFetch(request)
  console.log(
    `${indent}${who} ${request.method.padEnd(6)} ${request.url} [${showAuthorization(request.headers.get('authorization'))}] → ${response.status}`,
  )
  return response
}
const common = (name, party) => ({
  parties: [{ ...party, business_details: { name } }],
  store: memoryStore(),
  sealingKeys: [{ kid: 'demo', key: crypto.getRandomValues(new Uint8Array(32)) }],
  urlPolicy,
})

// The CPO, on Express.
const cpoApp = express()
const cpoServer = createServer(cpoApp).listen(0, '127.0.0.1')
await once(cpoServer, 'listening')
const cpoBase = `http://127.0.0.1:${cpoServer.address().port}/ocpi`
const cpo = createOcpi({
  ...common('Demo CPO', { role: 'CPO', country_code: 'NL', party_id: 'CPO' }),
  baseUrl: cpoBase,
  modules: [{ id: 'locations', role: 'SENDER' }],
  fetch: loggingFetch('CPO '),
})
cpoApp.get('/ocpi/:version/locations', expressAuth(cpo, { module: 'locations' }), (_req, res) => {
  const peer = ocpiPeerOf(res)
  res.json({
    data: [{ id: 'LOC1', for: peer.parties.map((p) => `${p.country_code}/${p.party_id}`) }],
    status_code: 1000,
    timestamp: new Date().toISOString(),
  })
})
cpoApp.use('/ocpi', ocpiRouter(cpo))

// The eMSP, on Hono.
const emspApp = new Hono()
const emspServer = serve({ fetch: emspApp.fetch, port: 0, hostname: '127.0.0.1' })
await once(emspServer, 'listening')
const emspBase = `http://127.0.0.1:${emspServer.address().port}/ocpi`
const emsp = createOcpi({
  ...common('Demo eMSP', { role: 'EMSP', country_code: 'DE', party_id: 'MSP' }),
  baseUrl: emspBase,
  modules: [{ id: 'tokens', role: 'SENDER' }],
  fetch: loggingFetch('eMSP'),
})
emspApp.get('/ocpi/:version/tokens', honoAuth(emsp, { module: 'tokens' }), (c) =>
  c.json({ data: [], status_code: 1000, timestamp: new Date().toISOString() }),
)
emspApp.route('/ocpi', ocpiRoutes(emsp))

const step = (text) => console.log(`\n● ${text}`)
let failed = false
try {
  console.log(`CPO  (Express) at ${cpoBase}\neMSP (Hono)    at ${emspBase}`)

  step('The CPO admin invites the eMSP: a TOKEN_A, handed over offline with the versions URL')
  const invitation = await cpo.invite({ expectedParties: [{ country_code: 'DE', party_id: 'MSP' }] })
  console.log(`${indent}TOKEN_A ${fingerprint(invitation.token)}, ${invitation.versionsUrl}`)

  step('The eMSP registers (the CPO discovers the eMSP back before answering its POST)')
  const cpoOnEmsp = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
  console.log(`${indent}→ the eMSP sees the CPO as ${cpoOnEmsp.state}, OCPI ${cpoOnEmsp.version}`)
  console.log(
    `${indent}→ the CPO sees the eMSP as ${(await cpo.getPeer(invitation.peerId)).connectionStatus}`,
  )

  step('The eMSP calls the CPO locations module through its outbound client')
  const locations = await emsp.client(cpoOnEmsp.id).request('locations', 'SENDER')
  console.log(
    `${indent}→ HTTP ${locations.status}, OCPI ${locations.statusCode}, ${JSON.stringify(locations.data)}`,
  )

  step('The CPO rotates the tokens of the link (PUT, committed only on success)')
  await cpo.rotate(invitation.peerId)
  const again = await emsp.client(cpoOnEmsp.id).request('locations', 'SENDER')
  console.log(`${indent}→ the link still works: OCPI ${again.statusCode}`)

  step('The eMSP ends the link (DELETE)')
  const { remote } = await emsp.unregister(cpoOnEmsp.id)
  console.log(
    `${indent}→ the CPO ${remote}; it sees the eMSP as ${(await cpo.getPeer(invitation.peerId)).state}`,
  )
  console.log('\n✓ the credentials exchange ran in both directions over HTTP')
} catch (error) {
  failed = true
  console.error(`\n✗ ${error.code ?? error.name}: ${error.message}`)
} finally {
  cpoServer.close()
  emspServer.close()
}
process.exit(failed ? 1 : 0)
