/**
 * The testing kit of `@ocpi-credentials`: the store conformance suite (mock peers and fixtures follow).
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
