import { commitLink, dropLink, type PeerContext, type Principal, retireInvitations } from './context.js'
import { discover } from './discovery.js'
import { ocpiReply, type Reply } from './envelope.js'
import type { MockVersion } from './options.js'
import { credentialsDocument } from './own-documents.js'
import type { LiveExchange } from './recorder.js'
import type { MockPeerRegistration } from './records.js'
import { newToken } from './token.js'
import { type ParsedCredentials, parseCredentials } from './validate-credentials.js'

/**
 * A request to the mock's credentials endpoint, authenticated, with its body read.
 *
 * @example
 * ```ts
 * const call: CredentialsCall = { request, exchange, version: '2.2.1', caller, body: { ok: true, value: json } }
 * ```
 */
export interface CredentialsCall {
  readonly request: Request
  readonly exchange: LiveExchange
  readonly version: MockVersion
  readonly caller: Principal
  readonly body: { readonly ok: boolean; readonly value: unknown }
}

const DISCOVERY_CODES = { versions: 3001, details: 3001, 'no-version': 3002, endpoints: 3003 } as const

/**
 * Serves the credentials endpoint as a registration Receiver. GET answers the mock's Credentials with the
 * caller's token. POST (TOKEN_A only, not registered, else 405) and PUT (registered only, else 405) check
 * the body for the version, GET the caller's versions and the details of this version with the token from
 * the body (3001 / 3002 / 3003 on failure), then commit, issue a new token and answer the mock's
 * Credentials; POST consumes TOKEN_A, PUT retires the previous token and switches version. DELETE
 * (registered only, else 405) ends the link.
 *
 * @example
 * ```ts
 * const reply = await handleCredentials(ctx, call)
 * ```
 */
export async function handleCredentials(ctx: PeerContext, call: CredentialsCall): Promise<Reply> {
  const { session } = ctx
  const { caller, version, exchange } = call
  switch (call.request.method) {
    case 'GET': {
      // With the token a PUT replaced (a lost answer checked), the token the mock holds for it now.
      const token = caller.kind === 'replaced' ? (session.tokenForSdk ?? caller.token) : caller.token
      return ocpiReply(200, 1000, credentialsDocument(ctx.config, version, token))
    }
    case 'POST': {
      if (session.registered || caller.kind !== 'invite')
        return notAllowed(
          ctx,
          exchange,
          'POST credentials',
          'already registered: use PUT to update, DELETE to end',
        )
      return await exchangeCredentials(ctx, call, 'POST credentials')
    }
    case 'PUT': {
      if (!session.registered || caller.kind === 'invite')
        return notAllowed(ctx, exchange, 'PUT credentials', 'not registered: register with POST first')
      return await exchangeCredentials(ctx, call, 'PUT credentials')
    }
    case 'DELETE': {
      if (!session.registered || caller.kind === 'invite')
        return notAllowed(ctx, exchange, 'DELETE credentials', 'not registered')
      dropLink(ctx)
      return ocpiReply(200, 1000)
    }
    default:
      return ocpiReply(405, 2000, undefined, `${call.request.method} is not a credentials method`)
  }
}

async function exchangeCredentials(
  ctx: PeerContext,
  call: CredentialsCall,
  step: 'POST credentials' | 'PUT credentials',
): Promise<Reply> {
  const { exchange, version, caller } = call
  if (!call.body.ok) {
    exchange.flag('invalid-json', 'the request body is not valid JSON')
    return ocpiReply(400, 2001, undefined, 'the body is not valid JSON')
  }
  const parsed = parseCredentials(call.body.value, version)
  if (!parsed.ok) {
    for (const issue of parsed.issues) exchange.flag('invalid-credentials', issue)
    return ocpiReply(200, 2001, undefined, `invalid Credentials for ${version}: ${parsed.issues.join('; ')}`)
  }
  const credentials = parsed.value
  if (credentials.token === caller.token) {
    exchange.flag(
      'invalid-credentials',
      'token: must be a token of the caller, not the one it authenticated with',
    )
    return ocpiReply(
      200,
      2001,
      undefined,
      'the token in the body is the token the request was authenticated with',
    )
  }
  const found = await discover(ctx, {
    versionsUrl: credentials.url,
    token: credentials.token,
    correlationId: call.request.headers.get('x-correlation-id') ?? crypto.randomUUID(),
    listVersion: version,
    pick: (offered) => (offered.includes(version) ? version : undefined),
  })
  if (!found.ok) return ocpiReply(200, DISCOVERY_CODES[found.failure], undefined, found.message)

  // The state may have moved while the discovery was under way.
  if (step === 'POST credentials') {
    if (ctx.session.registered) return notAllowed(ctx, exchange, step, 'already registered')
    if (!ctx.invitations.has(caller.token))
      return ocpiReply(401, 2000, undefined, 'TOKEN_A was consumed meanwhile')
  } else if (!ctx.session.registered) return notAllowed(ctx, exchange, step, 'unregistered meanwhile')

  // Reference §2.4 step 8: TOKEN_A is invalid once registration completes; the mock has one link, so
  // every outstanding invitation dies with it.
  if (step === 'POST credentials') retireInvitations(ctx)
  const tokenForSdk = newToken('c')
  commitLink(ctx, {
    version,
    tokenForSdk,
    tokenFromSdk: credentials.token,
    sdkEndpoints: found.endpoints,
    registration: registrationOf(version, credentials, call.body.value),
    grace: step === 'PUT credentials',
  })
  return ocpiReply(200, 1000, credentialsDocument(ctx.config, version, tokenForSdk))
}

/**
 * The Credentials a platform presented, as the mock keeps them.
 *
 * @example
 * ```ts
 * registrationOf('2.2.1', parsed, body)
 * ```
 */
export function registrationOf(
  version: MockVersion,
  credentials: ParsedCredentials,
  raw: unknown,
): MockPeerRegistration {
  return {
    version,
    url: credentials.url,
    parties: credentials.parties,
    roles: credentials.parties.flatMap((p) => (p.role === null ? [] : [p.role])),
    hubPartyId: credentials.hubPartyId,
    credentials: raw,
  }
}

function notAllowed(ctx: PeerContext, exchange: LiveExchange, target: string, message: string): Reply {
  if (ctx.faults.take(target, '401-instead-of-405') !== undefined) {
    exchange.mark('401-instead-of-405')
    return ocpiReply(401, 2000, undefined, 'Unauthorized')
  }
  return ocpiReply(405, 2000, undefined, message)
}
