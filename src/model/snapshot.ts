import type { LayeredMap } from './layered-map.js'
import { layeredSize } from './layered-map.js'
import type { AddressIndex, Subnet } from './addresses.js'
import type { AnyLedgerEntryJson, HaVipJson, Quotas, SnapshotJson } from './json.js'
import type { Eni, Instance, TargetKey } from './resources.js'
import type { TaskLedger } from './tasks.js'

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

/** Every quota, defaults filled in. */
export type Limits = Required<Quotas>

export const defaultQuotas: Limits = { InstancesPerHaVip: 10, HaVipsPerInstance: 5, HaVipsPerRegion: 20, HaVipsPerVpc: 5 }
export const defaultRegion = 'cn-beijing'

/** What a snapshot holds: indexes built once at load, and layered maps for what requests change. */
export interface SnapshotParts {
  readonly region: string
  readonly quotas: Limits
  /** The HaVips, in snapshot order: loaded ones first, then created ones in the order they were made. */
  readonly haVips: LayeredMap<string, HaVipJson>
  readonly haVipCount: number
  /** How many HaVips each VPC holds, for `QuotaExceeded.HaVipsPerVpc`. */
  readonly haVipsPerVpc: LayeredMap<string, number>
  /** Requests never change these; a Terraform plan's check adds the resources the plan creates. */
  readonly instances: LayeredMap<string, Instance>
  readonly enis: LayeredMap<string, Eni>
  /** How many HaVips list each target, for `LimitExceeded.HaVipsPerInstance`. */
  readonly bindingCounts: LayeredMap<TargetKey, number>
  /** The idempotency ledger, keyed by `ledgerKey(Action, ClientToken)`. */
  readonly ledger: LayeredMap<string, AnyLedgerEntryJson>
  /** Requests never change subnets or route entries. */
  readonly subnets: ReadonlyMap<string, Subnet>
  /** The first route entry whose next hop is each HaVip. */
  readonly routeEntryOf: ReadonlyMap<string, string>
  /** The addresses in use in each listed subnet. */
  readonly addresses: AddressIndex
  readonly tasks: TaskLedger
  /** How many ids the snapshot has issued. */
  readonly idCounter: number
  /** 0: synchronous; N: a task takes N steps. */
  readonly asyncSteps: number
  /** Whether anything differs from what was loaded. */
  readonly changed: boolean
  /** The JSON object it was loaded from (checked by the codec): every field the rules do not own is written back from here. */
  readonly source: SnapshotJson
}

// The class carries the brand and the printing; its fields are the parts, set once.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface SnapshotState extends SnapshotParts {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SnapshotState {
  declare readonly [opaque]: 'havip-rules Snapshot'

  constructor(p: SnapshotParts) {
    Object.assign(this, p)
  }

  /** `console.log(snapshot)`: what it holds, in one line, instead of its indexes. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Snapshot { Region: ${JSON.stringify(this.region)}, HaVips: ${String(this.haVipCount)}, ` +
      `Instances: ${String(layeredSize(this.instances))}, NetworkInterfaces: ${String(layeredSize(this.enis))}, ClientTokens: ${String(layeredSize(this.ledger))}, ` +
      `Subnets: ${String(this.subnets.size)}, AsyncTasks: ${String(this.tasks.size)} }`
  }
}

/** Whether a value is a snapshot made by `loadSnapshot` (or by a request on one). */
export const isSnapshot = (u: unknown): u is SnapshotState => u instanceof SnapshotState

/** What a request can change (and what a plan's check adds: HaVips, instances and ENIs). */
export type SnapshotChanges = Partial<Omit<SnapshotParts, 'changed' | 'source'>>

/** A snapshot with some parts replaced, the rest shared. */
export const withChanges = (s: SnapshotState, c: SnapshotChanges): SnapshotState => {
  const parts: SnapshotParts = s
  return new SnapshotState({ ...parts, ...c, changed: true })
}

/** The region a snapshot answers with (the default for what is not a snapshot). */
export const regionOf = (s: Snapshot): string => (isSnapshot(s) ? s.region : defaultRegion)
