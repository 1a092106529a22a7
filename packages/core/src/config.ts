import * as z from 'zod'
import { OcpiConfigError } from './errors.js'
import { type PartyRef, samePartyRef } from './model.js'
import { countryCodeSchema, partyIdSchema } from './protocol/schemas.js'
import { SUPPORTED_VERSIONS, type SupportedVersion } from './protocol/versions.js'
import { ownUrls } from './server/routes.js'
import { versionDetailsData } from './server/versions.js'

/** Roles we emit for our own parties (2.2+; HUB is not emitted on 2.3.0, which removed it). */
export const OWN_ROLES = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP', 'PTP'] as const

const MODULES_211 = ['cdrs', 'commands', 'locations', 'sessions', 'tariffs', 'tokens']
const MODULES_221 = [...MODULES_211, 'chargingprofiles', 'hubclientinfo']

/** ModuleIDs we emit, per version (custom modules must be declared `custom: true`). */
const KNOWN_MODULES: Readonly<Record<SupportedVersion, readonly string[]>> = {
  '2.1.1': MODULES_211,
  '2.2.1': MODULES_221,
  '2.3.0': [...MODULES_221, 'payments', 'invoicereconciliation'],
}

/** The longest URL we may send: OCPI's URL type is string(255) in every version. */
const MAX_URL_LENGTH = 255

/** A URL of ours, as OCPI's URL type allows it. */
const ownUrlSchema = z.url({ protocol: /^https?$/ }).max(MAX_URL_LENGTH)

/** ImageCategory, a closed enum in every version. */
const IMAGE_CATEGORIES = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'] as const

// Our own BusinessDetails go out in every credentials body, so they must be exactly valid: OCPI strings
// carry no control characters (2.2+), names are string(100), an Image's type is CiString(4) and its size
// int(5). A peer's are parsed leniently instead (protocol/schemas.ts).
const ownBusinessDetailsSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, 'name: no control characters'),
  website: ownUrlSchema.optional(),
  logo: z
    .object({
      url: ownUrlSchema,
      thumbnail: ownUrlSchema.optional(),
      category: z.enum(IMAGE_CATEGORIES),
      type: z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'logo type: 1 to 4 letters or digits, e.g. png'),
      width: z.number().int().nonnegative().max(99_999).optional(),
      height: z.number().int().nonnegative().max(99_999).optional(),
    })
    .optional(),
})

const ownPartySchema = z.object({
  role: z.enum(OWN_ROLES),
  country_code: countryCodeSchema.transform((s) => s.toUpperCase()),
  party_id: partyIdSchema.transform((s) => s.toUpperCase()),
  business_details: ownBusinessDetailsSchema,
})

const moduleSchema = z.object({
  id: z.string().regex(/^[a-z][a-zA-Z0-9-]*$/, 'module ids are lowercase OCPI ModuleIDs'),
  role: z.enum(['SENDER', 'RECEIVER']),
  /**
   * Path under the version's base, e.g. `locations` → `{baseUrl}/{version}/locations`; `{version}` in it
   * is replaced by the version.
   */
  path: z
    .string()
    .regex(/^(?:[A-Za-z0-9._~\-/]|\{version\})+$/, 'URL path characters, and {version}')
    .optional(),
  versions: z.array(z.enum(SUPPORTED_VERSIONS)).min(1).optional(),
  custom: z.boolean().optional(),
})

const requirementSchema = z.union([
  z.string().min(1),
  z.object({ module: z.string().min(1), role: z.enum(['SENDER', 'RECEIVER']).optional() }),
])

const durationSchema = z.number().int().positive()

/**
 * The part of the options that is plain data, validated with zod at start. Strict: a misspelt option
 * (`graceMS`) is refused, not silently ignored.
 */
export const dataOptionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  parties: z
    .array(ownPartySchema)
    .min(1)
    .refine(
      (ps) => new Set(ps.map((p) => `${p.role}|${p.country_code}|${p.party_id}`)).size === ps.length,
      'parties must be unique per (role, country_code, party_id)',
    ),
  versions: z
    .array(z.enum(SUPPORTED_VERSIONS))
    .min(1)
    .refine((vs) => new Set(vs).size === vs.length, 'versions must be unique')
    .optional(),
  hubPartyId: z
    .string()
    .regex(/^[A-Za-z]{2}[A-Za-z0-9]{1,3}$/)
    .optional(),
  modules: z.array(moduleSchema).optional(),
  requires: z.array(requirementSchema).optional(),
  invitationTtlMs: durationSchema.optional(),
  graceMs: durationSchema.optional(),
  pendingTtlMs: durationSchema.optional(),
  replayWindowMs: durationSchema.optional(),
  authCacheTtlMs: z.number().int().nonnegative().max(60_000).optional(),
  maxRequestBytes: durationSchema.optional(),
  hubClientInfo: z
    .object({ receiver: z.boolean().optional(), sender: z.boolean().optional() })
    .strict()
    .optional(),
})

/**
 * Our own party as configured (the `parties` option of {@link createOcpi}); ids are upper-cased.
 *
 * @example
 * ```ts
 * const party: OwnParty = {
 *   role: 'CPO',
 *   country_code: 'NL',
 *   party_id: 'EXA',
 *   business_details: { name: 'Example CPO' },
 * }
 * ```
 */
export type OwnParty = z.output<typeof ownPartySchema>
/**
 * A host module listed in our version details (the `modules` option of {@link createOcpi}). `path`
 * (under `{baseUrl}/{version}/`; `{version}` in it is replaced by the version) defaults to the id,
 * `versions` to every version we serve; `custom: true` for a module outside the spec.
 *
 * @example
 * ```ts
 * const modules: ModuleDeclaration[] = [
 *   { id: 'locations', role: 'SENDER' },
 *   { id: 'tokens', role: 'RECEIVER', versions: ['2.2.1', '2.3.0'] },
 * ]
 * ```
 */
export type ModuleDeclaration = z.input<typeof moduleSchema>
/**
 * An endpoint the peer must offer (3003 otherwise): a ModuleID, or a ModuleID with an interface role
 * (the `requires` option of {@link createOcpi}).
 *
 * @example
 * ```ts
 * const requires: EndpointRequirement[] = ['locations', { module: 'tokens', role: 'RECEIVER' }]
 * ```
 */
export type EndpointRequirement = z.input<typeof requirementSchema>

/** The validated, defaulted data options. */
export interface ResolvedConfig {
  readonly baseUrl: string
  readonly basePath: string
  readonly parties: readonly OwnParty[]
  readonly versions: readonly SupportedVersion[]
  readonly hubPartyId: string | null
  readonly modules: readonly z.output<typeof moduleSchema>[]
  readonly requires: readonly { module: string; role: 'SENDER' | 'RECEIVER' | null }[]
  readonly invitationTtlMs: number
  readonly graceMs: number
  readonly pendingTtlMs: number
  /** How long a consumed TOKEN_A still accepts the replay of its registration POST (answer lost). */
  readonly replayWindowMs: number
  /** How long a successful authentication is reused in this process (0: never); see AuthCache. */
  readonly authCacheTtlMs: number
  readonly maxRequestBytes: number
  /** Which HubClientInfo interfaces the SDK serves (2.2.1 and 2.3.0 only). */
  readonly hubClientInfo: { readonly receiver: boolean; readonly sender: boolean }
}

const DAY = 24 * 60 * 60 * 1000

/**
 * Validates and defaults the data options; throws {@link OcpiConfigError} naming every problem.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ baseUrl: 'https://cpo.example.com/ocpi', parties })
 * ```
 */
export function resolveConfig(input: z.input<typeof dataOptionsSchema>): ResolvedConfig {
  const parsed = dataOptionsSchema.safeParse(input)
  if (!parsed.success) {
    throw new OcpiConfigError(`invalid options: ${z.prettifyError(parsed.error)}`)
  }
  const options = parsed.data
  const versions = [...(options.versions ?? SUPPORTED_VERSIONS)].sort(
    (a, b) => SUPPORTED_VERSIONS.indexOf(a) - SUPPORTED_VERSIONS.indexOf(b),
  )
  const modules = options.modules ?? []
  for (const module of modules) {
    if (module.id === 'credentials')
      throw new OcpiConfigError('the credentials module is served by the SDK itself')
    if (module.id === 'hubclientinfo' && options.hubClientInfo !== undefined)
      throw new OcpiConfigError('hubclientinfo is served by the SDK itself (the hubClientInfo option)')
    if (module.custom) continue
    for (const version of module.versions ?? versions) {
      if (!KNOWN_MODULES[version].includes(module.id)) {
        throw new OcpiConfigError(
          `module "${module.id}" is not an OCPI ${version} module; declare it with custom: true if you agreed on it with your peers`,
        )
      }
    }
  }
  if (versions.includes('2.2.1') && options.parties.every((p) => p.role === 'PTP')) {
    throw new OcpiConfigError('OCPI 2.2.1 has no PTP role: a platform offering 2.2.1 needs another party')
  }
  if (versions.includes('2.3.0') && options.parties.every((p) => p.role === 'HUB')) {
    throw new OcpiConfigError(
      'OCPI 2.3.0 has no HUB role: add the parties a hub platform serves, and hubPartyId',
    )
  }
  const resolved: ResolvedConfig = {
    baseUrl: options.baseUrl,
    basePath: new URL(options.baseUrl).pathname.replace(/\/+$/, ''),
    parties: options.parties,
    versions,
    hubPartyId: resolveHubPartyId(options, versions),
    modules,
    requires: (options.requires ?? []).map((r) =>
      typeof r === 'string' ? { module: r, role: null } : { module: r.module, role: r.role ?? null },
    ),
    invitationTtlMs: options.invitationTtlMs ?? 7 * DAY,
    graceMs: options.graceMs ?? 5 * 60 * 1000,
    pendingTtlMs: options.pendingTtlMs ?? 10 * 60 * 1000,
    replayWindowMs: options.replayWindowMs ?? 2 * 60 * 1000,
    authCacheTtlMs: options.authCacheTtlMs ?? 1_000,
    // A 2.3.0 hub lists every party it reaches in its credentials: 10,000 parties are about 1.5 MB.
    maxRequestBytes: options.maxRequestBytes ?? 4 * 1024 * 1024,
    hubClientInfo: {
      receiver: options.hubClientInfo?.receiver ?? false,
      sender: options.hubClientInfo?.sender ?? false,
    },
  }
  const longest = longestOwnUrl(resolved)
  if (longest.length > MAX_URL_LENGTH) {
    throw new OcpiConfigError(
      `baseUrl is too long: ${longest} would be ${longest.length} characters, and OCPI URLs are at most ${MAX_URL_LENGTH}`,
    )
  }
  return resolved
}

/**
 * Whether a party reference names one of our parties (case-insensitive).
 *
 * @example
 * ```ts
 * isOwnParty(config, { country_code: 'nl', party_id: 'exa' }) // true
 * ```
 */
export function isOwnParty(config: ResolvedConfig, ref: PartyRef): boolean {
  return config.parties.some((p) => samePartyRef(p, ref))
}

/**
 * Picks which of our parties represents us on a 2.1.1 link: the one named by `as`, else the first.
 *
 * @example
 * ```ts
 * partyFor(config, { country_code: 'NL', party_id: 'EXA' })
 * ```
 */
export function partyFor(config: ResolvedConfig, as: PartyRef | null): OwnParty {
  const match =
    as === null
      ? undefined
      : config.parties.find(
          (p) => p.country_code === as.country_code.toUpperCase() && p.party_id === as.party_id.toUpperCase(),
        )
  return match ?? (config.parties[0] as OwnParty)
}

/**
 * Our hub identity on 2.3.0 (`hub_party_id`): `hubPartyId` when given, else the one `HUB` party's, since
 * 2.3.0 has no HUB role and a hub that stated neither would present itself as no hub at all.
 */
function resolveHubPartyId(
  options: z.output<typeof dataOptionsSchema>,
  versions: readonly SupportedVersion[],
): string | null {
  if (options.hubPartyId !== undefined) return options.hubPartyId.toUpperCase()
  const hubs = options.parties.filter((p) => p.role === 'HUB')
  if (!versions.includes('2.3.0') || hubs.length === 0) return null
  const [hub, ...more] = hubs
  if (hub === undefined || more.length > 0) {
    throw new OcpiConfigError('several HUB parties on 2.3.0: say which one is the hub with hubPartyId')
  }
  return `${hub.country_code}${hub.party_id}`
}

/** The longest URL we publish: the versions URL, and every endpoint of every version's details. */
function longestOwnUrl(config: ResolvedConfig): string {
  const urls = [
    ownUrls(config).versions,
    ...config.versions.flatMap((version) => versionDetailsData(config, version).endpoints.map((e) => e.url)),
  ]
  return urls.reduce((a, b) => (b.length > a.length ? b : a))
}
