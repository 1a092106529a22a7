import { OcpiError } from '../errors.js'
import type { TokenKind } from '../store/types.js'

/**
 * Which token kinds may do what on the credentials endpoint. Pure; throws `ERR_OCPI_NOT_ALLOWED` (405):
 * - POST needs a TOKEN_A (a registered peer's token gets 405: already registered);
 * - PUT and DELETE need a registered link's token (TOKEN_A or a pending registration: 405, not registered);
 * - GET is open to every valid token (a sender still holding TOKEN_A may read our credentials).
 *
 * @example
 * ```ts
 * assertCredentialsAccess('PUT', 'invitation') // throws: 405
 * ```
 */
export function assertCredentialsAccess(method: string, kind: TokenKind): void {
  switch (method) {
    case 'POST':
      if (kind !== 'invitation') {
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
      if (kind === 'invitation' || kind === 'pending-registration') {
        throw new OcpiError('ERR_OCPI_NOT_ALLOWED', 'not registered: register with POST first')
      }
      return
    default:
      return
  }
}
