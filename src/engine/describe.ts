import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { layeredValues } from '../model/layered-map.js'
import type { InstanceJson, NetworkInterfaceJson, RouteEntryJson, SubnetJson } from '../model/json.js'
import type { DescribeAction, DescribeRequest, TagFilter } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'

/** One page of what a Describe call matched. */
export interface Found<T> {
  readonly items: ReadonlyArray<T>
  readonly totalCount: number
  readonly pageNumber: number
  readonly pageSize: number
  /** The token of the next page; `""` on the last. */
  readonly nextToken: string
}

// A field's own value: a resource may have a field named like an Object.prototype member, and
// Tags hold whatever the snapshot gave them (null, text, numbers have no fields).
const field = (item: unknown, name: string): unknown => Object.getOwnPropertyDescriptor(Object(item), name)?.value

const hasTags = (item: object, tags: ReadonlyArray<TagFilter>): boolean => {
  const own = field(item, 'Tags')
  const valueMatches = (value: unknown, values: ReadonlyArray<string>) => values.length === 0 || (values as ReadonlyArray<unknown>).includes(value)
  return tags.every((t) => Array.isArray(own) && own.some((tag) => field(tag, 'Key') === t.key && valueMatches(field(tag, 'Value'), t.values)))
}

/**
 * The resources a Describe call matches, in snapshot order, and the page of them it asked for. A
 * `NextToken` is the id of the resource its page starts at (treat it as opaque): a position in the
 * whole list, so that a resource that stopped matching (bound meanwhile) does not break the next
 * page; the page starts at the first match from there on. One that names no resource is
 * `InvalidParameter`.
 */
const describe = <T extends object>(all: Iterable<T>, idField: string, r: DescribeRequest): E.Either<ApiError, Found<T>> => {
  const { page } = r
  const token = page.kind === 'token' ? page.token : undefined
  const matched: Array<T> = []
  // How many matched before the token's resource: where its page starts.
  let tokenAt: number | undefined
  for (const item of all) {
    if (token !== undefined && tokenAt === undefined && field(item, idField) === token) tokenAt = matched.length
    if (r.ids.size > 0 && !r.ids.has(String(field(item, idField)))) continue
    if (!r.filters.every(([name, value]) => field(item, name) === value)) continue
    if (hasTags(item, r.tags)) matched.push(item)
  }
  let start: number
  if (page.kind === 'number') start = (page.number - 1) * page.size
  else if (token === undefined) start = 0
  else if (tokenAt === undefined) return E.left(apiError('InvalidParameter', `NextToken ${JSON.stringify(token)} starts no page of this result`, { name: 'NextToken' }))
  else start = tokenAt
  const next = matched[start + page.size]
  return E.right({
    items: matched.slice(start, start + page.size),
    totalCount: matched.length,
    pageNumber: Math.floor(start / page.size) + 1,
    pageSize: page.size,
    nextToken: next === undefined ? '' : String(field(next, idField)),
  })
}


/** A route table as DescribeRouteTableList lists it: what the snapshot's route entries say of it. */
export interface RouteTableJson {
  readonly RouteTableId: string
  readonly VpcId?: string
}

/** The route tables the route entries name, each once, in the order of their first entry, with the VPC that entry names. */
const routeTablesOf = (entries: ReadonlyArray<RouteEntryJson>): ReadonlyArray<RouteTableJson> => {
  const tables = new Map<string, RouteTableJson>()
  for (const entry of entries) {
    const id = field(entry, 'RouteTableId')
    const vpc = field(entry, 'VpcId')
    if (typeof id === 'string' && id !== '' && !tables.has(id)) tables.set(id, { RouteTableId: id, ...(typeof vpc === 'string' && vpc !== '' ? { VpcId: vpc } : {}) })
  }
  return [...tables.values()]
}

/** What each Describe call lists, and the field that names each item. */
export const describeResources = {
  DescribeHaVips: (s: SnapshotState, r: DescribeRequest) => describe(layeredValues(s.haVips), 'HaVipId', r),
  // Requests never change instances or ENIs: they are listed as loaded.
  DescribeInstances: (s: SnapshotState, r: DescribeRequest) => describe<InstanceJson>(s.source.Instances ?? [], 'InstanceId', r),
  DescribeNetworkInterfaces: (s: SnapshotState, r: DescribeRequest) => describe<NetworkInterfaceJson>(s.source.NetworkInterfaces ?? [], 'NetworkInterfaceId', r),
  // Nor subnets or route entries.
  DescribeSubnets: (s: SnapshotState, r: DescribeRequest) => describe<SubnetJson>(s.source.Subnets ?? [], 'SubnetId', r),
  DescribeRouteTableList: (s: SnapshotState, r: DescribeRequest) => describe(routeTablesOf(s.source.RouteEntries ?? []), 'RouteTableId', r),
  DescribeRouteEntryList: (s: SnapshotState, r: DescribeRequest) => describe<RouteEntryJson>(s.source.RouteEntries ?? [], 'RouteEntryId', r),
} as const satisfies Readonly<Record<DescribeAction, (s: SnapshotState, r: DescribeRequest) => E.Either<ApiError, Found<object>>>>
