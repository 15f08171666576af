import type { LayeredMap } from './layered-map.js'
import { layeredSize } from './layered-map.js'
import type { HaVipJson, LedgerEntryJson, Quotas, SnapshotJson } from './json.js'
import type { Eni, Instance, TargetKey } from './resources.js'

declare const opaque: unique symbol

/**
 * The network state the rules decide against. Made by `loadSnapshot`; every request that changes
 * something makes a new one, sharing what it did not change with the old. Opaque and immutable:
 * read it with the library's functions (`snapshotToJson`, `handle` with DescribeHaVips).
 */
export interface Snapshot {
  /** The brand: only the library makes snapshots. */
  readonly [opaque]: 'havip-rules Snapshot'
}

export const defaultQuotas: Quotas = { InstancesPerHaVip: 10, HaVipsPerInstance: 5 }
export const defaultRegion = 'cn-beijing'

/** What a snapshot holds: indexes built once at load, and layered maps for what requests change. */
export class SnapshotState {
  declare readonly [opaque]: 'havip-rules Snapshot'

  constructor(
    readonly region: string,
    readonly quotas: Quotas,
    readonly haVips: LayeredMap<string, HaVipJson>,
    /** HaVip ids in snapshot order (requests never add or remove HaVips). */
    readonly haVipOrder: ReadonlyArray<string>,
    /** Requests never change these; a Terraform plan's check adds the resources the plan creates. */
    readonly instances: LayeredMap<string, Instance>,
    readonly enis: LayeredMap<string, Eni>,
    /** How many HaVips list each target, for `LimitExceeded.HaVipsPerInstance`. */
    readonly bindingCounts: LayeredMap<TargetKey, number>,
    /** The idempotency ledger, keyed by `ledgerKey(Action, ClientToken)`. */
    readonly ledger: LayeredMap<string, LedgerEntryJson>,
    /** The JSON object it was loaded from (checked by the codec): every field the rules do not own is written back from here. */
    readonly source: SnapshotJson,
  ) {}

  /** `console.log(snapshot)`: what it holds, in one line, instead of its indexes. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Snapshot { Region: ${JSON.stringify(this.region)}, HaVips: ${String(this.haVipOrder.length)}, ` +
      `Instances: ${String(layeredSize(this.instances))}, NetworkInterfaces: ${String(layeredSize(this.enis))}, ClientTokens: ${String(layeredSize(this.ledger))} }`
  }
}

/** Whether a value is a snapshot made by `loadSnapshot` (or by a request on one). */
export const isSnapshot = (u: unknown): u is SnapshotState => u instanceof SnapshotState

/** What a request can change (and what a plan's check adds: HaVips, instances and ENIs). */
export interface SnapshotChanges {
  readonly haVips?: SnapshotState['haVips']
  readonly haVipOrder?: SnapshotState['haVipOrder']
  readonly instances?: SnapshotState['instances']
  readonly enis?: SnapshotState['enis']
  readonly bindingCounts?: SnapshotState['bindingCounts']
  readonly ledger?: SnapshotState['ledger']
}

/** A snapshot with some parts replaced, the rest shared. */
export const withChanges = (s: SnapshotState, c: SnapshotChanges): SnapshotState =>
  new SnapshotState(s.region, s.quotas, c.haVips ?? s.haVips, c.haVipOrder ?? s.haVipOrder, c.instances ?? s.instances, c.enis ?? s.enis,
    c.bindingCounts ?? s.bindingCounts, c.ledger ?? s.ledger, s.source)

/** The region a snapshot answers with (the default for what is not a snapshot). */
export const regionOf = (s: Snapshot): string => (isSnapshot(s) ? s.region : defaultRegion)
