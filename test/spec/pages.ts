/**
 * The rules of building a snapshot from saved Describe pages (docs/snapshot.md, "Build it from
 * saved pages", and docs/assumptions.md), written a second time as plainly as possible, for the
 * pages the merge properties make: every page readable, as a whole response, its `Result` or the
 * bare list. Nothing of src/ but `loadSnapshot`, which decides whether a snapshot loads.
 */
import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot } from 'havip-rules'

export type Kind = 'HaVips' | 'RouteEntries'

export interface SpecPage {
  readonly kind: Kind
  readonly source: string
  readonly json: unknown
}

/** What is wrong, in the terms of the docs: a resource that differs between two pages, totals that disagree, a page missing, more than reported, two regions, a snapshot that does not load. */
export type What = 'differs' | 'totals disagree' | 'missing' | 'more than reported' | 'two regions' | 'does not load'

export interface SpecProblem {
  readonly source: string
  readonly path: string
  readonly what: What
  /** For `differs`: the page the resource was first on. */
  readonly first?: string
}

export type SpecOutcome = { readonly snapshot: Record<string, unknown> } | { readonly problems: ReadonlyArray<SpecProblem> }

const listKey: Readonly<Record<Kind, string>> = { HaVips: 'HaVips', RouteEntries: 'RouteEntries' }
const idKey: Readonly<Record<Kind, string>> = { HaVips: 'HaVipId', RouteEntries: 'RouteEntryId' }

type Json = Record<string, unknown>

interface Parts {
  readonly items: ReadonlyArray<Json>
  /** Where the list is in the page: `Result.HaVips`, `HaVips` or nothing. */
  readonly at: string
  readonly total?: number
  readonly totalAt: string
  readonly region?: string
}

const partsOf = (page: SpecPage): Parts => {
  if (Array.isArray(page.json)) return { items: page.json as ReadonlyArray<Json>, at: '', totalAt: '' }
  const json = page.json as Json
  const whole = 'Result' in json || 'ResponseMetadata' in json
  const result = (whole ? json.Result : json) as Json
  const meta = (whole ? json.ResponseMetadata : undefined) as Json | undefined
  const total = result.TotalCount
  const region = meta?.Region
  return {
    items: result[listKey[page.kind]] as ReadonlyArray<Json>,
    at: whole ? `Result.${listKey[page.kind]}` : listKey[page.kind],
    // Only a whole number says how many there are.
    ...(typeof total === 'number' && Number.isSafeInteger(total) ? { total } : {}),
    totalAt: whole ? 'Result.TotalCount' : 'TotalCount',
    ...(typeof region === 'string' && region !== '' ? { region } : {}),
  }
}

/** A JSON value written with its keys sorted: two values are the same when these texts are. */
const canonical = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null ? `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`).join(',')}}`
      : JSON.stringify(value)

interface Kept { readonly item: Json; readonly source: string; readonly path: string }

/** The snapshot the pages make, or every problem of them. */
export const specBuild = (pages: ReadonlyArray<SpecPage>, askedRegion?: string): SpecOutcome => {
  const problems: Array<SpecProblem> = []
  const parts = new Map(pages.map((p) => [p, partsOf(p)]))

  // The region: the one asked for, else the one the pages name; two named is a problem.
  let region = askedRegion
  if (region === undefined) {
    for (const p of pages) {
      const named = parts.get(p)?.region
      if (named === undefined) continue
      if (region === undefined) region = named
      else if (named !== region) {
        problems.push({ source: p.source, path: 'ResponseMetadata.Region', what: 'two regions' })
        break
      }
    }
  }

  const lists: Partial<Record<Kind, Array<Kept>>> = {}
  for (const kind of ['HaVips', 'RouteEntries'] as const) {
    const ofKind = pages.filter((p) => p.kind === kind)
    if (ofKind.length === 0) continue
    // Each resource once, where it is first listed; a repeat must be the same.
    const kept: Array<Kept> = []
    for (const p of ofKind) {
      const { items, at } = parts.get(p) as Parts
      items.forEach((item, i) => {
        const path = `${at}[${String(i)}]`
        const first = kept.find((k) => k.item[idKey[kind]] === item[idKey[kind]])
        if (first === undefined) kept.push({ item, source: p.source, path })
        else if (canonical(first.item) !== canonical(item)) problems.push({ source: p.source, path, what: 'differs', first: first.source })
      })
    }
    lists[kind] = kept

    // The pages of one call: every page of a kind, but a route table's entries are a call per table,
    // and a page without entries names no table, so it stands alone.
    const calls: Array<Array<SpecPage>> = []
    if (kind === 'RouteEntries') {
      const byTable = new Map<unknown, Array<SpecPage>>()
      for (const p of ofKind) {
        const [firstEntry] = (parts.get(p) as Parts).items
        if (firstEntry === undefined) calls.push([p])
        else byTable.set(firstEntry.RouteTableId, [...(byTable.get(firstEntry.RouteTableId) ?? []), p])
      }
      calls.push(...byTable.values())
    } else calls.push(ofKind)

    for (const call of calls) {
      const counted = call.filter((p) => parts.get(p)?.total !== undefined)
      const [first] = counted
      if (first === undefined) continue
      const total = (parts.get(first) as Parts).total
      const disagreeing = counted.find((p) => parts.get(p)?.total !== total)
      if (disagreeing !== undefined) {
        problems.push({ source: disagreeing.source, path: (parts.get(disagreeing) as Parts).totalAt, what: 'totals disagree' })
        continue
      }
      const ids = new Set(call.flatMap((p) => (parts.get(p) as Parts).items.map((item) => item[idKey[kind]])))
      if (ids.size !== total) problems.push({ source: first.source, path: (parts.get(first) as Parts).totalAt, what: ids.size < (total ?? 0) ? 'missing' : 'more than reported' })
    }
  }
  if (problems.length > 0) return { problems }

  const snapshot: Record<string, unknown> = {
    ...(region === undefined ? {} : { Region: region }),
    ...Object.fromEntries(Object.entries(lists).map(([kind, kept]) => [kind, kept.map((k) => k.item)])),
  }
  const loaded = loadSnapshot(snapshot)
  if (E.isRight(loaded)) return { snapshot }
  // A problem of the snapshot is named in the page its resource came from.
  return {
    problems: loaded.left.problems.map((p): SpecProblem => {
      for (const kind of ['HaVips', 'RouteEntries'] as const) {
        const prefix = `${kind}[`
        if (!p.path.startsWith(prefix)) continue
        const index = Number(p.path.slice(prefix.length, p.path.indexOf(']')))
        const origin = lists[kind]?.[index]
        if (origin !== undefined) return { source: origin.source, path: `${origin.path}${p.path.slice(p.path.indexOf(']') + 1)}`, what: 'does not load' }
      }
      return { source: 'the snapshot', path: p.path, what: 'does not load' }
    }),
  }
}
