import { OcpiError } from '../errors.js'
import type { Transport } from '../transport/transport.js'

/**
 * A transport whose calls, all of them together, end `ms` from now: each call gets an abort signal that
 * fires then, with `ERR_OCPI_PEER_TIMEOUT` naming the step under way (`message` says the rest). Each
 * call's own limits still apply. `done()` clears the timer; call it when the flow ends. Internal.
 *
 * @example
 * ```ts
 * const deadline = withDeadline(ctx.transport, 20_000, (step) => `${step}: over 20 s in all`)
 * try {
 *   await discover({ ...ctx, transport: deadline.transport }, args)
 * } finally {
 *   deadline.done()
 * }
 * ```
 */
export function withDeadline(
  transport: Transport,
  ms: number,
  message: (step: string) => string,
): { readonly transport: Transport; readonly done: () => void } {
  const deadline = new AbortController()
  let step: string | undefined // the step under way when the deadline passes
  const timer = setTimeout(() => {
    const under = step ?? 'start'
    deadline.abort(new OcpiError('ERR_OCPI_PEER_TIMEOUT', message(under), { step: under }))
  }, ms)
  ;(timer as { unref?: () => void }).unref?.()
  return {
    transport: {
      send: (request) => {
        step = request.step
        return transport.send({
          ...request,
          signal:
            request.signal === undefined
              ? deadline.signal
              : AbortSignal.any([request.signal, deadline.signal]),
        })
      },
    },
    done: () => clearTimeout(timer),
  }
}
