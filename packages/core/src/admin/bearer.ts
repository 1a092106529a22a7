import { OcpiConfigError } from '../errors.js'
import { digestToken } from '../tokens/digest.js'

/**
 * An `authorize` for {@link createAdminHandler} (and the bindings' admin mounts) that accepts exactly
 * `Authorization: Bearer <secret>`. The header is compared by its SHA-256 digest, so the time of a
 * refusal tells at most how much of a guess's digest matched, nothing of the secret (a plain `===` on the
 * header tells how much of the secret a guess got right). A secret shorter than 16 characters throws
 * {@link OcpiConfigError} at creation.
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
  const expected = digestToken(`Bearer ${secret}`)
  return (request) => {
    const header = request.headers.get('authorization')
    return header !== null && digestToken(header) === expected
  }
}
