// Turning an OutboundRequest's headers and body into what goes on the wire, refusing what cannot.
import { OcpiError } from '../errors.js'
import type { OutboundRequest } from './transport.js'

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * The request's headers plus `Accept: application/json`. An invalid header name or value (e.g. a line
 * break smuggled into a token) is refused with `ERR_OCPI_INVALID_INPUT`; the value is never echoed.
 *
 * @example
 * ```ts
 * buildRequestHeaders(request, 'GET versions: GET https://peer.example.com').get('accept') // 'application/json'
 * ```
 */
export function buildRequestHeaders(request: OutboundRequest, label: string): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    try {
      headers.set(name, value)
    } catch {
      const which = HEADER_NAME.test(name) ? `header "${name}"` : 'a header'
      throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${label}: ${which} has an invalid name or value`, {
        step: request.step,
      })
    }
  }
  headers.set('accept', 'application/json')
  return headers
}

/**
 * The request body as UTF-8 JSON bytes, or `undefined` when there is none. Refused with
 * `ERR_OCPI_INVALID_INPUT` (so nothing is sent): a body on a GET, a value JSON cannot represent, and a
 * body over `maxBytes`.
 *
 * @example
 * ```ts
 * encodeRequestBody({ ...request, method: 'POST', body: { token: 'abc' } }, label, 262_144) // Uint8Array
 * ```
 */
export function encodeRequestBody(
  request: OutboundRequest,
  label: string,
  maxBytes: number,
): Uint8Array<ArrayBuffer> | undefined {
  if (request.body === undefined) return undefined
  const { step } = request
  if (request.method === 'GET') {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `${label}: a GET request cannot carry a body`, { step })
  }
  let json: string | undefined
  try {
    json = JSON.stringify(request.body)
  } catch {
    json = undefined
  }
  if (json === undefined) {
    const message = `${label}: the request body cannot be serialized to JSON`
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', message, { step })
  }
  const bytes = new TextEncoder().encode(json)
  if (bytes.byteLength > maxBytes) {
    const message = `${label}: the request body is ${bytes.byteLength} bytes, over the limit of ${maxBytes}`
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', message, { step })
  }
  return bytes
}
