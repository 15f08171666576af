import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { layeredValues } from '../model/layered-map.js'
import type { InstanceJson, NetworkInterfaceJson } from '../model/json.js'
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
 * `NextToken` is the id of the first resource of its page (treat it as opaque); one that names no
 * matched resource is `InvalidParameter`.
 */
const describe = <T extends object>(all: Iterable<T>, idField: string, r: DescribeRequest): E.Either<ApiError, Found<T>> => {
  const matched: Array<T> = []
  for (const item of all) {
    if (r.ids.size > 0 && !r.ids.has(String(field(item, idField)))) continue
    if (!r.filters.every(([name, value]) => field(item, name) === value)) continue
    if (hasTags(item, r.tags)) matched.push(item)
  }
  const { page } = r
  let start: number
  if (page.kind === 'number') start = (page.number - 1) * page.size
  else if (page.token === undefined) start = 0
  else {
    start = matched.findIndex((item) => field(item, idField) === page.token)
    if (start === -1) return E.left(apiError('InvalidParameter', `NextToken ${JSON.stringify(page.token)} starts no page of this result`, { name: 'NextToken' }))
  }
  const next = matched[start + page.size]
  return E.right({
    items: matched.slice(start, start + page.size),
    totalCount: matched.length,
    pageNumber: Math.floor(start / page.size) + 1,
    pageSize: page.size,
    nextToken: next === undefined ? '' : String(field(next, idField)),
  })
}


/** What each Describe call lists, and the field that names each item. */
export const describeResources = {
  DescribeHaVips: (s: SnapshotState, r: DescribeRequest) => describe(layeredValues(s.haVips), 'HaVipId', r),
  // Requests never change instances or ENIs: they are listed as loaded.
  DescribeInstances: (s: SnapshotState, r: DescribeRequest) => describe<InstanceJson>(s.source.Instances ?? [], 'InstanceId', r),
  DescribeNetworkInterfaces: (s: SnapshotState, r: DescribeRequest) => describe<NetworkInterfaceJson>(s.source.NetworkInterfaces ?? [], 'NetworkInterfaceId', r),
} as const satisfies Readonly<Record<DescribeAction, (s: SnapshotState, r: DescribeRequest) => E.Either<ApiError, Found<object>>>>
