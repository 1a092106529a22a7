// Every fault mode of the mock peer at every step of register, rotate (both directions) and
// unregister, with the memory store: the published scenarios (src/faults), which every store runs.
import { memoryHarness } from '../src/conformance/memory-harness.js'
import { runFaultScenarios } from '../src/index.js'

runFaultScenarios(memoryHarness)
