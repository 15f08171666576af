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

/** The Describe calls this project answers (docs/rules.md). */
export type DescribeAction = 'DescribeHaVips' | 'DescribeInstances' | 'DescribeNetworkInterfaces'

/** `TagFilters.N`: a tag key, and the values it may have (none given: any). */
export interface TagFilter {
  readonly key: string
  readonly values: ReadonlyArray<string>
}

/** Which page: by number (`PageNumber`, `PageSize`), or after a token (`NextToken`, `MaxResults`). */
export type Page =
  | { readonly kind: 'number'; readonly number: number; readonly size: number }
  | { readonly kind: 'token'; readonly token: string | undefined; readonly size: number }

/** A Describe call: which resources (ids, exact-match filters, tags, all AND'd) and which page of them. */
export interface DescribeRequest<A extends DescribeAction = DescribeAction> {
  readonly action: A
  /** The ids asked for (`HaVipIds.N`, …); empty: every resource. */
  readonly ids: ReadonlySet<string>
  /** Exact-match filters: the resource's field, and the value it must have. */
  readonly filters: ReadonlyArray<readonly [field: string, value: string]>
  readonly tags: ReadonlyArray<TagFilter>
  readonly page: Page
}

export type DescribeHaVipsRequest = DescribeRequest<'DescribeHaVips'>
export type DescribeInstancesRequest = DescribeRequest<'DescribeInstances'>
export type DescribeNetworkInterfacesRequest = DescribeRequest<'DescribeNetworkInterfaces'>

/** What each Describe call takes (docs/rules.md, "Describe calls"). */
export interface DescribeSpec {
  /** The prefix of the id list (`HaVipIds` for `HaVipIds.N`). */
  readonly idsParam: string
  /** Filter parameter → the resource field it matches. */
  readonly filters: Readonly<Record<string, string>>
  /** Whether `PageNumber`/`PageSize` are taken (ECS pages by token only). */
  readonly pageNumbers: boolean
}

export const describeSpecs: Readonly<Record<DescribeAction, DescribeSpec>> = {
  DescribeHaVips: {
    idsParam: 'HaVipIds',
    filters: { HaVipName: 'HaVipName', IpAddress: 'IpAddress', VpcId: 'VpcId', SubnetId: 'SubnetId', Status: 'Status', ProjectName: 'ProjectName' },
    pageNumbers: true,
  },
  DescribeNetworkInterfaces: {
    idsParam: 'NetworkInterfaceIds',
    filters: { VpcId: 'VpcId', SubnetId: 'SubnetId', Type: 'Type', InstanceId: 'DeviceId', Status: 'Status', ProjectName: 'ProjectName' },
    pageNumbers: true,
  },
  DescribeInstances: {
    idsParam: 'InstanceIds',
    filters: { VpcId: 'VpcId', ZoneId: 'ZoneId', Status: 'Status', ProjectName: 'ProjectName' },
    pageNumbers: false,
  },
}

export const isDescribeAction = (action: string): action is DescribeAction => Object.hasOwn(describeSpecs, action)

/** A tag a CreateHaVip request gives (`Tags.N.Key`, `Tags.N.Value`). */
export interface Tag {
  readonly key: string
  /** `""` when the request gave the key alone. */
  readonly value: string
}

/** CreateHaVip (docs/rules.md): parameters absent stay absent (the ledger compares them as given). */
export interface CreateHaVipRequest {
  readonly action: 'CreateHaVip'
  readonly subnetId: string
  readonly ipAddress?: string
  readonly haVipName?: string
  readonly description?: string
  /** In the order of their N; absent when the request gave none. */
  readonly tags?: ReadonlyArray<Tag>
  readonly clientToken?: string
}

/** DeleteHaVip: the vendor takes no ClientToken. */
export interface DeleteHaVipRequest {
  readonly action: 'DeleteHaVip'
  readonly haVipId: string
}

/** ModifyHaVipAttributes: what is not given keeps its value. */
export interface ModifyHaVipAttributesRequest {
  readonly action: 'ModifyHaVipAttributes'
  readonly haVipId: string
  readonly haVipName?: string
  readonly description?: string
}

/** GetAsyncTaskStatus: a task's status by its id. */
export interface GetAsyncTaskStatusRequest {
  readonly action: 'GetAsyncTaskStatus'
  readonly asyncTaskId: string
}

/** The writes of a HaVip's life besides binding. */
export type LifecycleRequest = CreateHaVipRequest | DeleteHaVipRequest | ModifyHaVipAttributesRequest
export type LifecycleAction = LifecycleRequest['action']

export type Request = AssociateHaVipRequest | DisassociateHaVipRequest | LifecycleRequest | GetAsyncTaskStatusRequest | DescribeRequest
export type Action = Request['action']

/** Every action that changes the snapshot when it succeeds, and records a task. */
export type WriteAction = MutatingAction | LifecycleAction

/** The vendor service an action belongs to: its signature scope and its responses' `Service`. */
export type Service = 'vpc' | 'ecs'

const ecsActions: ReadonlyArray<string> = ['DescribeInstances']

/** An action's service; one this project does not serve counts as `vpc`, the service it is reached as. */
export const serviceOf = (action: string | undefined): Service => (action !== undefined && ecsActions.includes(action) ? 'ecs' : 'vpc')

/** Whether a request is a Describe call. */
export const isDescribe = (r: Request): r is DescribeRequest => isDescribeAction(r.action)
