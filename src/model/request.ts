import type { MutatingAction } from './ledger.js'
import type { InstanceType } from './json.js'

export const apiVersion = '2020-04-01'

/** AssociateHaVip and DisassociateHaVip take the same parameters (docs/rules.md). */
export interface BindingRequest<A extends MutatingAction = MutatingAction> {
  readonly action: A
  readonly haVipId: string
  readonly instanceId: string
  /** After its default, `EcsInstance`. */
  readonly instanceType: InstanceType
  readonly clientToken?: string
}

export type AssociateHaVipRequest = BindingRequest<'AssociateHaVip'>
export type DisassociateHaVipRequest = BindingRequest<'DisassociateHaVip'>

/** DescribeHaVips (docs/rules.md): exact-match filters and a page. */
export interface DescribeHaVipsRequest {
  readonly action: 'DescribeHaVips'
  readonly haVipIds: ReadonlyArray<string>
  readonly filters: Partial<Readonly<Record<DescribeFilter, string>>>
  readonly pageNumber: number
  readonly pageSize: number
}

/** DescribeHaVips' exact-match filters. */
export type DescribeFilter = 'HaVipName' | 'IpAddress' | 'VpcId' | 'SubnetId' | 'Status'

export const describeFilters: ReadonlyArray<DescribeFilter> = ['HaVipName', 'IpAddress', 'VpcId', 'SubnetId', 'Status']

export type Request = AssociateHaVipRequest | DisassociateHaVipRequest | DescribeHaVipsRequest
export type Action = Request['action']
