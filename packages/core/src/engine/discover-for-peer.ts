import type { Context } from '../context.js'
import { OcpiError, type OcpiErrorCode } from '../errors.js'
import type { SealedToken } from '../model.js'
import { sealAhead } from '../tokens/sealing.js'
import { type Discovery, discover } from './discovery.js'
import { missingEndpoints } from './requirements.js'

const CALLBACK_CODES: ReadonlySet<OcpiErrorCode> = new Set([
  'ERR_OCPI_PEER_UNREACHABLE',
  'ERR_OCPI_PEER_TIMEOUT',
  'ERR_OCPI_PEER_HTTP',
  'ERR_OCPI_PEER_INVALID_RESPONSE',
  'ERR_OCPI_PEER_REFUSED',
  'ERR_OCPI_URL_REFUSED',
])

/**
 * Discovery made while a peer's POST or PUT is open (the callback), on the callback transport (no
 * retries, a short total budget): failures to use the peer's API
 * become `ERR_OCPI_CALLBACK_FAILED` (OCPI 3001) naming the step; an absent version stays
 * `ERR_OCPI_UNSUPPORTED_VERSION` (3002). The token the peer sent (the one discovery uses) is sealed
 * meanwhile, for the record to keep: WebCrypto's thread pool works while the HTTP does.
 *
 * @example
 * ```ts
 * const found = await discoverForPeer(ctx, { versionsUrl, token, version: '2.2.1', encoding: 'base64' })
 * const link = { endpoints: found.details.endpoints, outbound: found.outbound }
 * ```
 */
export async function discoverForPeer(
  ctx: Context,
  args: Parameters<typeof discover>[1],
): Promise<Discovery & { readonly outbound: SealedToken }> {
  const sealed = sealAhead(ctx.sealer, args.token)
  let found: Discovery
  try {
    found = await discover({ ...ctx, transport: ctx.callbackTransport }, args)
  } catch (error) {
    if (error instanceof OcpiError && CALLBACK_CODES.has(error.code)) {
      throw new OcpiError('ERR_OCPI_CALLBACK_FAILED', `unable to use your API: ${error.message}`, {
        cause: error,
        ...(error.step === undefined ? {} : { step: error.step }),
      })
    }
    throw error
  }
  const missing = missingEndpoints(ctx.config, found.details.endpoints, found.version)
  if (missing.length > 0) {
    throw new OcpiError('ERR_OCPI_MISSING_ENDPOINTS', `required endpoints missing: ${missing.join(', ')}`)
  }
  return { ...found, outbound: await sealed }
}
