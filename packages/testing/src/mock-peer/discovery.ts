import type { PeerContext } from './context.js'
import type { MockEndpoint, MockVersion } from './options.js'
import { type OutboundOutcome, send } from './outbound.js'
import { encodingFor } from './protocol.js'
import type { MockPeerStep } from './records.js'
import { checkDetails, checkVersionsList } from './validate-discovery.js'

/**
 * What a discovery of the platform under test needs.
 *
 * @example
 * ```ts
 * const input: DiscoverInput = { versionsUrl, token, correlationId, listVersion: '2.2.1', pick: () => '2.2.1' }
 * ```
 */
export interface DiscoverInput {
  readonly versionsUrl: string
  /** The token to call with, unencoded. */
  readonly token: string
  readonly correlationId: string
  /** The version whose encoding and headers the versions GET uses (no version is chosen yet then). */
  readonly listVersion: MockVersion
  /** Chooses the version from the platform's list. */
  readonly pick: (offered: readonly string[]) => MockVersion | undefined
}

/**
 * The outcome of a discovery. On failure, `failure` tells which rule applies: `versions` and `details`
 * (3001: the platform's API could not be used), `no-version` (3002), `endpoints` (3003).
 *
 * @example
 * ```ts
 * if (!found.ok && found.failure === 'no-version') return ocpiReply(200, 3002)
 * ```
 */
export type Discovery =
  | {
      readonly ok: true
      readonly version: MockVersion
      readonly endpoints: readonly MockEndpoint[]
      readonly credentialsUrl: string
    }
  | {
      readonly ok: false
      readonly failure: 'versions' | 'no-version' | 'details' | 'endpoints'
      readonly message: string
      readonly step: MockPeerStep
      readonly version: MockVersion | null
      /** The last answer, `null` when it was a network error. */
      readonly outcome: OutboundOutcome | null
    }

/**
 * Whether an answer is a success: HTTP 2xx and an envelope with a 1xxx `status_code`.
 *
 * @example
 * ```ts
 * if (succeeded(outcome)) use(outcome.envelope)
 * ```
 */
export function succeeded(outcome: OutboundOutcome): outcome is Extract<OutboundOutcome, { kind: 'answer' }> {
  return (
    outcome.kind === 'answer' &&
    outcome.status >= 200 &&
    outcome.status < 300 &&
    outcome.envelope.ok &&
    outcome.envelope.statusCode >= 1000 &&
    outcome.envelope.statusCode < 2000
  )
}

/**
 * GETs the platform's versions, picks a version, GETs its details, and checks them: `credentials` must be
 * listed, and every module in the mock's `requires`.
 *
 * @example
 * ```ts
 * const found = await discover(ctx, { versionsUrl: body.url, token: body.token, correlationId, listVersion: v, pick: (list) => (list.includes(v) ? v : undefined) })
 * ```
 */
export async function discover(ctx: PeerContext, input: DiscoverInput): Promise<Discovery> {
  const listed = await send(ctx, {
    step: 'GET versions',
    method: 'GET',
    url: input.versionsUrl,
    token: input.token,
    encoding: encodingFor(ctx.config.tokenEncoding, input.listVersion),
    version: input.listVersion,
    versioned: false,
    correlationId: input.correlationId,
  })
  if (!succeeded(listed)) return failed('versions', 'GET versions', null, listed, 'the versions GET failed')
  const list = checkVersionsList(listed.envelope.ok ? listed.envelope.data : undefined)
  for (const issue of list.issues) listed.exchange.flag('invalid-versions', issue)
  if (!list.ok) return failed('versions', 'GET versions', null, listed, 'the versions list is unusable')

  const version = input.pick(list.value.map((entry) => entry.version))
  const entry = list.value.find((e) => e.version === version)
  if (version === undefined || entry === undefined)
    return failed('no-version', 'GET versions', null, listed, 'no version in common')

  const detailed = await send(ctx, {
    step: 'GET details',
    method: 'GET',
    url: entry.url,
    token: input.token,
    encoding: encodingFor(ctx.config.tokenEncoding, version),
    version,
    versioned: true,
    correlationId: input.correlationId,
  })
  if (!succeeded(detailed))
    return failed('details', 'GET details', version, detailed, 'the details GET failed')
  const details = checkDetails(detailed.envelope.ok ? detailed.envelope.data : undefined, version)
  for (const issue of details.issues) detailed.exchange.flag('invalid-details', issue)
  if (!details.ok)
    return failed('details', 'GET details', version, detailed, 'the version details are unusable')

  const credentials = details.value.find((e) => e.identifier === 'credentials')
  if (credentials === undefined) {
    detailed.exchange.flag('details-missing-credentials', 'the version details do not list credentials')
    return failed('endpoints', 'GET details', version, detailed, 'credentials endpoint missing')
  }
  const missing = ctx.config.requires.filter(
    (r) =>
      !details.value.some(
        (e) =>
          e.identifier === r.identifier && (r.role === null || e.role === undefined || e.role === r.role),
      ),
  )
  if (missing.length > 0) {
    const names = missing.map((r) => (r.role === null ? r.identifier : `${r.identifier} ${r.role}`))
    return failed(
      'endpoints',
      'GET details',
      version,
      detailed,
      `required endpoints missing: ${names.join(', ')}`,
    )
  }
  return { ok: true, version, endpoints: details.value, credentialsUrl: credentials.url }
}

function failed(
  failure: 'versions' | 'no-version' | 'details' | 'endpoints',
  step: MockPeerStep,
  version: MockVersion | null,
  outcome: OutboundOutcome,
  message: string,
): Discovery {
  const detail = outcome.kind === 'network' ? `${message}: ${outcome.error}` : message
  return {
    ok: false,
    failure,
    message: detail,
    step,
    version,
    outcome: outcome.kind === 'network' ? null : outcome,
  }
}
