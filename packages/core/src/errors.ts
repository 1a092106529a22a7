/**
 * Every error code the SDK throws. A closed union, so `switch (err.code)` narrows.
 *
 * @example
 * ```ts
 * try { await ocpi.invite() } catch (err) {
 *   if (err instanceof OcpiError && err.code === 'ERR_OCPI_CONFIG') console.error(err.message)
 * }
 * ```
 */
export type OcpiErrorCode =
  | 'ERR_OCPI_CONFIG'
  | 'ERR_OCPI_INVALID_INPUT'
  | 'ERR_OCPI_INVALID_JSON'
  | 'ERR_OCPI_PAYLOAD_TOO_LARGE'
  | 'ERR_OCPI_UNAUTHORIZED'
  | 'ERR_OCPI_CROSS_SITE'
  | 'ERR_OCPI_NOT_ALLOWED'
  | 'ERR_OCPI_NOT_FOUND'
  | 'ERR_OCPI_PARTY_NOT_EXPECTED'
  | 'ERR_OCPI_ORIGIN_NOT_EXPECTED'
  | 'ERR_OCPI_CALLBACK_FAILED'
  | 'ERR_OCPI_URL_REFUSED'
  | 'ERR_OCPI_PEER_UNREACHABLE'
  | 'ERR_OCPI_PEER_TIMEOUT'
  | 'ERR_OCPI_PEER_HTTP'
  | 'ERR_OCPI_PEER_INVALID_RESPONSE'
  | 'ERR_OCPI_PEER_REFUSED'
  | 'ERR_OCPI_UNSUPPORTED_VERSION'
  | 'ERR_OCPI_MISSING_ENDPOINTS'
  | 'ERR_OCPI_UNKNOWN_PEER'
  | 'ERR_OCPI_WRONG_STATE'
  | 'ERR_OCPI_NOT_CONNECTED'
  | 'ERR_OCPI_CONFLICT'
  | 'ERR_OCPI_OUTCOME_UNKNOWN'
  | 'ERR_OCPI_SEALING'
  | 'ERR_OCPI_STORE'

/**
 * Where an SDK error keeps the names of its classes (`['OcpiConfigError', 'OcpiError']`), so that
 * `instanceof` holds across copies of this package: its ESM and CommonJS builds both loaded by one app
 * (a `require` here, an `import` there), or two versions side by side.
 */
const KINDS = Symbol.for('@ocpi-credentials/core:error-kinds')

/**
 * The one base class of every error the SDK throws. Messages never contain a token, whole or in part:
 * they name the step, the peer id and the URL at most. `instanceof OcpiError` (and `OcpiConfigError`)
 * also recognises errors made by another copy of the package (its CommonJS and ESM builds loaded side
 * by side, or two versions).
 *
 * @example
 * ```ts
 * if (err instanceof OcpiError) log.warn({ code: err.code, step: err.step }, err.message)
 * ```
 */
export class OcpiError extends Error {
  /** The machine-readable code. */
  readonly code: OcpiErrorCode
  /** The step that failed, for outbound operations (e.g. `GET versions`, `GET version details`). */
  readonly step: string | undefined

  /**
   * Creates an error with its code; `name` is the concrete class's name.
   *
   * @param code - The machine-readable code.
   * @param message - A message for humans; never a token.
   * @param options - `cause`, the underlying error; `step`, the outbound step that failed.
   */
  constructor(code: OcpiErrorCode, message: string, options: { cause?: unknown; step?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.step = options.step
    const kinds: string[] = []
    for (let kind: unknown = new.target; kind !== Error && typeof kind === 'function'; ) {
      kinds.push((kind as { name: string }).name)
      kind = Object.getPrototypeOf(kind)
    }
    Object.defineProperty(this, KINDS, { value: kinds })
  }

  /**
   * `instanceof`, across copies of the package: an error of this class, made by this copy or by another.
   *
   * @param value - Anything.
   * @returns Whether `value` is an SDK error of this class (or a subclass).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, a subclass included
    return isErrorOf(this, value)
  }
}

/** Whether `value` is an error of class `asked`: by its prototype chain, or by the names another copy left. */
function isErrorOf(asked: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(asked, value)) return true
  if (typeof value !== 'object' || value === null) return false
  const kinds = (value as { [KINDS]?: unknown })[KINDS]
  return Array.isArray(kinds) && kinds.includes(asked.name)
}

/**
 * Thrown when configuration given to {@link createOcpi} is invalid; thrown at start, never later.
 *
 * @example
 * ```ts
 * expect(() => createOcpi({ ...options, baseUrl: 'not a url' })).toThrow(OcpiConfigError)
 * ```
 */
export class OcpiConfigError extends OcpiError {
  /**
   * Creates an `ERR_OCPI_CONFIG` error.
   *
   * @param message - What is wrong with the configuration.
   * @param options - `cause`, the underlying error, if any.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_OCPI_CONFIG', message, options)
  }
}
