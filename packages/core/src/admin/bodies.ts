import * as z from 'zod'
import { OcpiError } from '../errors.js'
import { partyRoleSchema } from '../party-role.js'
import { countryCodeSchema, credentialsTokenSchema, partyIdSchema } from '../protocol/schemas.js'
import { SUPPORTED_VERSIONS } from '../protocol/versions.js'

/**
 * The longest invitation the admin API issues, in seconds: one year.
 *
 * @example
 * ```ts
 * const body = { expires_in_seconds: Math.min(requested, MAX_INVITATION_SECONDS) }
 * ```
 */
export const MAX_INVITATION_SECONDS = 365 * 24 * 60 * 60

const partyRef = z.strictObject({ country_code: countryCodeSchema, party_id: partyIdSchema })

/**
 * `POST …/invitations`. Every field is optional; an empty body is `{}`. An expected party's `role` is
 * trimmed and upper-cased and must be an OCPI role (`CPO`, `EMSP`, `HUB`, `NAP`, `NSP`, `OTHER`, `SCSP`,
 * `PTP`); `ocpi.invite` then refuses one that no version we offer defines. `expected_origin` is a URL
 * of the partner's platform; `ocpi.invite` keeps its origin and refuses one the URL policy refuses.
 *
 * @example
 * ```ts
 * invitationBodySchema.parse({
 *   expires_in_seconds: 86400,
 *   expected_parties: [{ country_code: 'DE', party_id: 'ABC' }],
 *   expected_origin: 'https://ocpi.abc.example.com',
 * })
 * ```
 */
export const invitationBodySchema = z.strictObject({
  expires_in_seconds: z.number().int().positive().max(MAX_INVITATION_SECONDS).optional(),
  expected_parties: z
    .array(partyRef.extend({ role: partyRoleSchema.optional() }))
    .min(1)
    .max(100)
    .optional(),
  expected_origin: z.string().min(1).max(2048).optional(),
  as: partyRef.optional(),
})

/**
 * `POST …/registrations`: the partner's versions URL and the TOKEN_A its admin handed over.
 *
 * @example
 * ```ts
 * registrationBodySchema.parse({ versions_url: 'https://emsp.example.org/ocpi/versions', token: tokenA })
 * ```
 */
export const registrationBodySchema = z.strictObject({
  versions_url: z.string().min(1).max(2048),
  token: credentialsTokenSchema,
  as: partyRef.optional(),
  encoding: z.enum(['raw', 'base64']).optional(),
})

/**
 * `POST …/peers/:id/rotation`. An empty body is `{}` (rotate, keeping the version and the token form);
 * `encoding` pins the Authorization form the peer takes (see `RotateOptions.encoding`).
 *
 * @example
 * ```ts
 * rotationBodySchema.parse({ version: '2.2.1' })
 * ```
 */
export const rotationBodySchema = z.strictObject({
  version: z.enum(SUPPORTED_VERSIONS).optional(),
  encoding: z.enum(['raw', 'base64']).optional(),
})

/**
 * `POST …/peers/:id/revocation`: optionally the origin the re-invitation is bound to (a URL of the
 * partner's platform, kept as its origin; `null` for none), when the partner moved its platform. Absent:
 * see `ocpi.revoke`.
 *
 * @example
 * ```ts
 * revocationBodySchema.parse({ expected_origin: 'https://new.partner.example.com' })
 * ```
 */
export const revocationBodySchema = z.strictObject({
  expected_origin: z.string().min(1).max(2048).nullable().optional(),
})

/**
 * The query of `GET …/peers`: `state`, keyset `after` (an id) and `limit` (1 to 1000, default 100).
 *
 * @example
 * ```ts
 * peersQuerySchema.parse({ state: 'registered', limit: '50' }) // { state: 'registered', limit: 50 }
 * ```
 */
export const peersQuerySchema = z.strictObject({
  state: z.enum(['invited', 'registering', 'registered', 'unregistered']).optional(),
  after: z.string().min(1).max(255).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be an integer from 1 to 1000')
    .transform(Number)
    .pipe(z.number().int().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000'))
    .default(100),
})

/**
 * Parses admin input with a zod schema, or throws `ERR_OCPI_INVALID_INPUT` naming the fields at fault.
 * The message never quotes the input: unknown field names are not repeated, only the allowed ones.
 *
 * @example
 * ```ts
 * const body = parseAdminInput(rotationBodySchema, json, 'body')
 * ```
 */
export function parseAdminInput<S extends z.ZodObject>(
  schema: S,
  input: unknown,
  what: 'body' | 'query',
): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const allowed = Object.keys(schema.shape).join(', ')
  const field = what === 'query' ? 'parameter' : 'field'
  const issues = parsed.error.issues.slice(0, 5).map((issue) => {
    const at = issue.path.map(String).join('.')
    if (issue.code !== 'unrecognized_keys') return at === '' ? issue.message : `${at}: ${issue.message}`
    return at === ''
      ? `unknown ${field} (allowed: ${allowed})`
      : `${at}: unknown ${field} (names are snake_case)`
  })
  throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid ${what}: ${issues.join('; ')}`)
}
