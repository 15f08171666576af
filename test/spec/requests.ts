import { fc } from '@fast-check/vitest'
import type { LedgerEntryJson, SnapshotJson } from 'havip-rules'
import { snapshotArbitrary } from 'havip-rules/testing'

/**
 * Requests aimed at breaking several rules at once, so that which one the API answers — the
 * rules' order — decides: a HaVip and a target picked independently from everything the account
 * holds (any status, subnet, type, binding), ids of the other type, tokens of the ledger, and
 * malformed or missing parameters on top; written in every form `handle` reads.
 */

export type Params = Record<string, string>

const weighted = <T>(...choices: ReadonlyArray<readonly [number, fc.Arbitrary<T>]>): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })))

/** The parameters of one AssociateHaVip or DisassociateHaVip, often wrong in more than one way. */
export const paramsArbitrary = (s: SnapshotJson): fc.Arbitrary<Params> => {
  const haVips = s.HaVips ?? []
  const instances = (s.Instances ?? []).map((i) => i.InstanceId)
  const enis = s.NetworkInterfaces ?? []
  // What some rule refuses whatever else the request says: picked often, so that a second rule breaks too.
  const troubledHaVips = haVips.filter((h) => !['Available', 'InUse'].includes(h.Status) || h.SupportsAssociation === false).map((h) => h.HaVipId)
  const troubledTargets = [
    ...(s.Instances ?? []).filter((i) => !['RUNNING', 'STOPPED'].includes(i.Status)).map((i) => i.InstanceId),
    ...enis.filter((n) => n.ServiceManaged === true || n.Status !== 'InUse' || !n.DeviceId).map((n) => n.NetworkInterfaceId),
  ]
  const ledger = s.ClientTokens ?? []
  const absent = fc.constant(undefined)
  const pickFrom = (items: ReadonlyArray<string>, n: number): string | undefined => items[n % Math.max(items.length, 1)]
  return fc.record({
    Action: weighted([30, fc.constantFrom('AssociateHaVip', 'DisassociateHaVip')], [1, absent], [1, fc.constantFrom('', 'DescribeHaVipz', 'associatehavip')]),
    Version: weighted([30, fc.constant('2020-04-01')], [1, absent], [1, fc.constantFrom('', '2019-01-01')]),
    haVip: weighted<'any' | 'troubled' | 'missing' | 'absent' | 'empty'>([20, fc.constant('any')], [8, fc.constant('troubled')], [4, fc.constant('missing')], [1, fc.constant('absent')], [1, fc.constant('empty')]),
    haVipPick: fc.nat(),
    // A target of the HaVip itself, or an ENI of the same instance as one it holds, or anything.
    target: weighted<'own' | 'sibling' | 'instance' | 'eni' | 'troubled' | 'missing' | 'absent' | 'empty'>(
      [6, fc.constant('own')], [4, fc.constant('sibling')], [8, fc.constant('instance')], [6, fc.constant('eni')], [8, fc.constant('troubled')],
      [2, fc.constant('missing')], [1, fc.constant('absent')], [1, fc.constant('empty')],
    ),
    targetPick: fc.nat(),
    type: weighted<'fitting' | 'absent' | 'EcsInstance' | 'NetworkInterface' | 'malformed'>([10, fc.constant('fitting')], [4, fc.constant('absent')], [3, fc.constant('EcsInstance')], [3, fc.constant('NetworkInterface')], [1, fc.constant('malformed')]),
    malformedType: fc.constantFrom('', 'ecsinstance', 'Eni'),
    // Ledger tokens are reused with their own parameters or others; a few are malformed.
    ClientToken: weighted(
      [10, absent],
      [4, ledger.length === 0 ? fc.constant('tok-new') : fc.constantFrom(...ledger.map((t) => t.ClientToken))],
      [2, fc.nat(99).map((n) => `tok-${String(n)}`)],
      [1, fc.constantFrom('', 'x'.repeat(64), 'x'.repeat(65), 'jeton-é')],
    ),
  }).map((r): Params => {
    const haVipId = r.haVip === 'troubled' ? pickFrom(troubledHaVips, r.haVipPick) ?? pickFrom(haVips.map((h) => h.HaVipId), r.haVipPick)
      : r.haVip === 'any' ? pickFrom(haVips.map((h) => h.HaVipId), r.haVipPick)
        : r.haVip === 'missing' ? 'havip-missing' : r.haVip === 'empty' ? '' : undefined
    const h = haVips.find((x) => x.HaVipId === haVipId)
    const own = h?.AssociatedInstanceIds ?? []
    const devices = new Set(enis.filter((n) => own.includes(n.NetworkInterfaceId)).map((n) => n.DeviceId))
    const siblings = enis.filter((n) => devices.has(n.DeviceId) && !own.includes(n.NetworkInterfaceId)).map((n) => n.NetworkInterfaceId)
    const pool = { own, sibling: siblings, instance: instances, eni: enis.map((n) => n.NetworkInterfaceId), troubled: troubledTargets }
    const instanceId = r.target === 'missing' ? 'i-missing' : r.target === 'empty' ? '' : r.target === 'absent' ? undefined
      : pickFrom(pool[r.target], r.targetPick) ?? pickFrom(instances, r.targetPick)
    const fitting = r.target === 'own' && h?.AssociatedInstanceType ? h.AssociatedInstanceType
      : enis.some((n) => n.NetworkInterfaceId === instanceId) ? 'NetworkInterface' : 'EcsInstance'
    const instanceType = r.type === 'fitting' ? fitting : r.type === 'malformed' ? r.malformedType : r.type === 'absent' ? undefined : r.type
    const params: Record<string, string | undefined> = { Action: r.Action, Version: r.Version, HaVipId: haVipId, InstanceId: instanceId, InstanceType: instanceType, ClientToken: r.ClientToken }
    return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined))
  })
}

/** A ledger entry's own parameters, as a request that replays it (or, if it is InProgress, is refused). */
export const replayArbitrary = (s: SnapshotJson): fc.Arbitrary<Params> | undefined => {
  const ledger = (s.ClientTokens ?? []).filter((t): t is LedgerEntryJson => t.Action !== 'CreateHaVip')
  if (ledger.length === 0) return undefined
  return fc.constantFrom(...ledger).map((t) => ({
    Action: t.Action, Version: '2020-04-01', HaVipId: t.Parameters.HaVipId, InstanceId: t.Parameters.InstanceId,
    ...(t.Parameters.InstanceType === undefined ? {} : { InstanceType: t.Parameters.InstanceType }), ClientToken: t.ClientToken,
  }))
}

/** The ways a request reaches `handle`: an object, or a query string in several spellings. */
export type Form = 'object' | 'query' | '?query' | '/?query' | 'url' | 'repeated' | 'noise'

export const formArbitrary: fc.Arbitrary<Form> = fc.constantFrom('object', 'query', '?query', '/?query', 'url', 'repeated', 'noise')

const encode = (p: Params): string => new URLSearchParams(p).toString()

/** The request written in one form; `repeated` adds a second value of each name (the first counts), `noise` unknown and wrongly cased names. */
export const written = (p: Params, form: Form): string | Params => {
  switch (form) {
    case 'object': return p
    case 'query': return encode(p)
    case '?query': return `?${encode(p)}`
    case '/?query': return `/?${encode(p)}`
    case 'url': return `https://open.volcengineapi.com/?${encode(p)}`
    case 'repeated': return `${encode(p)}&${encode(Object.fromEntries(Object.keys(p).map((k) => [k, 'second'])))}`
    case 'noise': return `Unknown=1&${encode(Object.fromEntries(Object.entries(p).map(([k, v]) => [k.toLowerCase(), `${v}x`])))}&${encode(p)}`
  }
}

/**
 * An account as `snapshotArbitrary` makes it, sometimes with what changed outside the API since
 * the bindings were made (the loader accepts it: bindings are not judged again): a bound instance
 * whose primary interface is now in another subnet, or a second bound ENI now attached to the same
 * instance as the first. Only then can a request break rules A8 and A9, or A9 and A10, at once.
 */
export const accountArbitrary = (): fc.Arbitrary<SnapshotJson> =>
  snapshotArbitrary().chain((s) => fc.record({ drift: fc.constantFrom('none', 'none', 'subnet', 'device'), pick: fc.nat() }).map(({ drift, pick }) => {
    if (drift === 'none') return s
    const json = structuredClone(s) as { HaVips: Array<Record<string, unknown> & { AssociatedInstanceType?: string; AssociatedInstanceIds?: Array<string>; SubnetId: string }>; Instances: Array<{ InstanceId: string; NetworkInterfaces: Array<{ SubnetId: string; Type: string }> }>; NetworkInterfaces: Array<Record<string, unknown> & { NetworkInterfaceId: string; DeviceId?: string }> } & SnapshotJson
    const bound = json.HaVips.filter((h) => (h.AssociatedInstanceIds ?? []).length > 0 && h.AssociatedInstanceType === (drift === 'subnet' ? 'EcsInstance' : 'NetworkInterface'))
    const h = bound[pick % Math.max(bound.length, 1)]
    const first = h?.AssociatedInstanceIds?.[0]
    if (h === undefined || first === undefined) return s
    if (drift === 'subnet') {
      const primary = json.Instances.find((i) => i.InstanceId === first)?.NetworkInterfaces.find((n) => n.Type === 'primary')
      if (primary !== undefined) primary.SubnetId = primary.SubnetId === 'subnet-a' ? 'subnet-b' : 'subnet-a'
      return json
    }
    const device = json.NetworkInterfaces.find((n) => n.NetworkInterfaceId === first)?.DeviceId
    const second = json.NetworkInterfaces.find((n) => !(h.AssociatedInstanceIds ?? []).includes(n.NetworkInterfaceId))
    if (second === undefined || device === undefined) return s
    Object.assign(second, { DeviceId: device, Status: 'InUse', SubnetId: h.SubnetId, ServiceManaged: false })
    h.AssociatedInstanceIds = [...(h.AssociatedInstanceIds ?? []), second.NetworkInterfaceId]
    return json
  }))

/**
 * DescribeHaVips parameters: ids (some past 100 or written with a leading zero), exact filters
 * with values the account holds (so that they match some and not others), tag filters (some with
 * values and no key, or out of range), and paging by number or by token at and past the edges.
 */
export const describeParamsArbitrary = (s: SnapshotJson): fc.Arbitrary<Params> => {
  const haVips = s.HaVips ?? []
  const ids = [...haVips.map((h) => h.HaVipId), 'havip-missing']
  const valuesOf = (name: string): ReadonlyArray<string> => [...new Set(haVips.flatMap((h) => { const v = (h as Record<string, unknown>)[name]; return typeof v === 'string' ? [v] : [] }))]
  const maybe = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => weighted([weight, arbitrary], [4, fc.constant(undefined)])
  const rarely = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> => weighted([20, usual], [1, odd])
  const index = rarely(fc.integer({ min: 1, max: 3 }).map(String), fc.constantFrom('100', '101', '0', '01', 'x', ''))
  const size = rarely(fc.constantFrom('1', '2', '3', '10'), fc.constantFrom('0', '100', '101', '1.5', '-1', 'x', ''))
  return fc.record({
    ids: weighted([3, fc.constant<Array<[string, string]>>([])], [1, fc.array(fc.tuple(index, fc.constantFrom(...ids)), { minLength: 1, maxLength: 3 })]),
    filters: weighted([3, fc.constant<Array<string>>([])], [1, fc.array(fc.constantFrom('HaVipName', 'IpAddress', 'VpcId', 'SubnetId', 'Status', 'ProjectName'), { minLength: 1, maxLength: 2 })]).chain((names) =>
      fc.tuple(...names.map((name) => fc.constantFrom(...valuesOf(name), 'other').map((value) => [name, value] as const)))),
    tags: weighted([3, fc.constant<Array<{ n: string; key: string | undefined; values: Array<[string, string]> }>>([])], [1, fc.array(fc.record({
      n: rarely(fc.constantFrom('1', '2'), fc.constantFrom('11', '0')),
      key: rarely(fc.constantFrom<string | undefined>('env', 'team', 'none'), fc.constant(undefined)),
      values: fc.array(fc.tuple(rarely(fc.constantFrom('1', '2'), fc.constant('11')), fc.constantFrom('prod', 'test', '')), { maxLength: 2 }),
    }), { minLength: 1, maxLength: 2 })]),
    pageNumber: maybe(3, rarely(fc.constantFrom('1', '2', '3'), fc.constantFrom('0', '1.5', 'x', '', '99'))),
    pageSize: maybe(4, size),
    maxResults: maybe(2, size),
    nextToken: maybe(2, rarely(fc.constantFrom(...ids), fc.constant(''))),
    // The parameters in another order than the checks take them.
    rotate: fc.nat(),
  }).map((r): Params => {
    const p: Params = { Action: 'DescribeHaVips', Version: '2020-04-01' }
    for (const [n, id] of r.ids) p[`HaVipIds.${n}`] = id
    for (const [name, value] of r.filters) p[name] = value
    for (const t of r.tags) {
      if (t.key !== undefined) p[`TagFilters.${t.n}.Key`] = t.key
      for (const [m, value] of t.values) p[`TagFilters.${t.n}.Values.${m}`] = value
    }
    if (r.pageNumber !== undefined) p.PageNumber = r.pageNumber
    if (r.pageSize !== undefined) p.PageSize = r.pageSize
    if (r.maxResults !== undefined) p.MaxResults = r.maxResults
    if (r.nextToken !== undefined) p.NextToken = r.nextToken
    const [action, version, ...rest] = Object.entries(p)
    const k = r.rotate % Math.max(rest.length, 1)
    return Object.fromEntries([action, version, ...rest.slice(k), ...rest.slice(0, k)].filter((e) => e !== undefined))
  })
}
