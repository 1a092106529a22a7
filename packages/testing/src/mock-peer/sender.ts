import { commitLink, dropLink, type PeerContext, type PendingOffer, retireInvitations } from './context.js'
import { registrationOf } from './credentials-handlers.js'
import { type Discovery, discover, succeeded } from './discovery.js'
import type { MockVersion } from './options.js'
import { type OutboundOutcome, send } from './outbound.js'
import { credentialsDocument } from './own-documents.js'
import { compareVersions, encodingFor, highestMutual } from './protocol.js'
import type { MockPeerResult, MockPeerStep } from './records.js'
import { newToken } from './token.js'
import { parseCredentials } from './validate-credentials.js'

/**
 * Registers the mock with the platform under test, as the Sender: GET its versions with its TOKEN_A,
 * choose the highest mutual version, GET the details, POST the mock's Credentials with a fresh token
 * (accepted on the mock's endpoints while the POST is open), and on success keep the returned token.
 *
 * @example
 * ```ts
 * const result = await registerWith(ctx, { versionsUrl: 'https://cpo.test/ocpi/versions', token: tokenA })
 * ```
 */
export async function registerWith(
  ctx: PeerContext,
  input: { readonly versionsUrl: string; readonly token: string },
): Promise<MockPeerResult> {
  const highest = [...ctx.config.versions].sort(compareVersions).at(-1) ?? '2.2.1'
  const correlationId = crypto.randomUUID()
  const found = await discover(ctx, {
    versionsUrl: input.versionsUrl,
    token: input.token,
    correlationId,
    listVersion: highest,
    pick: (offered) => highestMutual(ctx.config.versions, offered),
  })
  if (!found.ok) return discoveryFailure(found)
  return await exchange(ctx, {
    step: 'POST credentials',
    version: found.version,
    url: found.credentialsUrl,
    token: input.token,
    correlationId,
    found,
  })
}

/**
 * Updates the link with a PUT, as the initiator: re-discovers the platform (the target version, default
 * the current one) with the current token, PUTs the mock's Credentials with a new token, and on success
 * switches to the returned token and the target version. After an unregistration, the last known token
 * and URLs are used (so the platform's refusal can be observed).
 *
 * @example
 * ```ts
 * const result = await rotateWith(ctx, { version: '2.3.0' })
 * ```
 */
export async function rotateWith(
  ctx: PeerContext,
  input: { readonly version?: MockVersion },
): Promise<MockPeerResult> {
  const s = ctx.session
  const versionsUrl = s.sdkVersionsUrl ?? s.lastSdkVersionsUrl
  const token = s.tokenFromSdk ?? s.lastTokenFromSdk
  const current = s.version ?? s.lastVersion
  if (versionsUrl === null || token === null || current === null)
    return refused('GET versions', null, 'the mock has never been registered: nothing to update')
  const target = input.version ?? current
  if (!ctx.config.versions.includes(target))
    return refused('GET versions', target, `the mock does not speak ${target}`)
  const correlationId = crypto.randomUUID()
  const found = await discover(ctx, {
    versionsUrl,
    token,
    correlationId,
    listVersion: current,
    pick: (offered) => (offered.includes(target) ? target : undefined),
  })
  if (!found.ok) return discoveryFailure(found)
  return await exchange(ctx, {
    step: 'PUT credentials',
    version: target,
    url: found.credentialsUrl,
    token,
    correlationId,
    found,
  })
}

/**
 * Unregisters with a DELETE to the platform's credentials endpoint; on success the link ends.
 *
 * @example
 * ```ts
 * const result = await unregisterWith(ctx)
 * ```
 */
export async function unregisterWith(ctx: PeerContext): Promise<MockPeerResult> {
  const s = ctx.session
  const token = s.tokenFromSdk ?? s.lastTokenFromSdk
  const version = s.version ?? s.lastVersion
  const endpoints = s.registered ? s.sdkEndpoints : s.lastSdkEndpoints
  const url = endpoints.find((e) => e.identifier === 'credentials')?.url
  if (token === null || version === null || url === undefined)
    return refused('DELETE credentials', null, 'the mock has never been registered: nothing to delete')
  const outcome = await send(ctx, {
    step: 'DELETE credentials',
    method: 'DELETE',
    url,
    token,
    encoding: encodingFor(ctx.config.tokenEncoding, version),
    version,
    versioned: true,
    correlationId: crypto.randomUUID(),
  })
  const result = resultOf('DELETE credentials', version, outcome)
  if (result.ok) dropLink(ctx)
  return result
}

async function exchange(
  ctx: PeerContext,
  call: {
    readonly step: 'POST credentials' | 'PUT credentials'
    readonly version: MockVersion
    readonly url: string
    readonly token: string
    readonly correlationId: string
    readonly found: Extract<Discovery, { ok: true }>
  },
): Promise<MockPeerResult> {
  const { version } = call
  const offered = newToken('b')
  const offer: PendingOffer = { version, step: call.step, fetched: new Set() }
  ctx.pending.set(offered, offer)
  try {
    const outcome = await send(ctx, {
      step: call.step,
      method: call.step === 'POST credentials' ? 'POST' : 'PUT',
      url: call.url,
      token: call.token,
      encoding: encodingFor(ctx.config.tokenEncoding, version),
      version,
      versioned: true,
      correlationId: call.correlationId,
      body: credentialsDocument(ctx.config, version, offered),
    })
    const result = resultOf(call.step, version, outcome)
    if (!result.ok || outcome.kind !== 'answer' || !outcome.envelope.ok) return result
    const parsed = parseCredentials(outcome.envelope.data, version)
    if (!parsed.ok) {
      for (const issue of parsed.issues) outcome.exchange.flag('invalid-credentials', issue)
      return { ...result, ok: false, error: 'the answer does not hold valid Credentials' }
    }
    const problems: string[] = []
    if (parsed.value.token === call.token) {
      outcome.exchange.flag('invalid-credentials', 'token: the answer returns the token it was called with')
      problems.push('the answer returns the token it was called with')
    }
    // Reference §2.7: TOKEN_B and TOKEN_C are generated fresh and must differ (each identifies one party).
    if (parsed.value.token === offered) {
      outcome.exchange.flag(
        'invalid-credentials',
        'token: the answer returns the token this peer offered in the request; the two tokens must differ',
      )
      problems.push('the answer returns the token this peer offered')
    }
    const skipped = discoverySkipped(offer)
    if (skipped !== null) {
      outcome.exchange.flag('discovery-skipped', skipped)
      problems.push(skipped)
    }
    if (problems.length > 0) return { ...result, ok: false, error: problems.join('; ') }
    // The mock has one link: once it is registered, no TOKEN_A of its own may start another (§2.4 step 8).
    if (call.step === 'POST credentials') retireInvitations(ctx)
    commitLink(ctx, {
      version,
      tokenForSdk: offered,
      tokenFromSdk: parsed.value.token,
      sdkEndpoints: call.found.endpoints,
      registration: registrationOf(version, parsed.value, outcome.envelope.data),
    })
    return result
  } finally {
    ctx.pending.delete(offered)
  }
}

/**
 * Why the platform's answer to the mock's POST/PUT came without its callback discovery, or `null`. The
 * Receiver of a POST must GET the Sender's versions and the details of the POSTed version with TOKEN_B
 * before answering (reference §2.3 POST, §2.4 step 6, §7 pitfall #2); the receiver of a PUT must always
 * re-fetch them (§2.3 PUT "always re-fetches", §2.7 "You must re-fetch the endpoints on every PUT",
 * §7 pitfall #6): a MUST in both cases, so the exchange is not counted as a success.
 */
function discoverySkipped(offer: PendingOffer): string | null {
  const missing = [
    offer.fetched.has('versions') ? null : 'versions',
    offer.fetched.has('details') ? null : `version details of ${offer.version}`,
  ].filter((m) => m !== null)
  if (missing.length === 0) return null
  const token =
    offer.step === 'POST credentials'
      ? 'with the token offered in the POST'
      : "with the token offered in the PUT or the link's current one"
  return `the platform answered the ${offer.step} without fetching this peer's ${missing.join(' and ')} ${token} while the request was open`
}

function resultOf(step: MockPeerStep, version: MockVersion | null, outcome: OutboundOutcome): MockPeerResult {
  if (outcome.kind === 'network') return { ...refused(step, version, outcome.error) }
  const envelope = outcome.envelope
  return {
    ok: succeeded(outcome),
    step,
    version,
    status: outcome.status,
    statusCode: envelope.statusCode,
    statusMessage: envelope.ok ? envelope.statusMessage : null,
    body: outcome.body,
    error: null,
  }
}

function discoveryFailure(found: Extract<Discovery, { ok: false }>): MockPeerResult {
  if (found.outcome === null) return refused(found.step, found.version, found.message)
  return { ...resultOf(found.step, found.version, found.outcome), ok: false, error: found.message }
}

function refused(step: MockPeerStep, version: MockVersion | null, error: string): MockPeerResult {
  return {
    ok: false,
    step,
    version,
    status: null,
    statusCode: null,
    statusMessage: null,
    body: undefined,
    error,
  }
}
