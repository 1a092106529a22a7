import type { ResolvedConfig } from '../config.js'
import { isModern, type SupportedVersion } from '../protocol/versions.js'
import { ownUrls } from './routes.js'

/**
 * The `data` of our versions response: every offered version with its details URL, oldest first as in
 * the spec's examples (a peer that takes the last entry instead of negotiating gets our newest).
 *
 * @example
 * ```ts
 * versionListData(config) // [{ version: '2.1.1', url: 'https://…/ocpi/2.1.1' }, …, { version: '2.3.0', … }]
 * ```
 */
export function versionListData(config: ResolvedConfig): { version: string; url: string }[] {
  const urls = ownUrls(config)
  return config.versions.map((version) => ({ version, url: urls.details(version) })).reverse()
}

/**
 * The `data` of our version details: `credentials` (role SENDER on 2.2+, as 2.2.1-d2 and 2.3.0 advise),
 * then the host's modules offered in this version. 2.1.1 endpoints carry no role.
 *
 * @example
 * ```ts
 * versionDetailsData(config, '2.2.1').endpoints[0] // { identifier: 'credentials', role: 'SENDER', url: … }
 * ```
 */
export function versionDetailsData(
  config: ResolvedConfig,
  version: SupportedVersion,
): { version: string; endpoints: { identifier: string; role?: string; url: string }[] } {
  const urls = ownUrls(config)
  const modern = isModern(version)
  const endpoints: { identifier: string; role?: string; url: string }[] = [
    modern
      ? { identifier: 'credentials', role: 'SENDER', url: urls.credentials(version) }
      : { identifier: 'credentials', url: urls.credentials(version) },
  ]
  if (modern && config.hubClientInfo.receiver) {
    endpoints.push({ identifier: 'hubclientinfo', role: 'RECEIVER', url: urls.hubClientInfo(version) })
  }
  if (modern && config.hubClientInfo.sender) {
    endpoints.push({ identifier: 'hubclientinfo', role: 'SENDER', url: urls.hubClientInfo(version) })
  }
  const seen211 = new Set<string>()
  for (const module of config.modules) {
    if (module.versions !== undefined && !module.versions.includes(version)) continue
    const url = urls.module(version, module.path ?? module.id)
    if (modern) {
      endpoints.push({ identifier: module.id, role: module.role, url })
    } else if (!seen211.has(module.id)) {
      // 2.1.1 has no interface roles: a module is listed once.
      seen211.add(module.id)
      endpoints.push({ identifier: module.id, url })
    }
  }
  return { version, endpoints }
}
