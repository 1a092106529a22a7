import type { Context } from '../context.js'
import { OcpiError } from '../errors.js'
import type { OutboundToken, TokenEncoding } from '../model.js'
import {
  envelopeSchema,
  type VersionDetails,
  type VersionEntry,
  versionDetailsSchema,
  versionListSchema,
} from '../protocol/schemas.js'
import { compareVersions, isModern, normalizeVersion, type SupportedVersion } from '../protocol/versions.js'
import { otherEncoding } from '../tokens/authorization.js'
import type { OutboundResponse } from '../transport/transport.js'
import { checkPeerUrl } from '../transport/url-policy.js'
import { describeIssues } from './credentials-body.js'
import { buildRequest, processEnvelope } from './outbound.js'

/** What discovering a peer found: its versions, the chosen version's details, and the token form that worked. */
export interface Discovery {
  readonly versions: readonly VersionEntry[]
  readonly version: SupportedVersion
  readonly details: VersionDetails
  readonly encoding: TokenEncoding
}

/**
 * The default Authorization form for a version: raw on 2.1.1, Base64 on 2.2+.
 *
 * @example
 * ```ts
 * defaultEncoding('2.1.1') // 'raw'
 * ```
 */
export function defaultEncoding(version: SupportedVersion): TokenEncoding {
  return isModern(version) ? 'base64' : 'raw'
}

/**
 * The highest version both we and the peer speak (`2.1` counts as 2.1.1, `2.2` as 2.2.1), or `null`. Pure.
 *
 * @example
 * ```ts
 * highestMutualVersion(['2.3.0', '2.2.1', '2.1.1'], [{ version: '2.2', url }]) // '2.2.1'
 * ```
 */
export function highestMutualVersion(
  ours: readonly SupportedVersion[],
  theirs: readonly VersionEntry[],
): SupportedVersion | null {
  const offered = new Set(theirs.map((e) => normalizeVersion(e.version)))
  return [...ours].sort((a, b) => compareVersions(b, a)).find((v) => offered.has(v)) ?? null
}

/**
 * Picks the entry of a peer's versions list for one of our versions (`2.1` counts as 2.1.1, `2.2` as
 * 2.2.1), preferring an exact match. Pure.
 *
 * @example
 * ```ts
 * findVersionEntry(list, '2.2.1')
 * ```
 */
export function findVersionEntry(
  list: readonly VersionEntry[],
  version: SupportedVersion,
): VersionEntry | null {
  return (
    list.find((e) => e.version === version) ??
    list.find((e) => normalizeVersion(e.version) === version) ??
    null
  )
}

/** Whether the peer lists `2.2` but not `2.2.1`: the 2.2 tag said tokens are not Base64-encoded. */
function speaksPre221(list: readonly VersionEntry[]): boolean {
  return list.some((e) => e.version.trim() === '2.2') && !list.some((e) => e.version.trim() === '2.2.1')
}

/**
 * Whether an answer to a discovery GET may refuse the form of our token, so that the other form is tried
 * once: HTTP 401, and what peers in the field answer instead (403, 400, HTTP 5xx from a Base64 decoder
 * that throws on a raw token, IZIVIA/ocpi-toolkit#125, or HTTP 2xx carrying an OCPI 2xxx status).
 * Discovery GETs have no side effects, so a second try is always safe.
 */
function mayRefuseTokenForm(response: OutboundResponse): boolean {
  if (response.status === 401 || response.status === 403 || response.status === 400) return true
  if (response.status >= 500 && response.status <= 599) return true
  if (response.status < 200 || response.status > 299 || !response.body.ok) return false
  const envelope = envelopeSchema.safeParse(response.body.value)
  return envelope.success && envelope.data.status_code >= 2000 && envelope.data.status_code <= 2999
}

function refuseUrl(url: string, ctx: Context, step: string): void {
  const check = checkPeerUrl(url, ctx.urlPolicy)
  if (!check.ok) throw new OcpiError('ERR_OCPI_URL_REFUSED', `${step}: ${check.reason}`, { step })
}

/**
 * Discovers a peer: GET its versions list, pick the entry for `version` (or the highest mutual one), GET
 * that version's details. The encoding probe runs on these discovery GETs only: the preferred form first,
 * on a refusal (HTTP 401, 403, 400 or 5xx, or an OCPI 2xxx status) the other form once; the form that worked on the details is returned (and used for every
 * later call of that version). Every URL
 * the peer supplies is checked against the URL policy. Throws {@link OcpiError} naming the failed step.
 *
 * @example
 * ```ts
 * const found = await discover(ctx, { versionsUrl, token, version: '2.2.1', encoding: 'base64' })
 * ```
 */
export async function discover(
  ctx: Context,
  args: {
    versionsUrl: string
    token: OutboundToken
    /** The version to fetch details of, or `'highest'`: the highest version both sides speak. */
    version: SupportedVersion | 'highest'
    /** The form to try first on the version's details (and on the versions list, unless `via` says). */
    encoding: TokenEncoding
    /**
     * `false`: use `encoding` on both GETs and never the other form (the host set the peer's form);
     * default `true`.
     */
    probe?: boolean
    /**
     * How to call the versions list while the link still speaks another version (a version change):
     * that version's headers and the form known to work. The details of the new version are then
     * probed on their own, starting with `encoding`.
     */
    via?: { version: SupportedVersion; encoding: TokenEncoding }
    correlationId?: string
  },
): Promise<Discovery> {
  const correlation = args.correlationId === undefined ? {} : { correlationId: args.correlationId }
  // Request ids go on every discovery GET unless we know the peer is spoken to in 2.1.1.
  const listVersion = args.via?.version ?? (args.version === 'highest' ? null : args.version)
  refuseUrl(args.versionsUrl, ctx, 'GET versions')
  const getVersions = (encoding: TokenEncoding) =>
    ctx.transport.send(
      buildRequest({
        token: args.token,
        version: listVersion,
        ...correlation,
        method: 'GET',
        url: args.versionsUrl,
        encoding,
        step: 'GET versions',
      }),
    )
  const firstListEncoding = args.via?.encoding ?? args.encoding
  let listEncoding = firstListEncoding
  const probe = args.probe ?? true
  let response = await getVersions(listEncoding)
  if (probe && mayRefuseTokenForm(response)) {
    listEncoding = otherEncoding(listEncoding)
    response = await getVersions(listEncoding)
  }
  const list = versionListSchema.safeParse(processEnvelope(response, 'GET versions'))
  if (!list.success) {
    throw new OcpiError(
      'ERR_OCPI_PEER_INVALID_RESPONSE',
      `GET versions: invalid versions list: ${describeIssues(list.error)}`,
      { step: 'GET versions' },
    )
  }
  const version =
    args.version === 'highest' ? highestMutualVersion(ctx.config.versions, list.data) : args.version
  const entry = version === null ? null : findVersionEntry(list.data, version)
  if (version === null || entry === null) {
    const wanted = args.version === 'highest' ? `any of ${ctx.config.versions.join(', ')}` : args.version
    throw new OcpiError('ERR_OCPI_UNSUPPORTED_VERSION', `the peer's versions list does not offer ${wanted}`, {
      step: 'GET versions',
    })
  }
  refuseUrl(entry.url, ctx, 'GET version details')
  const getDetails = (encoding: TokenEncoding) =>
    ctx.transport.send(
      buildRequest({
        token: args.token,
        version,
        ...correlation,
        method: 'GET',
        url: entry.url,
        encoding,
        step: 'GET version details',
      }),
    )
  // Without a version change the list's form is the details' form; with one, the new version is probed.
  // A peer offering `2.2` (not 2.2.1) predates the Base64 rule, and a link that turns out to speak 2.1.1
  // (the list was fetched before the version was known) sends the raw token (§3.2): raw first for both,
  // unless the peer just refused the raw token on its list.
  const rawFirst = speaksPre221(list.data) || (args.version === 'highest' && !isModern(version))
  const listRefusedRaw = firstListEncoding === 'raw' && listEncoding !== 'raw'
  let encoding: TokenEncoding = !probe
    ? args.encoding
    : rawFirst && !listRefusedRaw
      ? 'raw'
      : args.via === undefined
        ? listEncoding
        : args.encoding
  let detailsResponse = await getDetails(encoding)
  if (probe && mayRefuseTokenForm(detailsResponse)) {
    encoding = otherEncoding(encoding)
    detailsResponse = await getDetails(encoding)
  }
  const detailsData = processEnvelope(detailsResponse, 'GET version details')
  const details = versionDetailsSchema.safeParse(detailsData)
  if (!details.success) {
    throw new OcpiError(
      'ERR_OCPI_PEER_INVALID_RESPONSE',
      `GET version details: invalid version details: ${describeIssues(details.error)}`,
      { step: 'GET version details' },
    )
  }
  // An endpoint whose URL the policy refuses is left out (never called), not a failure of the whole link:
  // a peer listing one optional module on a dev URL still registers. Credentials must be reachable;
  // a module the host requires and lost this way fails the `requires` check.
  const refused: { identifier: string; role: string | null; reason: string }[] = []
  const endpoints = details.data.endpoints.filter((endpoint) => {
    const check = checkPeerUrl(endpoint.url, ctx.urlPolicy)
    if (check.ok) return true
    if (endpoint.identifier === 'credentials') {
      throw new OcpiError('ERR_OCPI_URL_REFUSED', `GET version details: ${check.reason}`, {
        step: 'GET version details',
      })
    }
    refused.push({ identifier: endpoint.identifier, role: endpoint.role ?? null, reason: check.reason })
    return false
  })
  // One line per discovery, however many endpoints a peer lists: a peer must not flood our log.
  const listed = (detailsData as { endpoints?: unknown }).endpoints
  const malformed = Array.isArray(listed) ? listed.length - details.data.endpoints.length : 0
  if (malformed > 0) {
    ctx.log.warn?.("left out endpoints of the peer's version details that do not parse", { count: malformed })
  }
  if (refused.length > 0) {
    ctx.log.warn?.("left out endpoints of the peer's version details: the URL policy refuses their URLs", {
      count: refused.length,
      first: refused.slice(0, 5),
    })
  }
  return { versions: list.data, version, details: { ...details.data, endpoints }, encoding }
}
