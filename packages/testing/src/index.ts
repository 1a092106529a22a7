/**
 * The testing kit of `@ocpi-credentials`: the store conformance suite, the fault scenarios over a store,
 * mock OCPI peers, and the secret-hygiene helpers (no token in anything logged, emitted or thrown).
 *
 * @packageDocumentation
 */

export type {
  RawStoreView,
  StoreHarness,
  StoreHarnessContext,
  StoreHarnessInstance,
} from './conformance/harness.js'
export { runStoreConformance } from './conformance/run-store-conformance.js'
export { runFaultScenarios } from './faults/run-fault-scenarios.js'
export {
  type HygieneSink,
  instrumentCreateAdminHandler,
  instrumentCreateOcpi,
} from './hygiene/instrument-ocpi.js'
export {
  createSecretLedger,
  type SecretLeak,
  type SecretLedger,
  type SecretLedgerOptions,
} from './hygiene/secret-ledger.js'
export { createMockPeer, type MockPeer } from './mock-peer/create-mock-peer.js'
export type { MockPeerFailOptions, MockPeerFaultMode, MockPeerFaultTarget } from './mock-peer/faults.js'
export type {
  MockBusinessDetails,
  MockEndpoint,
  MockEndpointInput,
  MockImage,
  MockInterfaceRole,
  MockParty,
  MockPartyInput,
  MockPartyRole,
  MockPeerFetch,
  MockPeerOptions,
  MockRequirement,
  MockTokenEncoding,
  MockVersion,
} from './mock-peer/options.js'
export type {
  MockPeerExchange,
  MockPeerFoundViolation,
  MockPeerRecordedResponse,
  MockPeerRegistration,
  MockPeerResult,
  MockPeerState,
  MockPeerStep,
  MockPeerViolation,
  MockPeerViolationCode,
} from './mock-peer/records.js'
export type { FetchLike } from './mock-peer/transports.js'
