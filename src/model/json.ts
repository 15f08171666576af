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
  /** Its address in its subnet: a dotted quad, or `""`. */
  readonly IpAddress?: string
  /** Its VPC; absent or `""`: its subnet's, when the subnet is listed. */
  readonly VpcId?: string
  readonly HaVipName?: string
  readonly Description?: string
  /** Non-empty when an EIP is bound to it (DeleteHaVip is then refused). */
  readonly AssociatedEipId?: string
  readonly AssociatedEipAddress?: string
  readonly ProjectName?: string
  readonly Tags?: ReadonlyArray<TagJson>
  /** ISO-8601; set by CreateHaVip and ModifyHaVipAttributes when the host passes a time. */
  readonly CreatedAt?: string
  readonly UpdatedAt?: string
}

/** A tag, as the vendor lists them. */
export interface TagJson {
  readonly Key: string
  readonly Value: string
}

/** One of an instance's interfaces, as ecs DescribeInstances lists them. */
export interface InstanceInterfaceJson extends VendorFields {
  readonly SubnetId: string
  /** `primary` or `secondary`; the instance's subnet is its primary interface's. */
  readonly Type: string
  /** An address in use in the interface's subnet: a dotted quad, or `""`. */
  readonly PrimaryIpAddress?: string
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
  /** An address in use in its subnet: a dotted quad, or `""`. */
  readonly PrimaryIpAddress?: string
  /** Its other addresses, each in use in its subnet. */
  readonly PrivateIpSets?: { readonly PrivateIpSet?: ReadonlyArray<{ readonly PrivateIpAddress?: string } & VendorFields> } & VendorFields
}

/** A subnet, as DescribeSubnets returns it in `Result.Subnets`. */
export interface SubnetJson extends VendorFields {
  readonly SubnetId: string
  readonly VpcId: string
  /** IPv4, `a.b.c.d/n`, host bits zero. */
  readonly CidrBlock: string
  /** `Available` (default) or `Pending`: only an `Available` subnet takes a new HaVip. */
  readonly Status?: string
}

/** A route entry, as DescribeRouteEntryList returns it in `Result.RouteEntries`. */
export interface RouteEntryJson extends VendorFields {
  readonly RouteEntryId: string
  /** `HaVip` for an entry whose next hop is a HaVip. */
  readonly NextHopType: string
  readonly NextHopId: string
}

/** One task of the task ledger: what a write answered as its `AsyncTaskId`. */
export interface AsyncTaskJson extends VendorFields {
  readonly AsyncTaskId: string
  /** The write that issued it (`CreateHaVip`, `AssociateHaVip`, …). */
  readonly Action: string
  /** The HaVip it changes. */
  readonly ResourceId?: string
  /** `InProgress`, `Succeeded` or `Failed`. */
  readonly Status: string
  /** The RequestId of the write. */
  readonly RequestId?: string
  /** Steps left before an `InProgress` task succeeds; default 0. */
  readonly StepsLeft?: number
}

interface LedgerEntryFields {
  readonly ClientToken: string
  /** `InProgress` is put there by a host that models slow operations. */
  readonly Status: 'Succeeded' | 'InProgress'
  /** What a replay of this entry answers with. */
  readonly RequestId?: string
  /** The task id the success answered with; an entry written before tasks existed has none. */
  readonly AsyncTaskId?: string
}

/** One remembered ClientToken of AssociateHaVip or DisassociateHaVip: the idempotency ledger's entry. */
export interface LedgerEntryJson extends LedgerEntryFields {
  readonly Action: string
  readonly Parameters: {
    readonly HaVipId: string
    readonly InstanceId: string
    /** Absent means `EcsInstance`. */
    readonly InstanceType?: string
  }
}

/** A remembered ClientToken of CreateHaVip: the parameters as given, and the `Result` a replay answers. */
export interface CreateHaVipLedgerEntryJson extends LedgerEntryFields {
  readonly Action: 'CreateHaVip'
  readonly Parameters: {
    readonly SubnetId: string
    readonly IpAddress?: string
    readonly HaVipName?: string
    readonly Description?: string
    readonly Tags?: ReadonlyArray<TagJson>
  }
  readonly Result: {
    readonly HaVipId: string
    readonly IpAddress: string
    readonly AsyncTaskId?: string
  }
}

/** Any entry of the idempotency ledger (`ClientTokens`). */
export type AnyLedgerEntryJson = LedgerEntryJson | CreateHaVipLedgerEntryJson

/** The limits the rules enforce. */
export interface Quotas {
  /** Targets one HaVip may hold (vendor: 10). */
  readonly InstancesPerHaVip: number
  /** HaVips one target may be bound to (default 5). */
  readonly HaVipsPerInstance: number
  /** HaVips of the account in the region (vendor: 20). */
  readonly HaVipsPerRegion?: number
  /** HaVips in one VPC (vendor: 5). */
  readonly HaVipsPerVpc?: number
}

/** A whole snapshot. Every key is optional; no other top-level key is allowed. */
export interface SnapshotJson {
  /** Goes into every response; default `cn-beijing`. */
  readonly Region?: string
  readonly HaVips?: ReadonlyArray<HaVipJson>
  readonly Instances?: ReadonlyArray<InstanceJson>
  readonly NetworkInterfaces?: ReadonlyArray<NetworkInterfaceJson>
  readonly Quotas?: Partial<Quotas>
  readonly ClientTokens?: ReadonlyArray<AnyLedgerEntryJson>
  readonly Subnets?: ReadonlyArray<SubnetJson>
  readonly RouteEntries?: ReadonlyArray<RouteEntryJson>
  /** The task ledger: the most recent tasks, oldest first. */
  readonly AsyncTasks?: ReadonlyArray<AsyncTaskJson>
  /** How many ids this snapshot has issued; default 0. */
  readonly IdCounter?: number
  /** 0 (default): every write is final at once; N: a task takes N steps. */
  readonly AsyncSteps?: number
}
