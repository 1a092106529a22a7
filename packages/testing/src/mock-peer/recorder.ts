import type { MockVersion } from './options.js'
import type {
  MockPeerExchange,
  MockPeerRecordedResponse,
  MockPeerViolation,
  MockPeerViolationCode,
} from './records.js'

/**
 * An exchange while it is being recorded: the response, error, fault and violations are filled in as
 * the exchange goes on.
 *
 * @example
 * ```ts
 * const exchange = recorder.start({ direction: 'inbound', target: 'GET versions', … })
 * exchange.flag('request-id-missing', 'X-Request-ID is required on 2.2.1')
 * ```
 */
export interface LiveExchange extends MockPeerExchange {
  response: MockPeerRecordedResponse | null
  error: string | null
  fault: string | null
  readonly violations: MockPeerViolation[]
  /** Records a violation. */
  flag(code: MockPeerViolationCode, message: string): void
  /** Withdraws a violation recorded with exactly that code and message (the first one), if any. */
  unflag(code: MockPeerViolationCode, message: string): void
  /** Notes a fault mode that shaped the exchange (several are joined with `, `). */
  mark(fault: string): void
}

/**
 * What starts an exchange record.
 *
 * @example
 * ```ts
 * const start: ExchangeStart = { direction: 'outbound', target: 'GET versions', version: null, method: 'GET', url, headers: {}, body: undefined }
 * ```
 */
export interface ExchangeStart {
  readonly direction: 'inbound' | 'outbound'
  readonly target: string
  readonly version: MockVersion | null
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/**
 * The mock's log of exchanges.
 *
 * @example
 * ```ts
 * const recorder = createRecorder()
 * recorder.all() // []
 * ```
 */
export interface Recorder {
  start(init: ExchangeStart): LiveExchange
  all(): readonly MockPeerExchange[]
  reset(): void
}

/**
 * Headers as a plain object with lower-case names.
 *
 * @example
 * ```ts
 * headerRecord(new Headers({ 'X-Request-ID': '1' })) // { 'x-request-id': '1' }
 * ```
 */
export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name.toLowerCase()] = value
  })
  return record
}

/**
 * Creates an empty recorder.
 *
 * @example
 * ```ts
 * const recorder = createRecorder()
 * ```
 */
export function createRecorder(): Recorder {
  let exchanges: LiveExchange[] = []
  let sequence = 0
  return {
    start(init) {
      const violations: MockPeerViolation[] = []
      const exchange: LiveExchange = {
        ...init,
        id: ++sequence,
        response: null,
        error: null,
        fault: null,
        violations,
        flag(code, message) {
          violations.push({ code, message })
        },
        unflag(code, message) {
          const index = violations.findIndex((v) => v.code === code && v.message === message)
          if (index >= 0) violations.splice(index, 1)
        },
        mark(fault) {
          exchange.fault = exchange.fault === null ? fault : `${exchange.fault}, ${fault}`
        },
      }
      exchanges.push(exchange)
      return exchange
    },
    all() {
      return exchanges.map(({ flag: _flag, unflag: _unflag, mark: _mark, ...exchange }) => ({
        ...exchange,
        violations: [...exchange.violations],
      }))
    },
    reset() {
      exchanges = []
    },
  }
}
