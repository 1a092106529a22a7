import * as z from 'zod'
import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import { expectedOriginOf, originOf } from '../expected-origin.js'
import {
  hubAsParty,
  type InboundToken,
  type InvitedPeer,
  type Link,
  type PeerRecord,
  type UnregisteredPeer,
} from '../model.js'
import { type Peer, peerView } from '../peer-view.js'
import { ownUrls } from '../server/routes.js'
import { digestToken } from '../tokens/digest.js'
import { generateToken } from '../tokens/generate.js'
import { parseOptions } from './known-options.js'
import { CAS_ATTEMPTS, waitBeforeRetry } from './retry-wait.js'

const revokeOptionsSchema = z.strictObject({ expectedOrigin: z.string().max(2048).nullable().optional() })

/**
 * Options of {@link Ocpi.revoke}. `expectedOrigin` chooses the origin the re-invitation is bound to (see
 * {@link Revocation}): a URL of the partner's platform, kept as its origin, when the partner moved; `null`
 * for none. Absent: the origin the original invitation was bound to, else the origin of the versions URL
 * the link last had (which a PUT with the link's token could set). Checked against the URL
 * policy before anything is revoked (`ERR_OCPI_URL_REFUSED`); ignored when there is no re-invitation
 * (a link we did not invite).
 *
 * @example
 * ```ts
 * await ocpi.revoke(peerId, { expectedOrigin: 'https://new-platform.partner.example.com' })
 * ```
 */
export interface RevokeOptions {
  readonly expectedOrigin?: string | null
}

/**
 * The result of {@link Ocpi.revoke}: the peer after revocation, and, when we issued the original TOKEN_A,
 * a fresh one for the offline re-exchange. It is bound to the parties the peer had registered with (for a
 * peer that never registered, the original invitation's expected parties) and to the origin the original
 * invitation was bound to, else the origin of the link's versions URL, so that whoever stole the link's
 * tokens cannot also take the fresh TOKEN_A, should it leak too, from a platform of its own.
 * `expectedOrigin` says which origin (`null`: any).
 *
 * @example
 * ```ts
 * const { invitation } = await ocpi.revoke(peerId)
 * if (invitation) sendOverSecureChannel(invitation.token, invitation.versionsUrl)
 * ```
 */
export interface Revocation {
  readonly peer: Peer
  readonly invitation: {
    readonly token: InboundToken
    readonly versionsUrl: string
    readonly expiresAt: Date
    readonly expectedOrigin: string | null
  } | null
}

/**
 * The answer to a breach (a PUT is not one): every token of the peer dies at once, in one atomic store
 * step, and nothing is sent to the peer. A link that began with our invitation goes back to `invited`
 * with a fresh TOKEN_A expecting the same parties, from the same origin (unless `options` say otherwise);
 * any other goes to `unregistered` (the peer's admin must hand us a fresh TOKEN_A).
 *
 * @example
 * ```ts
 * const { peer, invitation } = await revoke(ctx, peerId)
 * ```
 */
export async function revoke(ctx: Context, peerId: string, options: RevokeOptions = {}): Promise<Revocation> {
  const { expectedOrigin } = parseOptions(revokeOptionsSchema, options, 'revoke')
  // The origin chosen (`null`: none), or `undefined` for the default; checked before anything is revoked.
  const chosen =
    expectedOrigin === undefined || expectedOrigin === null
      ? expectedOrigin
      : expectedOriginOf(expectedOrigin, ctx.urlPolicy)
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    // A breach must not lose to a busy record (a hub's ClientInfo batches): retried with growing waits.
    if (attempt > 0) await waitBeforeRetry(attempt - 1)
    const current = await ctx.store.getPeer(peerId)
    if (current === null) throw new OcpiError('ERR_OCPI_UNKNOWN_PEER', `no peer ${peerId}`)
    const now = ctx.now()
    const common = {
      id: current.id,
      revision: current.revision + 1,
      origin: current.origin,
      as: current.as,
      createdAt: current.createdAt,
      updatedAt: now,
      lastContactAt: current.lastContactAt,
    }
    const link = current.state === 'registered' || current.state === 'unregistered' ? current.link : null
    let next: PeerRecord
    let token: InboundToken | null = null
    if (current.origin === 'invitation') {
      token = generateToken()
      // The re-invitation expects the identity as locked: its parties, and its hub (a 2.3.0 hub_party_id).
      const expected =
        link === null
          ? current.expectedParties
          : [
              ...link.parties.map((p) =>
                p.role === null
                  ? { country_code: p.country_code, party_id: p.party_id }
                  : { country_code: p.country_code, party_id: p.party_id, role: p.role },
              ),
              ...(link.hubPartyId === null ? [] : [hubAsParty(link.hubPartyId)]),
            ]
      // The origin the admin bound the invitation to, when there was one: a PUT with the link's token can
      // move the versions URL anywhere, so after a breach the link's origin may be the thief's. Else the
      // origin of the link (the breach case is where a leaked TOKEN_A would matter most).
      const origin =
        chosen !== undefined
          ? chosen
          : (current.expectedOrigin ?? (link === null ? null : originOf(link.versionsUrl)))
      if (chosen === undefined && link !== null && origin !== null && origin !== originOf(link.versionsUrl)) {
        ctx.log.warn?.(
          "the link's versions URL moved off the invitation's expected origin: the re-invitation keeps the expected origin (pass expectedOrigin to revoke if the partner moved)",
          { peerId, expectedOrigin: origin, linkOrigin: originOf(link.versionsUrl) },
        )
      }
      next = {
        ...common,
        expectedParties: expected,
        ...(origin === null ? {} : { expectedOrigin: origin }),
        state: 'invited',
        invitationExpiresAt: now + ctx.config.invitationTtlMs,
      } satisfies InvitedPeer
    } else {
      next = {
        ...common,
        expectedParties: current.expectedParties,
        ...(current.expectedOrigin === undefined ? {} : { expectedOrigin: current.expectedOrigin }),
        state: 'unregistered',
        unregisteredAt: now,
        link: withoutOutbound(link),
      } satisfies UnregisteredPeer
    }
    const issue =
      token === null || next.state !== 'invited'
        ? []
        : [
            {
              digest: digestToken(token),
              peerId,
              kind: 'invitation' as const,
              createdAt: now,
              expiresAt: next.invitationExpiresAt,
              supersedes: null,
              successor: null,
            },
          ]
    const stored = await ctx.store.revokeTokens({ peerId, revision: current.revision, next, issue })
    if (stored === null) continue
    ctx.events.emit('revoked', { peerId, reinvited: token !== null })
    ctx.log.warn?.('revoked every token of a peer', { peerId, reinvited: token !== null })
    return {
      peer: peerView(stored),
      invitation:
        token === null || stored.state !== 'invited'
          ? null
          : {
              token,
              versionsUrl: ownUrls(ctx.config).versions,
              expiresAt: new Date(stored.invitationExpiresAt),
              expectedOrigin: stored.expectedOrigin ?? null,
            },
    }
  }
  throw new OcpiError('ERR_OCPI_CONFLICT', `peer ${peerId} kept changing; nothing was revoked, retry`)
}

function withoutOutbound(link: UnregisteredPeer['link'] | Link): UnregisteredPeer['link'] {
  if (link === null) return null
  const { version, versionsUrl, endpoints, parties, hubPartyId, encoding } = link
  return { version, versionsUrl, endpoints, parties, hubPartyId, encoding }
}
