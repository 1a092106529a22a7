import * as z from 'zod'
import { dateTimeSchema } from './datetime.js'

// Parsing is lenient where the protocol asks for it: unknown fields are ignored (zod objects strip them),
// Role / ModuleID / VersionNumber / InterfaceRole are open strings in every version, optional fields may
// be null or omitted. Emission (see format.ts) is strict.

const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional()

/**
 * An array of which only the entries `entry` accepts are kept: one malformed entry a peer lists (a
 * version we would never pick, a custom endpoint we never call) must not fail the whole discovery.
 * What the SDK needs from the list (the version it picks, the credentials endpoint, required modules) is
 * then found, or found missing, among the valid entries.
 */
function validEntries<T extends z.ZodType>(entry: T) {
  return z.array(z.unknown()).transform((items) =>
    items.flatMap((item) => {
      const parsed = entry.safeParse(item)
      return parsed.success ? [parsed.data as z.output<T>] : []
    }),
  )
}

/** A URL as given by a peer: an opaque string (never rebuilt or stripped); the URL policy checks it later. */
const urlSchema = z.string().trim().min(1).max(2048)

/**
 * One entry of a versions list.
 *
 * @example
 * ```ts
 * versionSchema.parse({ version: '2.2.1', url: 'https://example.com/ocpi/2.2.1' })
 * ```
 */
export const versionSchema = z.object({ version: z.string().trim().min(1), url: urlSchema })

/**
 * The `data` of a versions response: a bare array. The 2.1.1 and 2.2 tags wrapped it in `{ versions }`
 * (a documentation bug some peers copied), so that form is accepted too.
 *
 * @example
 * ```ts
 * versionListSchema.parse([{ version: '2.1.1', url: 'https://example.com/ocpi/2.1.1' }])
 * ```
 */
export const versionListSchema = z.preprocess(
  (data) =>
    data !== null && typeof data === 'object' && !Array.isArray(data) && 'versions' in data
      ? (data as { versions: unknown }).versions
      : data,
  validEntries(versionSchema).refine((list) => list.length > 0, 'no valid version entry'),
)

/**
 * An Endpoint of version details; `role` (InterfaceRole) exists from 2.2 on and is an open string here.
 *
 * @example
 * ```ts
 * endpointSchema.parse({ identifier: 'credentials', role: 'SENDER', url: 'https://example.com/c' })
 * ```
 */
export const endpointSchema = z.object({
  identifier: z.string().trim().min(1),
  role: optional(z.string().trim().min(1)),
  url: urlSchema,
})

/**
 * The `data` of a version details response.
 *
 * @example
 * ```ts
 * versionDetailsSchema.parse({ version: '2.2.1', endpoints: [] })
 * ```
 */
export const versionDetailsSchema = z.object({
  version: z.string().trim().min(1),
  endpoints: validEntries(endpointSchema),
})

/**
 * An Image (BusinessDetails.logo). `category` is an open string: unknown values are kept, not refused.
 *
 * @example
 * ```ts
 * imageSchema.parse({ url: 'https://example.com/logo.png', category: 'OPERATOR', type: 'png' })
 * ```
 */
export const imageSchema = z.object({
  url: urlSchema,
  thumbnail: optional(urlSchema),
  category: z.string().min(1),
  type: z.string().min(1).max(4),
  width: optional(z.number().int().nonnegative()),
  height: optional(z.number().int().nonnegative()),
})

/**
 * BusinessDetails, the same in every version.
 *
 * @example
 * ```ts
 * businessDetailsSchema.parse({ name: 'Example CPO' })
 * ```
 */
export const businessDetailsSchema = z.object({
  name: z.string().min(1).max(100),
  website: optional(urlSchema),
  logo: optional(imageSchema),
})

/**
 * BusinessDetails as a peer presents them in its credentials: display data the protocol never acts on,
 * so nothing in them fails the exchange. A `name` that is empty, longer than 100 characters or missing
 * is kept as sent (missing: `''`); a `website` or `logo` that does not parse (an empty website, a MIME
 * type as the logo's `type`, a logo without `category`, all seen in the field) is dropped. Refusing them
 * would lose a link: the answer to our POST arrives after the peer consumed its TOKEN_A.
 *
 * @example
 * ```ts
 * peerBusinessDetailsSchema.parse({ name: 'Example CPO', website: '' }) // { name: 'Example CPO' }
 * ```
 */
export const peerBusinessDetailsSchema = businessDetailsSchema
  .extend({
    name: z.string().catch(''),
    website: optional(urlSchema).catch(undefined),
    logo: optional(imageSchema).catch(undefined),
  })
  .catch({ name: '' })

/**
 * CiString(2): ISO 3166 alpha-2. Case-insensitive; compared upper-cased.
 *
 * @example
 * ```ts
 * countryCodeSchema.safeParse('nl').success // true
 * countryCodeSchema.safeParse('NLD').success // false
 * ```
 */
export const countryCodeSchema = z.string().regex(/^[A-Za-z]{2}$/, 'country_code must be 2 letters')
/**
 * CiString(3) party id: 1 to 3 letters or digits (ISO 15118 style).
 *
 * @example
 * ```ts
 * partyIdSchema.safeParse('EXA').success // true
 * partyIdSchema.safeParse('EX-1').success // false
 * ```
 */
export const partyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{1,3}$/, 'party_id must be 1 to 3 letters or digits')

/**
 * A token inside a Credentials body: printable non-whitespace ASCII (U+0021 to U+007E), never encoded.
 * The spec says string(64); up to 255 characters are accepted from peers for interoperability.
 *
 * @example
 * ```ts
 * credentialsTokenSchema.safeParse('has space').success // false
 * ```
 */
export const credentialsTokenSchema = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, 'token must be 1 to 255 printable non-whitespace ASCII characters')

/**
 * A CredentialsRole (2.2+). `role` is an open string (HUB in 2.2.x, PTP used by 2.3.0 Payments).
 *
 * @example
 * ```ts
 * credentialsRoleSchema.parse({ role: 'CPO', party_id: 'EXA', country_code: 'NL', business_details: { name: 'X' } })
 * ```
 */
export const credentialsRoleSchema = z.object({
  role: z.string().trim().min(1),
  business_details: peerBusinessDetailsSchema,
  party_id: partyIdSchema,
  country_code: countryCodeSchema,
})

/**
 * Credentials as 2.1.1 sends them: flat party fields.
 *
 * @example
 * ```ts
 * credentials211Schema.parse({ token: 't', url: 'https://x/versions', business_details: { name: 'X' }, party_id: 'EXA', country_code: 'NL' })
 * ```
 */
export const credentials211Schema = z.object({
  token: credentialsTokenSchema,
  url: urlSchema,
  business_details: peerBusinessDetailsSchema,
  party_id: partyIdSchema,
  country_code: countryCodeSchema,
})

/** The most parties one platform may present (a 2.3.0 hub lists every party it reaches). */
const MAX_ROLES = 10_000

/**
 * Credentials as 2.2, 2.2.1 and 2.3.0 send them: `roles`, and in 2.3.0 an optional `hub_party_id`.
 * Each (role, party_id, country_code) must be unique.
 *
 * @example
 * ```ts
 * credentials22Schema.parse({ token: 't', url: 'https://x/versions', roles: [role] })
 * ```
 */
export const credentials22Schema = z.object({
  token: credentialsTokenSchema,
  url: urlSchema,
  // An empty one (a 2.3.0 platform that is no hub, writing "" for none) is no hub identity: absent.
  hub_party_id: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    optional(z.string().regex(/^[A-Za-z]{2}[A-Za-z0-9]{1,3}$/, 'hub_party_id is country code + party id')),
  ),
  roles: z
    .array(credentialsRoleSchema)
    .min(1)
    .max(MAX_ROLES, `roles: at most ${MAX_ROLES} parties`)
    .refine(
      (roles) =>
        new Set(roles.map((r) => `${r.role}|${r.country_code.toUpperCase()}|${r.party_id.toUpperCase()}`))
          .size === roles.length,
      'roles must be unique per (role, party_id, country_code)',
    ),
})

/**
 * ClientInfo (HubClientInfo module, 2.2+). `status` and `role` are kept open.
 *
 * @example
 * ```ts
 * clientInfoSchema.parse({ party_id: 'EXA', country_code: 'NL', role: 'CPO', status: 'CONNECTED', last_updated: '2026-01-01T00:00:00Z' })
 * ```
 */
export const clientInfoSchema = z.object({
  party_id: partyIdSchema,
  country_code: countryCodeSchema,
  role: z.string().trim().min(1),
  status: z.string().trim().min(1),
  last_updated: dateTimeSchema,
})

/**
 * The response envelope of every OCPI response. `data` is left unparsed (checked per call);
 * `timestamp` is required by the spec but not enforced, since it carries nothing the exchange needs (any
 * value is accepted, a non-string one read as absent). A `status_code` sent as a string of digits
 * (`"1000"`, seen in the field) is read as the number; `status_message` is kept only when a string.
 *
 * @example
 * ```ts
 * envelopeSchema.parse({ status_code: 1000, timestamp: '2026-01-01T00:00:00Z', data: [] })
 * ```
 */
export const envelopeSchema = z.object({
  data: z.unknown().optional(),
  status_code: z.preprocess(
    (code) => (typeof code === 'string' && /^\s*\d{4}\s*$/.test(code) ? Number(code) : code),
    z.number().int(),
  ),
  status_message: optional(z.string()).catch(undefined),
  timestamp: optional(z.string()).catch(undefined),
})

/**
 * A parsed versions list entry.
 *
 * @example
 * ```ts
 * const entry: VersionEntry = { version: '2.2.1', url: 'https://example.com/ocpi/2.2.1' }
 * ```
 */
export type VersionEntry = z.output<typeof versionSchema>

/**
 * A parsed Endpoint; `role` is `undefined` on 2.1.1.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = {
 *   identifier: 'locations',
 *   role: 'SENDER',
 *   url: 'https://example.com/ocpi/2.2.1/locations',
 * }
 * ```
 */
export type Endpoint = z.output<typeof endpointSchema>

/**
 * A parsed VersionDetails.
 *
 * @example
 * ```ts
 * const details: VersionDetails = versionDetailsSchema.parse(envelope.data)
 * const credentials = details.endpoints.find((e) => e.identifier === 'credentials')
 * ```
 */
export type VersionDetails = z.output<typeof versionDetailsSchema>

/**
 * A parsed BusinessDetails.
 *
 * @example
 * ```ts
 * const details: BusinessDetails = { name: 'Example CPO', website: 'https://example.com' }
 * ```
 */
export type BusinessDetails = z.output<typeof businessDetailsSchema>

/**
 * A parsed Image.
 *
 * @example
 * ```ts
 * const logo: Image = { url: 'https://example.com/logo.png', category: 'OPERATOR', type: 'png' }
 * ```
 */
export type Image = z.output<typeof imageSchema>

/**
 * A parsed CredentialsRole.
 *
 * @example
 * ```ts
 * const role: CredentialsRole = {
 *   role: 'CPO',
 *   party_id: 'EXA',
 *   country_code: 'NL',
 *   business_details: { name: 'Example CPO' },
 * }
 * ```
 */
export type CredentialsRole = z.output<typeof credentialsRoleSchema>

/**
 * Parsed 2.1.1 Credentials.
 *
 * @example
 * ```ts
 * const credentials: Credentials211 = credentials211Schema.parse(envelope.data)
 * console.log(credentials.country_code, credentials.party_id)
 * ```
 */
export type Credentials211 = z.output<typeof credentials211Schema>

/**
 * Parsed 2.2+ Credentials.
 *
 * @example
 * ```ts
 * const credentials: Credentials22 = credentials22Schema.parse(envelope.data)
 * const cpos = credentials.roles.filter((r) => r.role === 'CPO')
 * ```
 */
export type Credentials22 = z.output<typeof credentials22Schema>

/**
 * A parsed ClientInfo.
 *
 * @example
 * ```ts
 * const info: ClientInfo = clientInfoSchema.parse(body)
 * if (info.status !== 'CONNECTED') console.warn(`${info.country_code}*${info.party_id} is ${info.status}`)
 * ```
 */
export type ClientInfo = z.output<typeof clientInfoSchema>

/**
 * A parsed response envelope.
 *
 * @example
 * ```ts
 * const envelope: Envelope = envelopeSchema.parse(await response.json())
 * if (envelope.status_code !== 1000) console.warn(envelope.status_message)
 * ```
 */
export type Envelope = z.output<typeof envelopeSchema>
