import * as z from 'zod'
import { isOwnParty } from './config.js'
import type { Context } from './context.js'
import { describeIssues } from './engine/credentials-body.js'
import { OcpiError } from './errors.js'
import { expectedOriginOf } from './expected-origin.js'
import type { InboundToken, InvitedPeer } from './model.js'
import { partyRoleSchema, roleFitsVersions } from './party-role.js'
import { countryCodeSchema, partyIdSchema } from './protocol/schemas.js'
import { ownUrls } from './server/routes.js'
import { digestToken } from './tokens/digest.js'
import { generateToken } from './tokens/generate.js'

const partyRefSchema = z.object({
  country_code: countryCodeSchema.transform((s) => s.toUpperCase()),
  party_id: partyIdSchema.transform((s) => s.toUpperCase()),
})

const inviteSchema = z.strictObject({
  expiresIn: z.number().int().positive().optional(),
  expectedParties: z
    .array(partyRefSchema.extend({ role: partyRoleSchema.optional() }))
    .min(1)
    .optional(),
  expectedOrigin: z.string().max(2048).optional(),
  as: partyRefSchema.optional(),
})

/**
 * Options of {@link Ocpi.invite}.
 *
 * - `expectedParties`: the parties the partner must present. An expected party's `country_code` and
 *   `party_id` are upper-cased; its `role`, trimmed and upper-cased, must be an OCPI role that a version
 *   we offer defines (`PTP` only with 2.3.0): `ERR_OCPI_INVALID_INPUT` otherwise, since no peer could
 *   ever present it. Party ids are public: this stops the wrong partner using the TOKEN_A by mistake, not
 *   a stranger who holds it.
 * - `expectedOrigin`: a URL of the partner's platform (its versions URL will do), kept as its origin
 *   (`https://host[:port]`). The POSTed versions URL must then be on that origin, so our callback
 *   discovery asks the partner's own platform whether the token it was given is real: a stranger holding
 *   a leaked TOKEN_A cannot register from its own platform. It must pass the URL policy
 *   (`ERR_OCPI_URL_REFUSED` otherwise: https and a public host, unless the policy allows more).
 *
 * @example
 * ```ts
 * const options: InviteOptions = {
 *   expiresIn: 24 * 3600_000,
 *   expectedParties: [{ country_code: 'DE', party_id: 'ABC' }],
 *   expectedOrigin: 'https://ocpi.abc.example.com',
 * }
 * ```
 */
export type InviteOptions = z.input<typeof inviteSchema>

/**
 * What an invitation gives the admin to hand over offline: the TOKEN_A and our versions URL.
 *
 * @example
 * ```ts
 * const { token, versionsUrl } = await ocpi.invite()
 * ```
 */
export interface Invitation {
  readonly peerId: string
  readonly token: InboundToken
  readonly versionsUrl: string
  readonly expiresAt: Date
  /** The origin the registration must come from (normalized), or `null` when any will do. */
  readonly expectedOrigin: string | null
}

/**
 * Issues a single-use TOKEN_A for a new peer record in state `invited`. Invalid options throw and
 * create nothing.
 *
 * @example
 * ```ts
 * const invitation = await invite(ctx, { expiresIn: 3600_000, expectedOrigin: 'https://msp.example.com' })
 * ```
 */
export async function invite(ctx: Context, options: InviteOptions = {}): Promise<Invitation> {
  const parsed = inviteSchema.safeParse(options)
  if (!parsed.success)
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', `invalid invitation: ${describeIssues(parsed.error)}`)
  const { expiresIn, expectedParties, as } = parsed.data
  if (as !== undefined && !isOwnParty(ctx.config, as)) {
    throw new OcpiError('ERR_OCPI_INVALID_INPUT', 'as: names none of our parties')
  }
  assertRolesOffered(ctx, expectedParties ?? [])
  const expectedOrigin =
    parsed.data.expectedOrigin === undefined
      ? null
      : expectedOriginOf(parsed.data.expectedOrigin, ctx.urlPolicy)
  const now = ctx.now()
  const expiresAt = now + (expiresIn ?? ctx.config.invitationTtlMs)
  const token = generateToken()
  const peer: InvitedPeer = {
    id: crypto.randomUUID(),
    revision: 0,
    origin: 'invitation',
    expectedParties:
      expectedParties?.map(({ role, ...ref }) => (role === undefined ? ref : { ...ref, role })) ?? null,
    ...(expectedOrigin === null ? {} : { expectedOrigin }),
    as: as ?? null,
    createdAt: now,
    updatedAt: now,
    lastContactAt: null,
    state: 'invited',
    invitationExpiresAt: expiresAt,
  }
  const created = await ctx.store.createPeer(peer, [
    {
      digest: digestToken(token),
      peerId: peer.id,
      kind: 'invitation',
      createdAt: now,
      expiresAt,
      supersedes: null,
      successor: null,
    },
  ])
  if (!created)
    throw new OcpiError('ERR_OCPI_STORE', 'the store refused the new invitation (duplicate id or token)')
  ctx.events.emit('invited', { peerId: peer.id, expiresAt })
  return {
    peerId: peer.id,
    token,
    versionsUrl: ownUrls(ctx.config).versions,
    expiresAt: new Date(expiresAt),
    expectedOrigin,
  }
}

/** Refuses an expected role no version we offer has (`PTP` without 2.3.0): no peer could present it. */
function assertRolesOffered(ctx: Context, expected: readonly { readonly role?: string | undefined }[]): void {
  const misfit = expected.findIndex(
    (p) => p.role !== undefined && !roleFitsVersions(p.role, ctx.config.versions),
  )
  if (misfit < 0) return
  throw new OcpiError(
    'ERR_OCPI_INVALID_INPUT',
    `invalid invitation: expectedParties.${misfit}.role: no OCPI version we offer (${ctx.config.versions.join(', ')}) defines this role`,
  )
}
