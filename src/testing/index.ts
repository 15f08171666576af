/**
 * havip-rules/testing: havip-rules as a reference oracle for other implementations
 * (docs/testing-against-havip-rules.md). Needs `fast-check` (a peer dependency).
 *
 * @packageDocumentation
 * @module havip-rules/testing
 */
export type { SnapshotOptions, RequestParams } from './arbitraries.js'
export { snapshotArbitrary, requestArbitrary, scenarioArbitrary } from './arbitraries.js'
export { issuedId, lifecycleSnapshotArbitrary, lifecycleRequestArbitrary, lifecycleScenarioArbitrary } from './lifecycle-arbitraries.js'
export type { System, Reply, ConformanceOptions, ConformanceReport } from './harness.js'
export { checkConformance } from './harness.js'
