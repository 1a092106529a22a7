import { runStoreConformance } from '../index.js'
import { memoryHarness } from './memory-harness.js'

runStoreConformance(memoryHarness)
