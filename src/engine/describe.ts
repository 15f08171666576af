import { lookup } from '../model/layered-map.js'
import type { DescribeHaVipsRequest } from '../model/request.js'
import { describeFilters } from '../model/request.js'
import type { HaVipJson } from '../model/json.js'
import type { SnapshotState } from '../model/snapshot.js'

/** DescribeHaVips' result, without its RequestId. */
export interface HaVipPage {
  readonly HaVips: ReadonlyArray<HaVipJson>
  readonly TotalCount: number
  readonly PageNumber: number
  readonly PageSize: number
}

const matches = (r: DescribeHaVipsRequest) => (h: HaVipJson): boolean => {
  if (r.haVipIds.length > 0 && !r.haVipIds.includes(h.HaVipId)) return false
  // The filters name fields the rules never read (HaVipName, IpAddress, VpcId): read them untyped.
  return describeFilters.every((name) =>
    r.filters[name] === undefined || Object.getOwnPropertyDescriptor(h, name)?.value === r.filters[name])
}

/**
 * DescribeHaVips: the HaVips every filter matches, in snapshot order, one page of them, each
 * exactly as the snapshot holds it. A read: the only request that walks every HaVip.
 */
export const describeHaVips = (s: SnapshotState, r: DescribeHaVipsRequest): HaVipPage => {
  const all = s.haVipOrder.flatMap((id) => lookup(s.haVips, id) ?? [])
  const found = all.filter(matches(r))
  const start = (r.pageNumber - 1) * r.pageSize
  return {
    HaVips: found.slice(start, start + r.pageSize),
    TotalCount: found.length,
    PageNumber: r.pageNumber,
    PageSize: r.pageSize,
  }
}
