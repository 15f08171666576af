import type { LayeredMap } from './layered-map.js'
import type { LedgerEntry } from './ledger.js'
import type { Eni, HaVip, Instance, TargetKey } from './resources.js'

export interface Quotas {
  readonly InstancesPerHaVip: number
  readonly HaVipsPerInstance: number
}

// Marks what loadSnapshot made, so that the library can answer anything else with an error.
export const snapshotBrand: unique symbol = Symbol('havip-rules snapshot')

/** Whether a value is a snapshot made by `loadSnapshot` (or by a request on one). */
export const isSnapshot = (u: unknown): u is Snapshot =>
  typeof u === 'object' && u !== null && (u as Partial<Record<typeof snapshotBrand, unknown>>)[snapshotBrand] === true

export const defaultQuotas: Quotas = { InstancesPerHaVip: 10, HaVipsPerInstance: 5 }
export const defaultRegion = 'cn-beijing'

/**
 * The network state the rules decide against: built once by `loadSnapshot`, then each request
 * makes a new one that shares everything it did not change with the old.
 *
 * Treat it as opaque and immutable: read it through the library's functions.
 */
export interface Snapshot {
  readonly [snapshotBrand]: true
  readonly region: string
  readonly quotas: Quotas
  readonly haVips: LayeredMap<string, HaVip>
  /** HaVip ids in snapshot order (requests never add or remove HaVips). */
  readonly haVipOrder: ReadonlyArray<string>
  readonly instances: ReadonlyMap<string, Instance>
  readonly enis: ReadonlyMap<string, Eni>
  /** How many HaVips list each target, for `LimitExceeded.HaVipsPerInstance`. */
  readonly bindingCounts: LayeredMap<TargetKey, number>
  /** The idempotency ledger, keyed by `ledgerKey(Action, ClientToken)`. */
  readonly ledger: LayeredMap<string, LedgerEntry>
  /** The JSON object it was loaded from: every field the rules do not own is written back from here. */
  readonly source: Readonly<Record<string, unknown>>
}

/** What a request can change. */
export type SnapshotChanges = Partial<Pick<Snapshot, 'haVips' | 'bindingCounts' | 'ledger'>>

/** A snapshot with some parts replaced, the rest shared. (Written out: a spread costs more on the request path.) */
export const withChanges = (s: Snapshot, c: SnapshotChanges): Snapshot => ({
  [snapshotBrand]: true,
  region: s.region,
  quotas: s.quotas,
  haVips: c.haVips ?? s.haVips,
  haVipOrder: s.haVipOrder,
  instances: s.instances,
  enis: s.enis,
  bindingCounts: c.bindingCounts ?? s.bindingCounts,
  ledger: c.ledger ?? s.ledger,
  source: s.source,
})
