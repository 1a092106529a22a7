import { sha256 } from '@noble/hashes/sha2.js'
import { OcpiConfigError } from '../errors.js'

const encoder = new TextEncoder()

/**
 * An `authorize` for {@link createAdminHandler} (and the bindings' admin mounts) that accepts exactly
 * `Authorization: Bearer <secret>`. The header is compared by SHA-256 digest in constant time, so the
 * time of a refusal tells nothing of how much of the secret a guess got right (a plain `===` on the
 * header does). A secret shorter than 16 characters throws {@link OcpiConfigError} at creation.
 *
 * @example
 * ```ts
 * const admin = createAdminHandler(ocpi, { authorize: bearerAuthorizer(process.env['ADMIN_TOKEN'] ?? '') })
 * ```
 */
export function bearerAuthorizer(secret: string): (request: Request) => boolean {
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new OcpiConfigError('the admin bearer secret must be a string of at least 16 characters')
  }
  const expected = sha256(encoder.encode(`Bearer ${secret}`))
  return (request) => {
    const header = request.headers.get('authorization')
    if (header === null) return false
    const presented = sha256(encoder.encode(header))
    let difference = 0
    for (let i = 0; i < expected.length; i++) difference |= (expected[i] as number) ^ (presented[i] as number)
    return difference === 0
  }
}
