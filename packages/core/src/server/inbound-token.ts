import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { InboundToken } from '../model.js'
import type { TokenKind, TokenRecord } from '../store/types.js'
import { authorizationCandidates } from '../tokens/authorization.js'
import { digestToken } from '../tokens/digest.js'
import { pathOf } from './path-of.js'

/** A request's token, matched: the plaintext as the peer meant it, and its stored record. */
export interface MatchedToken {
  readonly token: InboundToken
  readonly record: TokenRecord
  /** Which form of the Authorization header matched. */
  readonly form: 'raw' | 'base64'
}

/** Kinds that belong to an established link (contact is recorded for them). */
export const LINK_KINDS: ReadonlySet<TokenKind> = new Set(['current', 'previous', 'pending-rotation'])

/**
 * Finds the stored token a request carries: the raw header value is looked up first, then its Base64
 * decoding. Throws `ERR_OCPI_UNAUTHORIZED` (emitting `authentication-failed`) when the header is missing
 * or malformed, the token unknown, or expired. The message never contains the token.
 *
 * @example
 * ```ts
 * const matched = await matchInboundToken(ctx, request)
 * ```
 */
export async function matchInboundToken(
  ctx: Context,
  request: Pick<Request, 'method' | 'url'> & { readonly headers: { get(name: string): string | null } },
): Promise<MatchedToken> {
  const candidates = authorizationCandidates(request.headers.get('authorization'))
  const refuse = (reason: 'missing' | 'unknown' | 'expired', peerId: string | null, message: string) => {
    ctx.events.emit('authentication-failed', {
      reason,
      method: request.method,
      path: pathOf(request.url),
      peerId,
    })
    return new OcpiError('ERR_OCPI_UNAUTHORIZED', message)
  }
  if (candidates.length === 0) throw refuse('missing', null, 'missing or malformed Authorization header')
  for (const [index, candidate] of candidates.entries()) {
    const record = await ctx.store.findToken(digestToken(candidate))
    if (record === null) continue
    if (record.expiresAt !== null && record.expiresAt <= ctx.now()) {
      throw refuse('expired', record.peerId, 'the token has expired')
    }
    return { token: candidate as InboundToken, record, form: index === 0 ? 'raw' : 'base64' }
  }
  throw refuse('unknown', null, 'unknown token')
}

/**
 * Records the side effects of a peer's authenticated request: contact (without touching the revision) for
 * link tokens, and the end of the grace window on the first use of a token that superseded another.
 * Failures here never fail the request; they are logged. Answers whether the writes succeeded.
 *
 * @example
 * ```ts
 * await noteTokenUse(ctx, matched.record)
 * ```
 */
export async function noteTokenUse(ctx: Context, record: TokenRecord, now = ctx.now()): Promise<boolean> {
  if (record.kind === 'current' && record.supersedes !== null) {
    try {
      await ctx.store.retireSuperseded(record.digest)
    } catch (error) {
      useNotRecorded(ctx, record.peerId, error)
      return false
    }
  }
  return LINK_KINDS.has(record.kind) ? recordContact(ctx, record.peerId, contactTimeOf(record, now)) : true
}

/**
 * The contact time recorded for a use of `record` at `now`: never earlier than a millisecond after the
 * token was issued, so a use is always recorded as later than the registration that issued the token,
 * even within the same millisecond (the replay of a registration POST is refused from then on).
 *
 * @example
 * ```ts
 * await ctx.store.touchContact(record.peerId, contactTimeOf(record, ctx.now()))
 * ```
 */
export function contactTimeOf(record: TokenRecord, now: number): number {
  return Math.max(now, record.createdAt + 1)
}

/**
 * Records contact with a peer at `at`; a failure is logged, never thrown (the request it comes from was
 * authenticated and is served). Answers whether the write succeeded.
 *
 * @example
 * ```ts
 * if (!(await recordContact(ctx, peer.id, now))) markContactStillDue()
 * ```
 */
export async function recordContact(ctx: Context, peerId: string, at: number): Promise<boolean> {
  try {
    await ctx.store.touchContact(peerId, at)
    return true
  } catch (error) {
    useNotRecorded(ctx, peerId, error)
    return false
  }
}

function useNotRecorded(ctx: Context, peerId: string, error: unknown): void {
  ctx.log.warn?.('recording token use failed', {
    peerId,
    error: error instanceof Error ? error.name : typeof error,
  })
}
