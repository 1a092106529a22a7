// Two platforms in one process complete the OCPI credentials exchange through each other's web handler:
// a CPO invites, an eMSP registers, the link is used, rotated from both sides, and ended.
// Tokens are never printed, not even partly: a token shows as «token#xxxxxx», a fingerprint (the first
// 6 hex digits of its SHA-256), so the same token can be followed from step to step.
import { createHash } from 'node:crypto'
import { createOcpi, memoryStore } from '@ocpi-credentials/core'

const platforms = new Map()
const fingerprint = (value) => `token#${createHash('sha256').update(value).digest('hex').slice(0, 6)}`
const mask = (value) => {
  // A Base64 header value is shown by the fingerprint of the token it carries.
  try {
    const decoded = atob(value)
    if (/^[\x21-\x7E]+$/.test(decoded) && value.length % 4 === 0) return fingerprint(decoded)
  } catch {}
  return fingerprint(value)
}
const maskHeader = (header) =>
  header ? header.replace(/^(Token )(.*)$/, (_m, scheme, t) => `${scheme}${mask(t)}`) : '-'

// The "network": every request goes to the handler of the platform whose origin it names.
async function network(input, init) {
  const request = new Request(input, init)
  const target = platforms.get(new URL(request.url).origin)
  if (!target) throw new TypeError('fetch failed')
  const response = await target.serve(request)
  // Printed when the exchange completes: a callback made during a POST or PUT shows before that POST or PUT.
  console.log(
    `    ${request.method.padEnd(6)} ${request.url}  [${maskHeader(request.headers.get('authorization'))}] → ${response.status}`,
  )
  return response
}

function platform(name, origin, party, modules) {
  const key = crypto.getRandomValues(new Uint8Array(32))
  const ocpi = createOcpi({
    baseUrl: `${origin}/ocpi`,
    parties: [{ ...party, business_details: { name } }],
    modules,
    store: memoryStore(),
    sealingKeys: [{ kid: 'demo', key }],
    fetch: network,
  })
  const serve = async (request) => {
    const module = /\/(locations|tokens)(\/|$)/.exec(new URL(request.url).pathname)?.[1]
    if (!module) return ocpi.handle(request)
    const auth = await ocpi.authenticate(request, { module })
    if (!auth.ok) return auth.response
    return Response.json({ data: [], status_code: 1000, timestamp: new Date().toISOString() })
  }
  platforms.set(origin, { ocpi, serve })
  return ocpi
}

const cpo = platform(
  'Example CPO',
  'https://cpo.example.com',
  { role: 'CPO', country_code: 'NL', party_id: 'CPO' },
  [{ id: 'locations', role: 'SENDER' }],
)
const emsp = platform(
  'Example eMSP',
  'https://emsp.example.com',
  { role: 'EMSP', country_code: 'DE', party_id: 'MSP' },
  [{ id: 'tokens', role: 'SENDER' }],
)

const step = (text) => console.log(`\n● ${text}`)

step('The CPO admin creates an invitation (TOKEN_A) and hands it over offline')
const invitation = await cpo.invite({ expectedParties: [{ country_code: 'DE', party_id: 'MSP' }] })
console.log(`    TOKEN_A ${mask(invitation.token)}, versions URL ${invitation.versionsUrl}`)

step('The eMSP registers: discovery with TOKEN_A, POST credentials, the CPO discovers back, answers')
const onEmsp = await emsp.register({ versionsUrl: invitation.versionsUrl, token: invitation.token })
console.log(
  `    eMSP sees the CPO as ${onEmsp.state} on OCPI ${onEmsp.version} (${onEmsp.parties.map((p) => `${p.country_code}/${p.party_id}`)})`,
)
const onCpo = await cpo.getPeer(invitation.peerId)
console.log(`    CPO sees the eMSP as ${onCpo.state}, connection ${onCpo.connectionStatus}`)

step('The eMSP calls the CPO locations module through its outbound client')
const locations = await emsp.client(onEmsp.id).request('locations', 'SENDER')
console.log(`    status ${locations.status}, OCPI ${locations.statusCode}, ${JSON.stringify(locations.data)}`)

step('TOKEN_A is dead now')
const reuse = await network(`${invitation.versionsUrl}`, {
  headers: { authorization: `Token ${invitation.token}` },
})
if (reuse.status !== 401) throw new Error('TOKEN_A should be dead')

step('The eMSP rotates the tokens (PUT), then the CPO does')
await emsp.rotate(onEmsp.id)
await cpo.rotate(invitation.peerId)
const again = await cpo.client(invitation.peerId).request('tokens', 'SENDER')
console.log(`    the link still works both ways: OCPI ${again.statusCode}`)

step('The CPO ends the link (DELETE)')
const { remote } = await cpo.unregister(invitation.peerId)
console.log(
  `    the eMSP ${remote === 'confirmed' ? 'confirmed' : remote}; eMSP sees the CPO as ${(await emsp.getPeer(onEmsp.id)).state}`,
)

console.log('\n✓ the credentials exchange completed in both directions')
