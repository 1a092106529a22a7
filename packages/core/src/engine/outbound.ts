import { OcpiError } from '../errors.js'
import type { OutboundToken, TokenEncoding } from '../model.js'
import { envelopeSchema } from '../protocol/schemas.js'
import { isModern, type SupportedVersion } from '../protocol/versions.js'
import { authorizationHeader } from '../tokens/authorization.js'
import type { OutboundRequest, OutboundResponse } from '../transport/transport.js'

/**
 * Builds an outbound request to a peer: the Authorization header in the given form, `X-Request-ID` and
 * `X-Correlation-ID` on 2.2+ (a fresh request id; the correlation id of the exchange), never routing
 * headers (these are configuration-module calls). Pure.
 *
 * @example
 * ```ts
 * const request = buildRequest({ method: 'GET', url, token, encoding: 'base64', version: '2.2.1', step: 'GET versions' })
 * ```
 */
export function buildRequest(args: {
  method: OutboundRequest['method']
  url: string
  token: OutboundToken
  encoding: TokenEncoding
  version: SupportedVersion | null
  step: string
  correlationId?: string
  body?: unknown
}): OutboundRequest {
  const headers: Record<string, string> = { authorization: authorizationHeader(args.token, args.encoding) }
  if (args.version === null || isModern(args.version)) {
    headers['x-request-id'] = crypto.randomUUID()
    headers['x-correlation-id'] = args.correlationId ?? crypto.randomUUID()
  }
  return args.body === undefined
    ? { method: args.method, url: args.url, headers, step: args.step }
    : { method: args.method, url: args.url, headers, step: args.step, body: args.body }
}

/**
 * Processes a peer's response into its envelope `data`: HTTP 2xx, a JSON envelope, an OCPI 1xxx status.
 * Throws an {@link OcpiError} naming the step otherwise. The peer's `status_message` is not copied into
 * the error: a careless peer may echo a token there.
 *
 * @example
 * ```ts
 * const data = processEnvelope(response, 'GET versions')
 * ```
 */
export function processEnvelope(response: OutboundResponse, step: string): unknown {
  if (response.status < 200 || response.status > 299) {
    throw new OcpiError('ERR_OCPI_PEER_HTTP', `${step}: the peer answered HTTP ${response.status}`, { step })
  }
  if (!response.body.ok) {
    const what = response.body.reason === 'empty' ? 'an empty body' : 'a body that is not JSON'
    throw new OcpiError('ERR_OCPI_PEER_INVALID_RESPONSE', `${step}: the peer answered ${what}`, { step })
  }
  const envelope = envelopeSchema.safeParse(response.body.value)
  if (!envelope.success) {
    throw new OcpiError(
      'ERR_OCPI_PEER_INVALID_RESPONSE',
      `${step}: the peer's answer is not an OCPI envelope`,
      {
        step,
      },
    )
  }
  const code = envelope.data.status_code
  if (code < 1000 || code > 1999) {
    throw new OcpiError('ERR_OCPI_PEER_REFUSED', `${step}: the peer answered OCPI status ${code}`, { step })
  }
  return envelope.data.data
}
