// Reading a peer's response body under a hard byte cap and a deadline, then decoding it as JSON.

/**
 * A peer's response body: the parsed JSON value, or why there is none. The caller decides what an
 * empty or non-JSON body means for its step.
 *
 * @example
 * ```ts
 * const body: ResponseBody = { ok: false, reason: 'not-json' }
 * if (!body.ok && body.reason === 'empty') console.log('the peer sent no body')
 * ```
 */
export type ResponseBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'empty' | 'not-json' }

/**
 * The outcome of {@link readCappedBody}.
 *
 * @example
 * ```ts
 * const read: CappedRead = await readCappedBody(response.body, 1024, AbortSignal.timeout(1000))
 * if (read.kind === 'complete') console.log(read.bytes.byteLength)
 * ```
 */
export type CappedRead =
  | { readonly kind: 'complete'; readonly bytes: Uint8Array }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'failed'; readonly error: unknown }

const ignore = (): undefined => undefined
// Stateless between calls (no `stream` option): one decoder serves every body.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a body stream to the end, counting bytes as they arrive: past `maxBytes` it cancels the stream
 * and reports `too-large` (a `Content-Length` header is not trusted). When `signal` aborts it cancels
 * the stream and reports `aborted`; a stream error is reported as `failed`. Never throws.
 *
 * @example
 * ```ts
 * const read = await readCappedBody(response.body, 1_048_576, AbortSignal.timeout(10_000))
 * if (read.kind === 'too-large') throw new Error('response too large')
 * ```
 */
export async function readCappedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
): Promise<CappedRead> {
  if (body === null) return { kind: 'complete', bytes: new Uint8Array(0) }
  if (signal.aborted) {
    void body.cancel().catch(ignore)
    return { kind: 'aborted' }
  }
  const reader = body.getReader()
  const cancel = (): void => void reader.cancel().catch(ignore)
  // Raced against every read, not left to the cancel: a stream that is not quite standard (the `fetch`
  // is injectable) might never settle a pending read, and the deadline must hold regardless.
  let onAbort: () => void = ignore
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    signal.addEventListener('abort', onAbort, { once: true })
  })
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), aborted])
      if (next === 'aborted') {
        cancel()
        return { kind: 'aborted' }
      }
      if (next.done) break
      total += next.value.byteLength
      if (total > maxBytes) {
        cancel()
        return { kind: 'too-large' }
      }
      chunks.push(next.value)
    }
  } catch (error) {
    cancel()
    return signal.aborted ? { kind: 'aborted' } : { kind: 'failed', error }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { kind: 'complete', bytes }
}

/**
 * Decodes a complete body as UTF-8 JSON (a leading BOM is ignored). No bytes, or only whitespace, is
 * `empty`; invalid UTF-8 or invalid JSON is `not-json`.
 *
 * @example
 * ```ts
 * parseJsonBody(new TextEncoder().encode('{"status_code":1000}')) // { ok: true, value: { status_code: 1000 } }
 * parseJsonBody(new Uint8Array(0)) // { ok: false, reason: 'empty' }
 * ```
 */
export function parseJsonBody(bytes: Uint8Array): ResponseBody {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { ok: false, reason: 'not-json' }
  }
  if (text.trim() === '') return { ok: false, reason: 'empty' }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, reason: 'not-json' }
  }
}
