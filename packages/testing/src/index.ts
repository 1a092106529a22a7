/**
 * The testing kit of `@ocpi-credentials`: the store conformance suite and mock OCPI peers.
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
