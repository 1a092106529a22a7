import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { OutboundToken, TokenEncoding } from '../model.js'
import type { SupportedVersion } from '../protocol/versions.js'
import { buildRequest, processEnvelope } from './outbound.js'

/**
 * Whether a failed credentials POST or PUT may have been committed by the peer: transport failures and
 * answers that are not a clear refusal (5xx, a body we cannot read) leave the outcome unknown; a 4xx or
 * an OCPI error status is a refusal, so nothing was committed. Pure.
 *
 * @example
 * ```ts
 * if (mayHaveCommitted(error)) await keepPendingToken()
 * ```
 */
export function mayHaveCommitted(error: unknown): boolean {
  if (!(error instanceof OcpiError)) return true
  switch (error.code) {
    case 'ERR_OCPI_PEER_REFUSED':
    case 'ERR_OCPI_URL_REFUSED':
    case 'ERR_OCPI_INVALID_INPUT':
      return false
    case 'ERR_OCPI_PEER_HTTP':
      return !/HTTP 4\d\d/.test(error.message)
    default:
      return true
  }
}

/**
 * Whether a peer whose call failed this way may still be at work on it: our timeout ran out, the
 * connection failed, or a gateway answered for it (502, 503, 504). Not when the peer itself answered
 * (an unreadable body, a 500): its handler had finished. Used after {@link mayHaveCommitted} said yes.
 *
 * @example
 * ```ts
 * if (mayStillBeAtWork(failure)) await wait(ctx.lateCommitRecheckMs)
 * ```
 */
export function mayStillBeAtWork(error: unknown): boolean {
  if (!(error instanceof OcpiError)) return true
  switch (error.code) {
    case 'ERR_OCPI_PEER_TIMEOUT':
    case 'ERR_OCPI_PEER_UNREACHABLE':
      return true
    case 'ERR_OCPI_PEER_HTTP':
      return /HTTP 50[234]\b/.test(error.message)
    default:
      return false
  }
}

/**
 * Sends a credentials POST, PUT or DELETE (never retried) and returns the envelope's `data`.
 *
 * @example
 * ```ts
 * const data = await sendCredentials(ctx, { method: 'PUT', url, token, encoding, version, body })
 * ```
 */
export async function sendCredentials(
  ctx: Context,
  args: {
    method: 'POST' | 'PUT' | 'DELETE'
    url: string
    token: OutboundToken
    encoding: TokenEncoding
    version: SupportedVersion
    body?: unknown
  },
): Promise<{ status: number; data: unknown }> {
  const step = `${args.method} credentials`
  const response = await ctx.transport.send(buildRequest({ ...args, step }))
  if (args.method === 'DELETE' && (response.status === 405 || response.status === 401)) {
    return { status: response.status, data: undefined }
  }
  // What a DELETE answers on success is not specified (reference §2.3): a 2xx without a body (a 204, an
  // empty 200) confirms too. A body, when there is one, must still be an envelope saying success.
  const bodyless = !response.body.ok && response.body.reason === 'empty'
  if (args.method === 'DELETE' && response.status >= 200 && response.status <= 299 && bodyless) {
    return { status: response.status, data: undefined }
  }
  return { status: response.status, data: processEnvelope(response, step) }
}

/**
 * After a registration POST failed in a way the peer may have committed, asks the peer whether our
 * TOKEN_A still works (one GET of its versions): `true` when it does (nothing was committed, a retry
 * with the same TOKEN_A is safe), `false` when the peer refuses it (consumed: the peer registered us),
 * `null` when we cannot tell.
 *
 * @example
 * ```ts
 * const stillValid = await invitationStillValid(ctx, versionsUrl, tokenA, 'base64')
 * ```
 */
export async function invitationStillValid(
  ctx: Context,
  versionsUrl: string,
  token: OutboundToken,
  encoding: TokenEncoding,
): Promise<boolean | null> {
  try {
    const response = await ctx.transport.send(
      buildRequest({
        method: 'GET',
        url: versionsUrl,
        token,
        encoding,
        version: null,
        step: 'GET versions (check)',
      }),
    )
    if (response.status === 401) return false
    return response.status >= 200 && response.status < 300 ? true : null
  } catch {
    return null
  }
}
