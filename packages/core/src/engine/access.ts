import { OcpiError } from '../errors.js'
import type { TokenKind } from '../store/types.js'

/**
 * Which token kinds may do what on the credentials endpoint. Pure; throws `ERR_OCPI_NOT_ALLOWED` (405):
 * - POST needs a TOKEN_A (a registered peer's token gets 405: already registered);
 * - PUT and DELETE need a registered link's token (TOKEN_A or a pending registration: 405, not registered);
 * - GET is open to every valid token (a sender still holding TOKEN_A may read our credentials).
 * A consumed TOKEN_A is valid for nothing but the replay of its registration POST: {@link assertTokenScope}.
 *
 * @example
 * ```ts
 * assertCredentialsAccess('PUT', 'invitation') // throws: 405
 * ```
 */
export function assertCredentialsAccess(method: string, kind: TokenKind): void {
  switch (method) {
    case 'POST':
      if (kind !== 'invitation' && kind !== 'consumed-invitation') {
        throw new OcpiError(
          'ERR_OCPI_NOT_ALLOWED',
          kind === 'pending-registration'
            ? 'a registration between us is already under way'
            : 'already registered: use PUT to update credentials',
        )
      }
      return
    case 'PUT':
    case 'DELETE':
      if (kind === 'invitation' || kind === 'consumed-invitation' || kind === 'pending-registration') {
        throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'not registered: register with POST first')
      }
      return
    default:
      return
  }
}

/**
 * A consumed TOKEN_A (kept for the replay window) answers 401 everywhere except a credentials POST,
 * exactly like a token we never issued. Pure.
 *
 * @example
 * ```ts
 * assertTokenScope('consumed-invitation', { credentialsPost: false }) // throws: 401
 * ```
 */
export function assertTokenScope(kind: TokenKind, target: { credentialsPost: boolean }): void {
  if (kind === 'consumed-invitation' && !target.credentialsPost) {
    throw new OcpiError('ERR_OCPI_UNAUTHORIZED', 'unknown token')
  }
}
