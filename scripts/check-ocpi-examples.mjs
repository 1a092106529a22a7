// Checks that the protocol parsers accept every official OCPI example (versions and credentials) in
// ../shared/ocpi-examples (beside the project's root). Fails when the folder is missing or any file is
// refused. Runs against the built @ocpi-credentials/core, as a user would import it.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  credentials22Schema,
  envelopeSchema,
  versionDetailsSchema,
  versionListSchema,
} from '../packages/core/dist/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const folder = process.env.OCPI_EXAMPLES_DIR ?? join(root, '..', 'shared', 'ocpi-examples')
let stat
try {
  stat = statSync(folder)
} catch {
  console.error(`check-ocpi-examples: ${folder} is missing`)
  process.exit(1)
}
if (!stat.isDirectory()) {
  console.error(`check-ocpi-examples: ${folder} is not a folder`)
  process.exit(1)
}

/** Which schema a file's `data` must satisfy, by its name. */
function schemaFor(name) {
  if (name.includes('credentials')) return ['credentials (2.2+)', credentials22Schema]
  if (name.includes('version_details')) return ['version details', versionDetailsSchema]
  if (name.includes('version_info') || name.includes('versions_info'))
    return ['versions list', versionListSchema]
  return null
}

const files = []
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path)
    else if (entry.name.endsWith('.json')) files.push(path)
  }
}
walk(folder)

let passed = 0
let failed = 0
for (const file of files.sort()) {
  const name = relative(folder, file)
  const target = schemaFor(file.split('/').pop())
  if (target === null) {
    console.error(`FAIL ${name}: no parser is known for this example`)
    failed++
    continue
  }
  let json
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    console.error(`FAIL ${name}: not JSON (${error.message})`)
    failed++
    continue
  }
  // Examples are either a full response envelope or the bare object.
  const envelope = envelopeSchema.safeParse(json)
  const data = envelope.success && 'data' in json ? envelope.data.data : json
  const result = target[1].safeParse(data)
  if (result.success) {
    console.log(`ok   ${name} (${target[0]})`)
    passed++
  } else {
    console.error(
      `FAIL ${name} (${target[0]}): ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
    failed++
  }
}
if (files.length === 0) {
  console.error(`check-ocpi-examples: no JSON files in ${folder}`)
  process.exit(1)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
