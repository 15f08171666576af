/**
 * The vendor's resources as the snapshot holds them: the JSON shapes of DescribeHaVips,
 * ecs DescribeInstances and DescribeNetworkInterfaces, with the fields the rules read.
 * Fields the rules do not read are carried along untouched.
 */

export type InstanceType = 'EcsInstance' | 'NetworkInterface'

export const instanceTypes: ReadonlyArray<InstanceType> = ['EcsInstance', 'NetworkInterface']

/** A HaVip exactly as DescribeHaVips returns it (only the fields the rules read are typed). */
export interface HaVip {
  readonly HaVipId: string
  readonly SubnetId: string
  readonly Status: string
  readonly AssociatedInstanceType?: InstanceType | ''
  readonly AssociatedInstanceIds?: ReadonlyArray<string>
  readonly MasterInstanceId?: string
  /** [choice] `false` models a HaVip that answers `InvalidHaVip.NotSupport`. */
  readonly SupportsAssociation?: boolean
}

export const boundIds = (h: HaVip): ReadonlyArray<string> => h.AssociatedInstanceIds ?? []

/** The type of the HaVip's targets, or `undefined` when it has none. */
export const boundType = (h: HaVip): InstanceType | undefined =>
  boundIds(h).length > 0 && h.AssociatedInstanceType ? h.AssociatedInstanceType : undefined

/** An ECS instance, reduced at load to what the rules read. */
export interface Instance {
  readonly type: 'EcsInstance'
  readonly id: string
  readonly status: string
  /** The `SubnetId` of its primary network interface. */
  readonly subnetId: string
}

/** An elastic network interface, reduced at load to what the rules read. */
export interface Eni {
  readonly type: 'NetworkInterface'
  readonly id: string
  readonly status: string
  readonly subnetId: string
  /** The ECS instance it is attached to; `''` when unattached. */
  readonly deviceId: string
  readonly serviceManaged: boolean
}

/** What a request binds a HaVip to. */
export type Target = Instance | Eni

/** `EcsInstance:i-1`: unique across both kinds, since the prefix holds no colon. */
export type TargetKey = `${InstanceType}:${string}`

export const targetKey = (type: InstanceType, id: string): TargetKey => `${type}:${id}`

export const describeTarget = (t: { readonly type: InstanceType; readonly id: string }): string =>
  `${t.type === 'EcsInstance' ? 'instance' : 'ENI'} ${t.id}`
