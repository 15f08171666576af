import type { HaVipJson, InstanceType } from './json.js'

/**
 * The targets as the rules read them: reduced at load from the vendor's Describe shapes, which the
 * snapshot keeps as they came (HaVips stay in their JSON shape: requests change them).
 */

export const instanceTypes: ReadonlyArray<InstanceType> = ['EcsInstance', 'NetworkInterface']

export const boundIds = (h: HaVipJson): ReadonlyArray<string> => h.AssociatedInstanceIds ?? []

/** The type of the HaVip's targets, or `undefined` when it has none. */
export const boundType = (h: HaVipJson): InstanceType | undefined =>
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

/** A HaVip's VPC: its own `VpcId`, else its subnet's when the subnet is listed, else unknown. */
export const vpcOf = (h: HaVipJson, subnets: ReadonlyMap<string, { readonly vpcId: string }>): string | undefined =>
  h.VpcId !== undefined && h.VpcId !== '' ? h.VpcId : subnets.get(h.SubnetId)?.vpcId
