// @ocpi-credentials/core: the public API. Everything here is documented with TSDoc and an example.

export type { EndpointRequirement, ModuleDeclaration, OwnParty } from './config.js'
export type {
  AuthenticatedPeer,
  AuthenticateOptions,
  AuthenticateResult,
  AuthenticationRequest,
} from './engine/authenticate.js'
export type { ClientRequest, ClientResponse, PeerClient } from './engine/client.js'
export type { HealthCheckOptions, HealthReport } from './engine/health.js'
export {
  applyIdentityLock,
  defaultPartyAdditionPolicy,
  defaultPartyRemovalPolicy,
  type IdentityDecision,
  type PartyAdditionPolicy,
  type PartyRemovalPolicy,
} from './engine/identity-lock.js'
export type { ImportPeerInput } from './engine/import-peer.js'
export type { Job } from './engine/periodic.js'
export type { RegisterInput } from './engine/register.js'
export type { ResealReport } from './engine/reseal.js'
export type { Revocation, RevokeOptions } from './engine/revoke.js'
export type { RotateOptions } from './engine/rotate.js'
export type { ScheduledRotationOptions, ScheduledRotationReport } from './engine/scheduled-rotation.js'
export type { UnregisterOutcome } from './engine/unregister.js'
export { OcpiConfigError, OcpiError, type OcpiErrorCode } from './errors.js'
export type { OcpiEvents, OcpiLogger } from './events.js'
export type { Invitation, InviteOptions } from './invite.js'
export * from './model.js'
export { createOcpi, type Ocpi, type OcpiOptions } from './ocpi.js'
export type { Peer } from './peer-view.js'
export { dateTimeSchema, formatDateTime, parseDateTime } from './protocol/datetime.js'
export * from './protocol/schemas.js'
export * from './protocol/status-codes.js'
export * from './protocol/versions.js'
export * from './store/commit-plan.js'
export * from './store/memory-store.js'
export { pageLimit } from './store/page-limit.js'
export * from './store/types.js'
export { authorizationCandidates, authorizationHeader } from './tokens/authorization.js'
export { digestToken } from './tokens/digest.js'
export { generateToken } from './tokens/generate.js'
export { createSealer, type Sealer, type SealingKey } from './tokens/sealing.js'
export {
  createTransport,
  type FetchLike,
  type OutboundRequest,
  type OutboundResponse,
  type ResponseBody,
  type Transport,
  type TransportOptions,
  type TransportTimeouts,
  transportDefaults,
} from './transport/transport.js'
export { checkPeerUrl, type PeerUrlCheck, type UrlPolicy } from './transport/url-policy.js'

// The admin API: a JSON handler to mount behind the host's own authentication.

export { bearerAuthorizer } from './admin/bearer.js'
export {
  type AdminFailedRequest,
  type AdminHandlerOptions,
  type AdminRequestContext,
  createAdminHandler,
} from './admin/handler.js'
export type {
  AdminError,
  AdminInvitation,
  AdminPeer,
  AdminPeerList,
  AdminRevocation,
  AdminUnregistration,
} from './admin/json.js'
