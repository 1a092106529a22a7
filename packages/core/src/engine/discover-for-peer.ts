import type { Context } from '../context.js'
import { OcpiError, type OcpiErrorCode } from '../errors.js'
import type { SealedToken } from '../model.js'
import { sealAhead } from '../tokens/sealing.js'
import { withDeadline } from './deadline.js'
import { type Discovery, discover } from './discovery.js'
import { missingEndpoints } from './requirements.js'

/**
 * Time our callback discovery may take, all of its GETs together (the token-form probe can make four),
 * while a peer's POST or PUT waits for our answer: its own timeout is 30 s at least.
 */
export const CALLBACK_BUDGET_MS = 20_000

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
 * retries) and within {@link CALLBACK_BUDGET_MS} for all of its GETs: failures to use the peer's API
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
  // One deadline for the whole discovery: each GET's own limit would allow four times the budget.
  const deadline = withDeadline(
    ctx.callbackTransport,
    CALLBACK_BUDGET_MS,
    (step) => `${step}: our discovery took over ${CALLBACK_BUDGET_MS / 1000} s in all`,
  )
  let found: Discovery
  try {
    found = await discover({ ...ctx, transport: deadline.transport }, args)
  } catch (error) {
    if (error instanceof OcpiError && CALLBACK_CODES.has(error.code)) {
      // The peer is told the step only. The detail (an address range a name resolves to, a closed port,
      // an internal service's HTTP status) would let whoever holds a TOKEN_A map our network through the
      // URLs it hands us, as often as it likes: a refused POST leaves the TOKEN_A usable. Our log has it.
      ctx.log.warn?.('our callback discovery of a peer failed', {
        step: error.step ?? 'discovery',
        code: error.code,
        detail: error.message,
      })
      const step = error.step ?? 'discovery'
      throw new OcpiError(
        'ERR_OCPI_CALLBACK_FAILED',
        `unable to use your API (${step}); if this persists, ask our operators for the detail`,
        { cause: error, step },
      )
    }
    throw error
  } finally {
    deadline.done()
  }
  const missing = missingEndpoints(ctx.config, found.details.endpoints, found.version)
  if (missing.length > 0) {
    throw new OcpiError('ERR_OCPI_MISSING_ENDPOINTS', `required endpoints missing: ${missing.join(', ')}`)
  }
  return { ...found, outbound: await sealed }
}
