/**
 * The executable specification of DescribeHaVips (docs/rules.md, "Describe calls"), written as
 * plainly as the rest of test/spec: the HaVips of the account, matched by ids, exact filters and
 * tags, and one page of them, by number or by token.
 */
import type { Account, Reason } from './specification.js'
import { reason } from './specification.js'

type HaVip = NonNullable<Account['HaVips']>[number] & Record<string, unknown>

export interface Page {
  HaVips: Array<HaVip>
  TotalCount: number
  PageNumber: number
  PageSize: number
  NextToken: string
}

const filterNames = ['HaVipName', 'IpAddress', 'VpcId', 'SubnetId', 'Status', 'ProjectName']

const invalid = (name: string): Reason => reason('InvalidParameter', { name })

/** `N` written without leading zeros, from 1 to `max`. */
const isIndex = (text: string, max: number): boolean => /^[1-9][0-9]*$/.test(text) && Number(text) <= max

/** A whole number from `min` to `max`, or its default when absent. */
const wholeNumber = (params: Map<string, string>, name: string, fallback: number, min: number, max: number): number | Reason => {
  const text = params.get(name)
  if (text === undefined || text === '') return fallback
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) return invalid(name)
  return Number(text)
}

const isReason = (x: unknown): x is Reason => typeof x === 'object' && x !== null && 'id' in x

export const specDescribeHaVips = (a: Account, params: Map<string, string>): Reason | Page => {
  const ids: Array<string> = []
  const tagKeys = new Map<number, string>()
  const tagValues = new Map<number, Array<string>>()
  // The ids first, then the tag filters, then the paging numbers: the first wrong one is named.
  for (const [name, value] of params) {
    if (!name.startsWith('HaVipIds.')) continue
    if (!isIndex(name.slice('HaVipIds.'.length), 100)) return invalid(name)
    if (value !== '') ids.push(value)
  }
  for (const [name, value] of params) {
    if (name.startsWith('TagFilters.')) {
      const parts = name.split('.')
      const n = parts[1] ?? ''
      const isKey = parts.length === 3 && parts[2] === 'Key'
      const isValue = parts.length === 4 && parts[2] === 'Values' && isIndex(parts[3] ?? '', 10)
      if (!isIndex(n, 10) || !(isKey || isValue)) return invalid(name)
      if (value === '') continue
      if (isKey) tagKeys.set(Number(n), value)
      else tagValues.set(Number(n), [...(tagValues.get(Number(n)) ?? []), value])
    }
  }
  for (const n of tagValues.keys()) if (!tagKeys.has(n)) return invalid(`TagFilters.${String(n)}.Key`)

  const byToken = (params.get('NextToken') ?? '') !== '' || (params.get('MaxResults') ?? '') !== ''
  let pageNumber = 1
  let pageSize: number | Reason
  if (byToken) pageSize = wholeNumber(params, 'MaxResults', 10, 1, 100)
  else {
    const number = wholeNumber(params, 'PageNumber', 1, 1, Number.MAX_SAFE_INTEGER)
    if (isReason(number)) return number
    pageNumber = number
    pageSize = wholeNumber(params, 'PageSize', 10, 1, 100)
  }
  if (isReason(pageSize)) return pageSize

  const matched: Array<HaVip> = []
  for (const h of (a.HaVips ?? []) as Array<HaVip>) {
    if (ids.length > 0 && !ids.includes(h.HaVipId)) continue
    let ok = true
    for (const name of filterNames) {
      const wanted = params.get(name)
      if (wanted !== undefined && wanted !== '' && h[name] !== wanted) ok = false
    }
    for (const [n, key] of tagKeys) {
      const values = tagValues.get(n) ?? []
      const tags = Array.isArray(h.Tags) ? (h.Tags as Array<{ Key?: unknown; Value?: unknown } | null>) : []
      const matches = (t: { Key?: unknown; Value?: unknown } | null) =>
        typeof t === 'object' && t !== null && t.Key === key && (values.length === 0 || (typeof t.Value === 'string' && values.includes(t.Value)))
      if (!tags.some(matches)) ok = false
    }
    if (ok) matched.push(h)
  }

  let start = (pageNumber - 1) * pageSize
  const token = params.get('NextToken') ?? ''
  if (byToken && token !== '') {
    // The token is a place in the whole list: the page starts at the first match at or after the
    // HaVip it names, whether or not that one still matches; a token naming no HaVip is refused.
    const all = (a.HaVips ?? []) as Array<HaVip>
    const place = all.findIndex((h) => h.HaVipId === token)
    if (place === -1) return invalid('NextToken')
    const before = new Set(all.slice(0, place))
    start = matched.filter((h) => before.has(h)).length
  }
  const items = matched.slice(start, start + pageSize)
  const next = matched[start + pageSize]
  return {
    HaVips: items,
    TotalCount: matched.length,
    PageNumber: byToken ? Math.floor(start / pageSize) + 1 : pageNumber,
    PageSize: pageSize,
    NextToken: next === undefined ? '' : next.HaVipId,
  }
}
