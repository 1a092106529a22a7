// Test-only host names for a platform process: `node --import ./test-hosts.mjs server.mjs` with
// TEST_HOSTS='[["internal.test","127.0.0.1"]]' makes those names resolve as given through `dns.lookup`
// (what Node's sockets and the SDK's createNodeFetch ask), as an /etc/hosts entry would, portably and
// without root. Any other name resolves as usual.
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'

const names = new Map(JSON.parse(process.env.TEST_HOSTS ?? '[]'))
const systemLookup = dns.lookup
dns.lookup = function lookup(hostname, options, callback) {
  const address = names.get(String(hostname).toLowerCase())
  if (address === undefined) return systemLookup.call(this, hostname, options, callback)
  const done = typeof options === 'function' ? options : callback
  const wanted = typeof options === 'object' && options !== null ? options : {}
  const family = address.includes(':') ? 6 : 4
  process.nextTick(() => (wanted.all ? done(null, [{ address, family }]) : done(null, address, family)))
}
// ESM importers of `lookup` from 'node:dns' (the SDK's guarded lookup) see the replacement too.
syncBuiltinESMExports()
