/**
 * The OCPI status codes the credentials exchange uses (all versions; 4xxx hub codes since 2.2).
 *
 * @example
 * ```ts
 * if (body.status_code === OcpiStatus.SUCCESS) { ... }
 * ```
 */
export const OcpiStatus = {
  SUCCESS: 1000,
  CLIENT_ERROR: 2000,
  INVALID_PARAMETERS: 2001,
  NOT_ENOUGH_INFORMATION: 2002,
  SERVER_ERROR: 3000,
  UNABLE_TO_USE_CLIENT_API: 3001,
  UNSUPPORTED_VERSION: 3002,
  NO_MATCHING_ENDPOINTS: 3003,
  HUB_ERROR: 4000,
} as const

/**
 * One of the status codes above; the envelope parser accepts any 4-digit integer.
 *
 * @example
 * ```ts
 * const code: OcpiStatusCode = OcpiStatus.UNSUPPORTED_VERSION
 * ```
 */
export type OcpiStatusCode = (typeof OcpiStatus)[keyof typeof OcpiStatus]
