// Reads the platform's configuration from the environment (documented in README.md); every problem is
// reported at once and the process exits 1 before listening.
const ROLES = new Set(['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP', 'PTP'])
const VERSIONS = new Set(['2.1.1', '2.2.1', '2.3.0'])

export function readConfig(env) {
  const problems = []
  const given = (name) => (env[name] === undefined || env[name].trim() === '' ? undefined : env[name].trim())
  const port = Number(given('PORT') ?? '3000')
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('PORT must be a port number (0 picks a free one)')
  const publicUrl = given('PUBLIC_URL') ?? null
  if (publicUrl !== null && !isBaseUrl(publicUrl)) {
    problems.push(
      'PUBLIC_URL must be an http(s) URL without query or fragment, e.g. https://ocpi.example.com/base',
    )
  }
  const insecure = given('OCPI_ALLOW_INSECURE_URLS')
  if (insecure !== undefined && !FLAGS.has(insecure.toLowerCase())) {
    problems.push('OCPI_ALLOW_INSECURE_URLS must be 1, true, yes, on, or 0, false, no, off')
  }
  const host = given('HOST') ?? '127.0.0.1'
  const adminToken = env.ADMIN_TOKEN ?? ''
  if (adminToken.length < 16) problems.push('ADMIN_TOKEN is required (16 characters or more)')
  const parties = (given('OCPI_PARTIES') ?? 'CPO:NL:EXA')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [role, country_code, party_id] = entry.split(':')
      if (
        !ROLES.has(role) ||
        !/^[A-Za-z]{2}$/.test(country_code ?? '') ||
        !/^[A-Za-z0-9]{1,3}$/.test(party_id ?? '')
      ) {
        problems.push(`OCPI_PARTIES: "${entry}" is not ROLE:CC:PID`)
      }
      return {
        role,
        country_code,
        party_id,
        business_details: { name: `${country_code}*${party_id} ${role}` },
      }
    })
  const versions = given('OCPI_VERSIONS')
    ?.split(',')
    .map((v) => v.trim()) ?? [...VERSIONS]
  for (const v of versions) if (!VERSIONS.has(v)) problems.push(`OCPI_VERSIONS: unknown version "${v}"`)
  const framework = given('FRAMEWORK') ?? 'hono'
  if (framework !== 'hono' && framework !== 'express') problems.push('FRAMEWORK must be hono or express')
  const store = parseStore(given('STORE') ?? 'memory', given('STORE_SCHEMA'))
  if (typeof store === 'string') problems.push(store)
  let sealingKey = null
  if (env.SEALING_KEY) {
    sealingKey = Buffer.from(env.SEALING_KEY, 'base64')
    if (sealingKey.length !== 32) problems.push('SEALING_KEY must be the Base64 of 32 bytes')
  } else if (typeof store !== 'string' && store.kind !== 'memory') {
    // A generated key dies with the process: the outbound tokens a durable store keeps would be lost.
    problems.push('SEALING_KEY is required with a durable STORE (Base64 of 32 bytes)')
  }
  return {
    problems,
    port,
    host,
    adminToken,
    parties,
    versions,
    framework,
    store,
    sealingKey,
    publicUrl,
  }
}

const FLAGS = new Map([
  ['1', true],
  ['true', true],
  ['yes', true],
  ['on', true],
  ['0', false],
  ['false', false],
  ['no', false],
  ['off', false],
])

function isBaseUrl(value) {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === ''
}

/** The path PUBLIC_URL puts the platform under (`/base` for `https://x.example.com/base/`), or ''. */
export function basePathOf(publicUrl) {
  return new URL(publicUrl).pathname.replace(/\/+$/, '')
}

/**
 * `memory`, `sqlite:PATH` or `postgres:URL` (the URL itself may also be given alone, `postgres://…`).
 * Returns the store's description, or a problem.
 */
export function parseStore(value, schema) {
  if (value === 'memory') return { kind: 'memory' }
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length)
    return path.length > 0 ? { kind: 'sqlite', path } : 'STORE: sqlite:PATH needs a file path'
  }
  const url =
    value.startsWith('postgres:') && !value.startsWith('postgres://')
      ? value.slice('postgres:'.length)
      : value
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
      return 'STORE_SCHEMA must be a lowercase identifier (letters, digits, _)'
    }
    return { kind: 'postgres', url, schema: schema ?? 'public' }
  }
  // Never echo the value: a database URL may carry a password.
  return 'STORE must be memory, sqlite:PATH or postgres:URL'
}

/** Insecure peer URLs (http, loopback) are allowed when asked, or by default when we are http on loopback ourselves. */
export function allowInsecure(env, publicUrl) {
  const flag = env.OCPI_ALLOW_INSECURE_URLS?.trim().toLowerCase()
  if (flag !== undefined && flag !== '') return FLAGS.get(flag) === true
  const url = new URL(publicUrl)
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}
