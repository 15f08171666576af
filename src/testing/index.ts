/**
 * havip-rules/testing: havip-rules as a reference oracle for other implementations.
 * Needs `fast-check` (a peer dependency).
 */
export type { SnapshotJson, HaVipJson, InstanceJson, EniJson, LedgerEntryJson, Params } from './arbitraries.js'
export { snapshotArbitrary, requestArbitrary, scenarioArbitrary } from './arbitraries.js'
