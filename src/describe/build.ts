import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot } from '../codec/snapshot.js'
import type { SnapshotJson } from '../model/json.js'
import type { DescribePage, PageProblem, ReadPage, ResourceKind } from './pages.js'
import { kinds, readPage } from './pages.js'

/** Why pages did not make a snapshot: every problem, each in its page at its JSON path. */
export interface BuildError {
  readonly problems: ReadonlyArray<PageProblem>
  /** The problems, one a line (`page: path: what`), ready to print. */
  readonly message: string
}

export interface BuildOptions {
  /** The snapshot's Region; by default the one the pages' `ResponseMetadata` name. */
  readonly region?: string
}

const buildError = (problems: ReadonlyArray<PageProblem>): BuildError => ({
  problems,
  message: problems.map((p) => `${p.source}: ${p.path || '(root)'}: ${p.message}`).join('\n'),
})

/** Equality of JSON values, whatever the order of their keys. */
const sameJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false
  // Two lists are compared as objects of their indexes: the same keys (so the same length), each the same.
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

interface Placed {
  readonly item: Readonly<Record<string, unknown>>
  readonly source: string
  readonly path: string
}

/** Every item of a kind, once, in the order the pages first list them; a repeat that differs is a problem. */
const merge = (pages: ReadonlyArray<ReadPage>, problems: Array<PageProblem>): ReadonlyArray<Placed> => {
  const byId = new Map<string, Placed>()
  for (const page of pages) {
    for (const { id, item, path } of page.items) {
      const first = byId.get(id)
      if (first === undefined) byId.set(id, { item, source: page.source, path })
      else if (!sameJson(first.item, item)) {
        problems.push({ source: page.source, path, message: `${kinds[page.kind].idField} ${JSON.stringify(id)} differs from ${first.source} ${first.path}` })
      }
    }
  }
  return [...byId.values()]
}

/** Pages that say how many items there are must agree, and hold them all: a missing page would make resources vanish. */
const checkComplete = (kind: ResourceKind, pages: ReadonlyArray<ReadPage>, found: number, problems: Array<PageProblem>): void => {
  const counted = pages.filter((p) => p.totalCount !== undefined)
  const [first] = counted
  if (first?.totalCount === undefined) return
  const other = counted.find((p) => p.totalCount !== first.totalCount)
  if (other !== undefined) {
    problems.push({ source: other.source, path: other.totalCountPath, message: `is ${String(other.totalCount)}; ${first.source} says ${String(first.totalCount)} (pages of different calls or times?)` })
    return
  }
  if (found !== first.totalCount) {
    const what = `${String(found)} ${kinds[kind].listKey} of the ${String(first.totalCount)}`
    problems.push({
      source: first.source,
      path: first.totalCountPath,
      message: found < first.totalCount ? `the pages hold ${what} they report: a page is missing` : `the pages hold ${what} they report: pages of different calls?`,
    })
  }
}

/**
 * `checkComplete` for each call's pages: a kind asked for one value of a field at a time (a route
 * table's entries) has a `TotalCount` per value, the value its pages' items hold. A page without
 * items names no value, so it is a call of its own.
 */
const checkEachCall = (kind: ResourceKind, pages: ReadonlyArray<ReadPage>, found: number, problems: Array<PageProblem>): void => {
  const { perField } = kinds[kind]
  if (perField === undefined) {
    checkComplete(kind, pages, found, problems)
    return
  }
  const calls = new Map<unknown, Array<ReadPage>>()
  for (const page of pages) {
    const [first] = page.items
    const key = first === undefined ? page : first.item[perField]
    calls.set(key, [...(calls.get(key) ?? []), page])
  }
  for (const ofCall of calls.values()) checkComplete(kind, ofCall, new Set(ofCall.flatMap((p) => p.items.map((i) => i.id))).size, problems)
}

/** The region: the one asked for, else the one every page names. */
const regionOf = (pages: ReadonlyArray<ReadPage>, asked: string | undefined, problems: Array<PageProblem>): string | undefined => {
  if (asked !== undefined) return asked
  const named = pages.filter((p) => p.region !== undefined)
  const [first] = named
  if (first === undefined) return undefined
  const other = named.find((p) => p.region !== first.region)
  if (other !== undefined) {
    problems.push({ source: other.source, path: 'ResponseMetadata.Region', message: `is ${String(other.region)}; ${first.source} is ${String(first.region)} (give --region)` })
  }
  return first.region
}

/**
 * A snapshot from saved Describe pages (DescribeHaVips, ecs DescribeInstances,
 * DescribeNetworkInterfaces, DescribeSubnets, DescribeRouteEntryList): each page the whole response, its `Result` or the bare list, any
 * number per kind, in any order. Every vendor field is kept. A resource on two pages must be the
 * same on both. The snapshot must load; a problem of it is reported in the page the item came from.
 */
export const buildSnapshot = (pages: ReadonlyArray<DescribePage>, options: BuildOptions = {}): E.Either<BuildError, SnapshotJson> => {
  const problems: Array<PageProblem> = []
  const read: Array<ReadPage> = []
  for (const page of pages) {
    const r = readPage(page)
    if (r.ok) read.push(r.page)
    else problems.push(...r.problems)
  }
  const region = regionOf(read, options.region, problems)
  const lists: Partial<Record<ResourceKind, ReadonlyArray<Placed>>> = {}
  for (const kind of Object.keys(kinds) as ReadonlyArray<ResourceKind>) {
    if (!pages.some((p) => p.kind === kind)) continue
    const ofKind = read.filter((p) => p.kind === kind)
    const merged = merge(ofKind, problems)
    checkEachCall(kind, ofKind, merged.length, problems)
    lists[kind] = merged
  }
  if (problems.length > 0) return E.left(buildError(problems))
  const json: SnapshotJson = {
    ...(region === undefined ? {} : { Region: region }),
    ...Object.fromEntries(Object.entries(lists).map(([kind, placed]) => [kind, placed.map((p) => p.item)])),
  }
  const loaded = loadSnapshot(json)
  if (E.isRight(loaded)) return E.right(json)
  // `HaVips[3].AssociatedInstanceIds[0]` is reported where that HaVip came from.
  const inPage = (path: string): Omit<PageProblem, 'message'> | undefined => {
    const m = /^(HaVips|Instances|NetworkInterfaces|Subnets|RouteEntries)\[(\d+)\]/.exec(path)
    if (m === null) return undefined
    // Always found: the snapshot's lists are these; the check is for the type.
    const origin = lists[m[1] as ResourceKind]?.[Number(m[2])]
    return origin === undefined ? undefined : { source: origin.source, path: `${origin.path}${path.slice(m[0].length)}` }
  }
  return E.left(buildError(loaded.left.problems.map((p): PageProblem => ({ ...(inPage(p.path) ?? { source: 'the snapshot', path: p.path }), message: p.message }))))
}
