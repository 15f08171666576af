import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { DescribePage, ResourceKind } from 'havip-rules'
import { buildSnapshot } from 'havip-rules'
import { flagOf, kinds, maxItemDepth, readPage, responseError } from '../src/describe/pages.js'
import { runs } from './support/runs.js'
import type { Kind, SpecOutcome, SpecPage, SpecProblem, What } from './spec/pages.js'
import { specBuild } from './spec/pages.js'

/**
 * Building a snapshot from Describe pages where resources repeat — the same by value in another
 * object, with a field more, with a field changed — pages overlap, one page is saved to two files,
 * pages name different regions, and TotalCount is missing, short, long or not a number: held to the
 * plain rules of test/spec/pages.ts.
 */

type Json = Record<string, unknown>

/** How a repeat of a resource is written: as first (a new object), keys in another order, a field more, a field changed, bound to an instance no page lists. */
type Variant = 'same' | 'reordered' | 'extra' | 'changed' | 'unloadable'

const haVip = (n: number, v: Variant): Json => {
  const id = `havip-${String(n)}`
  switch (v) {
    case 'reordered': return { Tags: [{ Value: 'web', Key: 'env' }], HaVipName: `vip-${String(n)}`, Status: 'Available', SubnetId: 'subnet-1', HaVipId: id }
    case 'extra': return { HaVipId: id, SubnetId: 'subnet-1', Status: 'Available', HaVipName: `vip-${String(n)}`, Tags: [{ Key: 'env', Value: 'web' }], Description: '' }
    case 'changed': return { HaVipId: id, SubnetId: 'subnet-1', Status: 'Available', HaVipName: `vip-${String(n)}`, Tags: [{ Key: 'env', Value: 'db' }] }
    case 'unloadable': return { HaVipId: id, SubnetId: 'subnet-1', Status: 'InUse', HaVipName: `vip-${String(n)}`, Tags: [{ Key: 'env', Value: 'web' }], AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-gone'] }
    default: return { HaVipId: id, SubnetId: 'subnet-1', Status: 'Available', HaVipName: `vip-${String(n)}`, Tags: [{ Key: 'env', Value: 'web' }] }
  }
}

/** Route entry n is in table vtb-(n % 2). */
const routeEntry = (n: number, v: Variant): Json => {
  const base = { RouteEntryId: `rte-${String(n)}`, RouteTableId: `vtb-${String(n % 2)}`, VpcId: 'vpc-1', DestinationCidrBlock: `10.0.${String(n)}.0/24`, NextHopType: 'Instance', NextHopId: 'i-1' }
  switch (v) {
    case 'reordered': return Object.fromEntries(Object.entries(base).reverse())
    case 'extra': return { ...base, Description: 'x' }
    case 'changed': return { ...base, NextHopId: 'i-2' }
    case 'unloadable': return { ...base, NextHopId: '' }
    default: return base
  }
}

const action: Readonly<Record<Kind, string>> = { HaVips: 'DescribeHaVips', RouteEntries: 'DescribeRouteEntryList' }

/** A page's TotalCount: the number of resources of its call, one less, one more, absent, or something that is not a whole number. */
type Total = 'true' | 'short' | 'long' | 'absent' | 1.5 | '3' | null

interface PageSpec {
  readonly kind: Kind
  readonly table: number
  readonly picks: ReadonlyArray<{ readonly n: number; readonly variant: Variant }>
  readonly form: 'body' | 'result' | 'list'
  readonly total: Total
  readonly region: string | undefined
  readonly copies: number
}

const variant: fc.Arbitrary<Variant> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Variant>('same') },
  { weight: 4, arbitrary: fc.constant<Variant>('reordered') },
  { weight: 1, arbitrary: fc.constantFrom<Variant>('extra', 'changed', 'unloadable') },
)

const pageSpec: fc.Arbitrary<PageSpec> = fc.record({
  kind: fc.constantFrom<Kind>('HaVips', 'RouteEntries'),
  table: fc.nat(1),
  picks: fc.array(fc.record({ n: fc.nat(2), variant }), { maxLength: 4 }),
  form: fc.constantFrom('body', 'result', 'list'),
  total: fc.oneof({ weight: 8, arbitrary: fc.constant<Total>('true') }, { weight: 1, arbitrary: fc.constantFrom<Total>('short', 'long', 'absent', 1.5, '3', null) }),
  region: fc.oneof({ weight: 6, arbitrary: fc.constant('cn-beijing') }, { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'cn-shanghai') }),
  copies: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
})

/** The id of a pick's resource, and the call (a route table's, or the kind's) whose pages it is on. */
const itemOf = (p: PageSpec, pick: PageSpec['picks'][number]): Json =>
  p.kind === 'HaVips' ? haVip(pick.n, pick.variant) : routeEntry(pick.n * 2 + p.table, pick.variant)

/** The pages, each saved as asked: TotalCount `true` is the number of resources on its call's pages. */
const pagesOf = (specs: ReadonlyArray<PageSpec>): ReadonlyArray<DescribePage> => {
  const callOf = (p: PageSpec, i: number) => (p.kind === 'HaVips' ? 'HaVips' : p.picks.length === 0 ? `empty ${String(i)}` : `vtb-${String(p.table)}`)
  const idsOf = new Map<string, Set<string>>()
  specs.forEach((p, i) => {
    const ids = idsOf.get(callOf(p, i)) ?? new Set()
    for (const pick of p.picks) ids.add(`${p.kind} ${String(pick.n)}`)
    idsOf.set(callOf(p, i), ids)
  })
  return specs.flatMap((p, i) => {
    const size = idsOf.get(callOf(p, i))?.size ?? 0
    const list = p.picks.map((pick) => itemOf(p, pick))
    const total = p.total === 'true' ? size : p.total === 'short' ? size - 1 : p.total === 'long' ? size + 1 : p.total
    const result = { [kinds[p.kind].listKey]: list, ...(total === 'absent' ? {} : { TotalCount: total }), PageNumber: 1, PageSize: 100 }
    const json = p.form === 'list' ? list
      : p.form === 'result' ? result
        : { ResponseMetadata: { RequestId: `r-${String(i)}`, Action: action[p.kind], Version: '2020-04-01', Service: 'vpc', ...(p.region === undefined ? {} : { Region: p.region }) }, Result: result }
    const page: DescribePage = { kind: p.kind, source: `p${String(i)}.json`, json }
    // A copy of the page saved to another file: equal in every byte, another object.
    return [page, ...Array.from({ length: p.copies }, (_, k): DescribePage => ({ kind: p.kind, source: `p${String(i)}-copy${String(k)}.json`, json: structuredClone(json) }))]
  })
}

/** A problem of buildSnapshot in the terms of the spec, by what its message says. */
const asSpec = (p: { source: string; path: string; message: string }): SpecProblem => {
  const differs = / differs from (\S+) /.exec(p.message)
  const what: What = differs !== null ? 'differs'
    : p.message.endsWith('(pages of different calls or times?)') ? 'totals disagree'
      : p.message.endsWith('a page is missing') ? 'missing'
        : p.message.endsWith('pages of different calls?') ? 'more than reported'
          : p.message.endsWith('(give --region)') ? 'two regions'
            : 'does not load'
  return { source: p.source, path: p.path, what, ...(differs === null ? {} : { first: differs[1] }) }
}

const sorted = (problems: ReadonlyArray<SpecProblem>) => [...problems].map((p) => JSON.stringify(p)).sort()

const outcome = (pages: ReadonlyArray<DescribePage>, region?: string): SpecOutcome => {
  const built = buildSnapshot(pages, region === undefined ? {} : { region })
  return E.isRight(built) ? { snapshot: built.right as Json } : { problems: built.left.problems.map(asSpec) }
}

const expectSame = (got: SpecOutcome, want: SpecOutcome): void => {
  if ('problems' in want) expect('problems' in got ? sorted(got.problems) : got).toEqual(sorted(want.problems))
  else expect(got).toEqual(want)
}

describe('buildSnapshot, held to the plain rules of merging pages', () => {
  test.prop([fc.array(pageSpec, { maxLength: 7 }), fc.option(fc.constantFrom('cn-beijing', 'cn-guangzhou'), { nil: undefined })], { numRuns: runs(400) })(
    'repeats, overlaps, copies, regions and totals give the snapshot or the problems the rules give',
    (specs, region) => {
      const pages = pagesOf(specs)
      expectSame(outcome(pages, region), specBuild(pages as ReadonlyArray<SpecPage>, region))
    },
  )

  test.prop([fc.array(pageSpec.map((p) => ({ ...p, total: 'true' as const, region: 'cn-beijing', picks: p.picks.map((x) => ({ ...x, variant: x.variant === 'reordered' ? x.variant : 'same' as const })) })), { minLength: 1, maxLength: 7 })], { numRuns: runs(200) })(
    'pages that agree make a snapshot whatever their order, each resource once, listed where first seen',
    (specs) => {
      const pages = pagesOf(specs)
      const built = buildSnapshot(pages)
      if (E.isLeft(built)) throw new Error(built.left.message)
      const reversed = buildSnapshot([...pages].reverse())
      if (E.isLeft(reversed)) throw new Error(reversed.left.message)
      for (const kind of ['HaVips', 'RouteEntries'] as const) {
        const ids = (built.right[kind] ?? []).map((x) => (x as Json)[kinds[kind].idField])
        expect(new Set(ids).size).toBe(ids.length)
        expect(new Set((reversed.right[kind] ?? []).map((x) => (x as Json)[kinds[kind].idField]))).toEqual(new Set(ids))
      }
      expect(built.right.Region).toBe(specs.some((s) => s.form === 'body') ? 'cn-beijing' : undefined)
    },
  )
})

describe('buildSnapshot, one example of each rule', () => {
  const page = (source: string, json: unknown, kind: Kind = 'HaVips'): DescribePage => ({ kind, source, json })
  const body = (items: ReadonlyArray<Json>, more: Json = {}, meta: Json = {}) => ({ ResponseMetadata: { Action: 'DescribeHaVips', ...meta }, Result: { HaVips: items, ...more } })
  const problemsOf = (pages: ReadonlyArray<DescribePage>, region?: string) => {
    const built = buildSnapshot(pages, region === undefined ? {} : { region })
    return E.isLeft(built) ? built.left.message.split('\n') : built.right
  }

  it('takes a repeat equal by value but another object, keys in another order, once, as first listed', () => {
    const first = haVip(1, 'same')
    const built = buildSnapshot([page('a.json', [first, haVip(2, 'same')]), page('b.json', { HaVips: [haVip(1, 'reordered')] })])
    expect(built).toEqual(E.right({ HaVips: [haVip(1, 'same'), haVip(2, 'same')] }))
    expect(E.isRight(built) && built.right.HaVips?.[0]).toBe(first)
  })

  it('refuses a repeat with a field more, or a field changed deep inside, naming both pages', () => {
    expect(problemsOf([page('a.json', [haVip(1, 'same')]), page('b.json', body([haVip(2, 'same'), haVip(1, 'extra')]))]))
      .toEqual(['b.json: Result.HaVips[1]: HaVipId "havip-1" differs from a.json [0]'])
    expect(problemsOf([page('a.json', { HaVips: [haVip(1, 'extra')] }), page('b.json', [haVip(1, 'same')])]))
      .toEqual(['b.json: [0]: HaVipId "havip-1" differs from a.json HaVips[0]'])
    expect(problemsOf([page('a.json', [haVip(1, 'same')]), page('b.json', [haVip(1, 'changed')]), page('c.json', [haVip(1, 'same')])]))
      .toEqual(['b.json: [0]: HaVipId "havip-1" differs from a.json [0]'])
    // A list against an object with the same keys, null against an object, a field against one of another name.
    for (const [a, b] of [[{ Tags: [] }, { Tags: {} }], [{ Tags: {} }, { Tags: [] }], [{ Tags: null }, { Tags: {} }], [{ Tags: {} }, { Tags: null }], [{ Tags: { '0': 'x' } }, { Tags: ['x'] }], [{ A: 1 }, { B: 1 }], [{ Tags: [1, 2] }, { Tags: [1] }], [{ Tags: [1] }, { Tags: [1, 2] }], [{ Tags: [1, 2] }, { Tags: [2, 1] }], [{ Tags: [1, 2] }, { Tags: [1, 3] }], [{ Tags: 'x' }, { Tags: { '0': 'x' } }], [{ Tags: { '0': 'x' } }, { Tags: 'x' }], [{ Tags: 5 }, { Tags: {} }], [{ Tags: {} }, { Tags: 5 }], [{ Tags: 1 }, { Tags: 2 }], [{ Tags: 'ab' }, { Tags: 'cd' }], [{ Tags: true }, { Tags: false }]] as const) {
      expect(problemsOf([page('a.json', [{ ...haVip(1, 'same'), ...a }]), page('b.json', [{ ...haVip(1, 'same'), ...b }])])).toEqual(['b.json: [0]: HaVipId "havip-1" differs from a.json [0]'])
    }
    expect(E.isRight(buildSnapshot([page('a.json', [{ ...haVip(1, 'same'), X: { a: [1, { b: null }] } }]), page('b.json', [{ ...haVip(1, 'same'), X: { a: [1, { b: null }] } }])]))).toBe(true)
  })

  it('counts a resource on overlapping pages, and on a page saved to two files, once against TotalCount', () => {
    const items = [0, 1, 2, 3].map((n) => haVip(n, 'same'))
    const overlapping = [page('1.json', body(items.slice(0, 3), { TotalCount: 4 })), page('2.json', body(items.slice(2), { TotalCount: 4 })), page('2-again.json', body(items.slice(2), { TotalCount: 4 }))]
    expect(E.isRight(buildSnapshot(overlapping))).toBe(true)
    expect(problemsOf(overlapping.slice(0, 1))).toEqual(['1.json: Result.TotalCount: the pages hold 3 HaVips of the 4 they report: a page is missing'])
    expect(problemsOf([page('1.json', body(items.slice(0, 3), { TotalCount: 4 })), page('1-again.json', body(items.slice(0, 3), { TotalCount: 4 }))]))
      .toEqual(['1.json: Result.TotalCount: the pages hold 3 HaVips of the 4 they report: a page is missing'])
    expect(problemsOf([page('1.json', body(items, { TotalCount: 3 }))])).toEqual(['1.json: Result.TotalCount: the pages hold 4 HaVips of the 3 they report: pages of different calls?'])
    expect(problemsOf([page('1.json', body(items.slice(0, 2), { TotalCount: 4 })), page('2.json', body(items.slice(2), { TotalCount: 5 })), page('3.json', body([], { TotalCount: 6 }))]))
      .toEqual(['2.json: Result.TotalCount: is 5; 1.json says 4 (pages of different calls or times?)'])
  })

  it('checks only the pages that say how many there are, and only a whole number', () => {
    const items = [0, 1, 2].map((n) => haVip(n, 'same'))
    expect(E.isRight(buildSnapshot([page('1.json', items.slice(0, 1)), page('2.json', body(items.slice(1), { TotalCount: 3 })), page('3.json', { HaVips: [] })]))).toBe(true)
    for (const total of [1.5, '2', null, -0.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(E.isRight(buildSnapshot([page('1.json', body(items.slice(0, 1), { TotalCount: total }))]))).toBe(true)
    }
    expect(problemsOf([page('1.json', body(items.slice(0, 1), { TotalCount: 0 }))])).toEqual(['1.json: Result.TotalCount: the pages hold 1 HaVips of the 0 they report: pages of different calls?'])
    expect(problemsOf([page('1.json', body([], { TotalCount: 1 }))])).toEqual(['1.json: Result.TotalCount: the pages hold 0 HaVips of the 1 they report: a page is missing'])
  })

  it('names the TotalCount of a page saved as its Result at its own path', () => {
    expect(problemsOf([page('r.json', { HaVips: [haVip(0, 'same')], TotalCount: 2 })])).toEqual(['r.json: TotalCount: the pages hold 1 HaVips of the 2 they report: a page is missing'])
    expect(problemsOf([page('a.json', body([haVip(0, 'same')], { TotalCount: 1 })), page('r.json', { HaVips: [], TotalCount: 2 })])).toEqual(['r.json: TotalCount: is 2; a.json says 1 (pages of different calls or times?)'])
  })

  it('checks each route table\'s entries against their own TotalCount, and a page without entries on its own', () => {
    const entries = (table: number, ns: ReadonlyArray<number>, total: number) => ({ ResponseMetadata: { Action: 'DescribeRouteEntryList' }, Result: { RouteEntries: ns.map((n) => routeEntry(n * 2 + table, 'same')), TotalCount: total } })
    const rt = (source: string, json: unknown) => page(source, json, 'RouteEntries')
    expect(E.isRight(buildSnapshot([rt('a1', entries(0, [0, 1], 3)), rt('b1', entries(1, [0], 1)), rt('a2', entries(0, [2], 3)), rt('c1', entries(0, [], 0))]))).toBe(true)
    expect(problemsOf([rt('a1', entries(0, [0, 1], 3)), rt('b1', entries(1, [0], 1))])).toEqual(['a1: Result.TotalCount: the pages hold 2 RouteEntries of the 3 they report: a page is missing'])
    expect(problemsOf([rt('a1', entries(0, [0, 1], 2)), rt('b1', entries(1, [0, 1], 1))])).toEqual(['b1: Result.TotalCount: the pages hold 2 RouteEntries of the 1 they report: pages of different calls?'])
    // The page past the end of a table, and the only page of an empty one.
    expect(problemsOf([rt('e1', entries(0, [], 0)), rt('e2', entries(1, [], 2))])).toEqual(['e2: Result.TotalCount: the pages hold 0 RouteEntries of the 2 they report: a page is missing'])
    expect(problemsOf([rt('e1', entries(0, [], 1)), rt('e2', entries(1, [], 1))])).toEqual([
      'e1: Result.TotalCount: the pages hold 0 RouteEntries of the 1 they report: a page is missing',
      'e2: Result.TotalCount: the pages hold 0 RouteEntries of the 1 they report: a page is missing',
    ])
  })

  it('takes the region every page names, ignores pages that name none, and refuses two unless one is asked for', () => {
    const items = [haVip(0, 'same')]
    expect(buildSnapshot([page('a', body(items, {}, { Region: 'cn-beijing' })), page('b', items), page('c', body(items, {}, { Region: '' })), page('d', body(items, {}, { Region: 7 })), page('e', body(items, {}, { Region: 'cn-beijing' }))]))
      .toEqual(E.right({ Region: 'cn-beijing', HaVips: items }))
    const none = buildSnapshot([page('b', items)])
    expect(none).toEqual(E.right({ HaVips: items }))
    expect(E.isRight(none) && Object.keys(none.right)).toEqual(['HaVips'])
    const three = [page('a', body(items, {}, { Region: 'cn-beijing' })), page('b', body(items, {}, { Region: 'cn-beijing' })), page('c', body(items, {}, { Region: 'cn-shanghai' })), page('d', body(items, {}, { Region: 'cn-guangzhou' }))]
    expect(problemsOf(three)).toEqual(['c: ResponseMetadata.Region: is cn-shanghai; a is cn-beijing (give --region)'])
    expect(buildSnapshot(three, { region: 'cn-guangzhou' })).toEqual(E.right({ Region: 'cn-guangzhou', HaVips: items }))
    // Pages of two kinds must be of one region too.
    expect(problemsOf([page('a', body(items, {}, { Region: 'cn-beijing' })), page('r', { ResponseMetadata: { Region: 'cn-shanghai' }, Result: { RouteEntries: [] } }, 'RouteEntries')]))
      .toEqual(['r: ResponseMetadata.Region: is cn-shanghai; a is cn-beijing (give --region)'])
  })

  it('lists a kind given only empty pages, and leaves out a kind not given', () => {
    expect(buildSnapshot([page('a', [], 'RouteEntries')])).toEqual(E.right({ RouteEntries: [] }))
    expect(buildSnapshot([])).toEqual(E.right({}))
  })

  it('reports every problem of every page at once', () => {
    expect(problemsOf([
      page('bad.json', [{ HaVipName: 'x' }]),
      page('a.json', body([haVip(0, 'same')], { TotalCount: 2 }, { Region: 'cn-beijing' })),
      page('b.json', body([haVip(0, 'changed')], { TotalCount: 2 }, { Region: 'cn-shanghai' })),
      page('r.json', { RouteEntries: [routeEntry(0, 'same')], TotalCount: 3 }, 'RouteEntries'),
    ])).toEqual([
      'bad.json: [0].HaVipId: expected an item with its HaVipId',
      'b.json: ResponseMetadata.Region: is cn-shanghai; a.json is cn-beijing (give --region)',
      'b.json: Result.HaVips[0]: HaVipId "havip-0" differs from a.json Result.HaVips[0]',
      'a.json: Result.TotalCount: the pages hold 1 HaVips of the 2 they report: a page is missing',
      'r.json: TotalCount: the pages hold 1 RouteEntries of the 3 they report: a page is missing',
    ])
  })

  it('names a problem of the snapshot in the page and the item the resource came from, the first time it is listed', () => {
    expect(problemsOf([page('a.json', [haVip(0, 'same')]), page('b.json', body([haVip(1, 'same'), haVip(2, 'unloadable')])), page('c.json', { HaVips: [haVip(2, 'unloadable')] })]))
      .toEqual(['b.json: Result.HaVips[1].AssociatedInstanceIds[0]: "i-gone" is not in Instances'])
  })
})

describe('buildSnapshot names a problem of the snapshot in its page, for every kind', () => {
  it('at any index, in pages of every kind', () => {
    const built = buildSnapshot([
      { kind: 'Instances', source: 'i.json', json: { Instances: [{ InstanceId: 'i-1', Status: 'RUNNING' }] } },
      { kind: 'NetworkInterfaces', source: 'e.json', json: [{ NetworkInterfaceId: 'eni-1', SubnetId: 's', Status: 7 }] },
      { kind: 'Subnets', source: 's.json', json: { ResponseMetadata: {}, Result: { Subnets: [{ SubnetId: 's', VpcId: 'v', CidrBlock: 'bad' }] } } },
      { kind: 'RouteEntries', source: 'r.json', json: [routeEntry(0, 'same'), routeEntry(2, 'unloadable')] },
    ])
    const where = E.isLeft(built) ? built.left.problems.map((p) => `${p.source}: ${p.path}`) : []
    expect(where.sort()).toEqual([
      'e.json: [0].Status',
      'i.json: Instances[0].NetworkInterfaces',
      'r.json: [1].NextHopId',
      's.json: Result.Subnets[0].CidrBlock',
    ])
    // A region that is not a text (a caller without types) is a problem of the snapshot, of no page.
    const region = buildSnapshot([{ kind: 'HaVips', source: 'h.json', json: [] }], { region: 5 as unknown as string })
    expect(E.isLeft(region) && region.left.message).toBe('the snapshot: Region: expected string, got number 5')
    const eleventh = buildSnapshot([{ kind: 'HaVips', source: 'h.json', json: { Result: { HaVips: [...Array.from({ length: 11 }, (_, n) => haVip(n, 'same')), haVip(11, 'unloadable')] } } }])
    expect(E.isLeft(eleventh) && eleventh.left.message).toBe('h.json: Result.HaVips[11].AssociatedInstanceIds[0]: "i-gone" is not in Instances')
  })
})

describe('readPage and responseError', () => {
  it('reads the three forms a tool saves, with the id, the item and its path', () => {
    const item = haVip(0, 'same')
    for (const [json, path, meta] of [
      [{ ResponseMetadata: { Region: 'cn-beijing', Action: 'DescribeHaVips' }, Result: { HaVips: [item], TotalCount: 1 } }, 'Result.HaVips[0]', { region: 'cn-beijing', totalCount: 1, totalCountPath: 'Result.TotalCount' }],
      [{ Result: { HaVips: [item] } }, 'Result.HaVips[0]', { totalCountPath: 'Result.TotalCount' }],
      [{ HaVips: [item], TotalCount: 1 }, 'HaVips[0]', { totalCount: 1, totalCountPath: 'TotalCount' }],
      [[item], '[0]', { totalCountPath: 'TotalCount' }],
    ] as const) {
      expect(readPage({ kind: 'HaVips', source: 's', json })).toEqual({ ok: true, page: { kind: 'HaVips', source: 's', items: [{ id: 'havip-0', item, path }], ...meta } })
    }
  })

  it('refuses what is not a page of its kind, with the path and the flag to use', () => {
    const problems = (json: unknown, kind: ResourceKind = 'HaVips') => {
      const r = readPage({ kind, source: 's', json })
      return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)
    }
    expect(problems({ ResponseMetadata: [] })).toEqual(['ResponseMetadata: expected an object'])
    expect(problems({ ResponseMetadata: null, Result: { HaVips: [] } })).toEqual([])
    expect(problems({ ResponseMetadata: {} })).toEqual(['Result: expected the Result object of a Describe response'])
    expect(problems({ Result: [] })).toEqual(['Result: expected the Result object of a Describe response'])
    expect(problems({ Result: { HaVips: null } })).toEqual(['Result.HaVips: expected the list of DescribeHaVips, got null'])
    expect(problems({ HaVips: {} })).toEqual(['HaVips: expected the list of DescribeHaVips, got object'])
    expect(problems('text')).toEqual([': expected the list of DescribeHaVips, got string'])
    expect(problems({ Result: { Subnets: [] } })).toEqual(['Result: is a DescribeSubnets page (Subnets); give it as --subnets, not --havips'])
    expect(problems({ Other: [] })).toEqual([': has no HaVips: not a DescribeHaVips page'])
    expect(problems({ HaVips: [], RouteEntries: [] })).toEqual([])
    expect(problems({ ResponseMetadata: { Action: 'DescribeHaVips' }, Result: { RouteEntries: [] } })).toEqual(['Result: is a DescribeRouteEntryList page (RouteEntries); give it as --route-entries, not --havips'])
    expect(problems({ ResponseMetadata: { Action: 7 }, Result: { HaVips: [] } })).toEqual([])
    expect(problems({ ResponseMetadata: { Action: 'DescribeHaVips' }, Result: { HaVips: [] } }, 'Instances')).toEqual(['ResponseMetadata.Action: is DescribeHaVips; --instances takes DescribeInstances pages'])
    expect(problems([{ HaVipId: '' }, { HaVipId: 7 }, null, ['x'], { HaVipId: 'ok' }])).toEqual([
      '[0].HaVipId: expected an item with its HaVipId', '[1].HaVipId: expected an item with its HaVipId', '[2]: expected an item with its HaVipId', '[3]: expected an item with its HaVipId',
    ])
    expect(problems([Object.create({ HaVipId: 'inherited' }) as unknown])).toEqual(['[0].HaVipId: expected an item with its HaVipId'])
    expect(problems({ ResponseMetadata: Object.create({ Error: { Code: 'X' } }) as unknown, Result: { HaVips: [] } })).toEqual([])
  })

  it('refuses an item nested deeper than the limit, naming where, and takes one at the limit', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 'x' : { a: [nest(depth - 1)] })
    const at = (levels: number) => readPage({ kind: 'HaVips', source: 's', json: [{ HaVipId: 'h', X: nest(levels) }] })
    // The item is level 0; each { a: [ … ] } two more, its object at an odd level.
    expect(at(maxItemDepth / 2).ok).toBe(true)
    const deep = at(maxItemDepth / 2 + 1)
    expect(deep.ok ? [] : deep.problems).toEqual([{ source: 's', path: `[0].X${'.a[0]'.repeat(maxItemDepth / 2)}`, message: `nested more than ${String(maxItemDepth)} levels deep in the item: not a resource of the vendor's` }])
    const flat = readPage({ kind: 'HaVips', source: 's', json: [{ HaVipId: 'h', X: Array.from({ length: 100 }, () => ({ y: [1] })) }] })
    expect(flat.ok).toBe(true)
  })

  it('finds the error of an error response in every form it takes', () => {
    expect(responseError({ ResponseMetadata: { Error: { Code: 'Throttling', Message: 'slow' } } })).toEqual({ code: 'Throttling', message: 'slow' })
    expect(responseError({ ResponseMetadata: { Error: { Code: 7 } } })).toEqual({})
    expect(responseError({ ResponseMetadata: { Error: 'busy' } })).toEqual({ message: 'busy' })
    expect(responseError({ ResponseMetadata: { Error: ['x'] } })).toEqual({ message: '(a list)' })
    expect(responseError({ ResponseMetadata: { Error: 5 } })).toEqual({ message: '(number)' })
    expect(responseError({ ResponseMetadata: { Error: false } })).toEqual({ message: '(boolean)' })
    for (const json of [{ ResponseMetadata: { Error: null } }, { ResponseMetadata: {} }, { ResponseMetadata: 'x' }, [], null, 'x']) expect(responseError(json)).toBeUndefined()
    const r = readPage({ kind: 'HaVips', source: 's', json: { ResponseMetadata: { Error: { Message: 'no' } }, Result: { HaVips: [] } } })
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual(['the page is an error response: (no code) (no)'])
    const bare = readPage({ kind: 'HaVips', source: 's', json: { ResponseMetadata: { Error: { Code: 'X' } } } })
    expect(bare.ok ? [] : bare.problems.map((p) => p.message)).toEqual(['the page is an error response: X'])
  })

  it('names each kind\'s flag', () => {
    expect(Object.values(flagOf)).toEqual(['--havips', '--instances', '--enis', '--subnets', '--route-entries'])
  })
})
