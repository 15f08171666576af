/**
 * A snapshot as JSON: what `loadSnapshot` reads and `snapshotToJson` writes. The resources are
 * shaped as the vendor's Describe calls return them; every field the rules do not read is kept as
 * it is and written back (so each resource type also accepts any other field).
 */

/** The two kinds of target a HaVip binds. */
export type InstanceType = 'EcsInstance' | 'NetworkInterface'

/** Fields of the vendor's that the rules do not read: kept, untouched, in their order. */
export interface VendorFields {
  readonly [field: string]: unknown
}

/** A HaVip, as DescribeHaVips returns it in `Result.HaVips`. */
export interface HaVipJson extends VendorFields {
  readonly HaVipId: string
  readonly SubnetId: string
  /** The vendor's values: `Available`, `Creating`, `InUse`, `Deleting`. */
  readonly Status: string
  /** The type of the bound targets; `""` or absent when nothing is bound. */
  readonly AssociatedInstanceType?: InstanceType | ''
  /** The bound targets' ids, of `AssociatedInstanceType`. */
  readonly AssociatedInstanceIds?: ReadonlyArray<string>
  /** Cleared (set to `""`) when that target is disassociated. */
  readonly MasterInstanceId?: string
  /** `false` models a HaVip that refuses association (`InvalidHaVip.NotSupport`); default `true`. */
  readonly SupportsAssociation?: boolean
}

/** One of an instance's interfaces, as ecs DescribeInstances lists them. */
export interface InstanceInterfaceJson extends VendorFields {
  readonly SubnetId: string
  /** `primary` or `secondary`; the instance's subnet is its primary interface's. */
  readonly Type: string
}

/** An ECS instance, as ecs DescribeInstances returns it in `Result.Instances`. */
export interface InstanceJson extends VendorFields {
  readonly InstanceId: string
  /** The vendor's values: `CREATING`, `RUNNING`, `STOPPING`, `STOPPED`, `REBOOTING`, `STARTING`, … */
  readonly Status: string
  /** Must hold one interface with `Type: "primary"`. */
  readonly NetworkInterfaces: ReadonlyArray<InstanceInterfaceJson>
}

/** An elastic network interface, as DescribeNetworkInterfaces returns it in `Result.NetworkInterfaceSets`. */
export interface NetworkInterfaceJson extends VendorFields {
  readonly NetworkInterfaceId: string
  readonly SubnetId: string
  /** The vendor's values: `Creating`, `Available`, `Attaching`, `InUse`, `Detaching`, `Deleting`. */
  readonly Status: string
  /** The ECS instance it is attached to; empty or absent when unattached. */
  readonly DeviceId?: string
  /** The interface belongs to another cloud service; default `false`. */
  readonly ServiceManaged?: boolean
}

/** One remembered ClientToken: the idempotency ledger's entry. */
export interface LedgerEntryJson {
  readonly Action: string
  readonly ClientToken: string
  /** `InProgress` is put there by a host that models slow operations. */
  readonly Status: 'Succeeded' | 'InProgress'
  /** What a replay of this entry answers with. */
  readonly RequestId?: string
  readonly Parameters: {
    readonly HaVipId: string
    readonly InstanceId: string
    /** Absent means `EcsInstance`. */
    readonly InstanceType?: string
  }
}

/** The limits the rules enforce. */
export interface Quotas {
  /** Targets one HaVip may hold (vendor: 10). */
  readonly InstancesPerHaVip: number
  /** HaVips one target may be bound to (default 5). */
  readonly HaVipsPerInstance: number
}

/** A whole snapshot. Every key is optional; no other top-level key is allowed. */
export interface SnapshotJson {
  /** Goes into every response; default `cn-beijing`. */
  readonly Region?: string
  readonly HaVips?: ReadonlyArray<HaVipJson>
  readonly Instances?: ReadonlyArray<InstanceJson>
  readonly NetworkInterfaces?: ReadonlyArray<NetworkInterfaceJson>
  readonly Quotas?: Partial<Quotas>
  readonly ClientTokens?: ReadonlyArray<LedgerEntryJson>
}
