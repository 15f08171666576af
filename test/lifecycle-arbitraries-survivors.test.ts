import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { handle } from 'havip-rules'
import type { CreateHaVipLedgerEntryJson, HaVipJson, SnapshotJson } from 'havip-rules'
import type { RequestParams } from 'havip-rules/testing'
import { issuedId, lifecycleRequestArbitrary, lifecycleScenarioArbitrary, lifecycleSnapshotArbitrary } from 'havip-rules/testing'
import type { Cidr } from '../src/model/address.js'
import { formatAddress, isAddress, parseAddress, parseCidr } from '../src/model/address.js'
import { load } from './support/snapshots.js'

/**
 * What the mutation run of the lifecycle generators left untested: the ids the engine issues; the
 * addresses a snapshot's resources hold (inside their subnet's usable block, none twice, the lowest
 * often, sometimes none, the gateway's listed in use); VPCs, EIPs, route entries, tasks, ledgers and
 * quotas as the generator describes them; and requests that name what they mean to (ids of the
 * snapshot, held ones, ones about to be issued; free, used and reserved addresses; tags; replays).
 * Every check runs on a fixed seed and count, so that it holds whatever FC_SCALE is; each share it
 * asserts lies between what the generator gives and what it gives with the change a mutant makes.
 */

const seed = 20261207

// Sampled by each test that reads them, never once for the file: for a mutant, Stryker runs only
// the tests during which its code ran (and code run as the file loads would be static to it).
const snapshots = (numRuns = 800): ReadonlyArray<SnapshotJson> => fc.sample(lifecycleSnapshotArbitrary(), { seed, numRuns })
const scenarios = (): ReadonlyArray<readonly [SnapshotJson, ReadonlyArray<RequestParams>]> =>
  fc.sample(lifecycleSnapshotArbitrary().chain((s) => fc.tuple(fc.constant(s), fc.array(lifecycleRequestArbitrary(s), { minLength: 20, maxLength: 20 }))), { seed, numRuns: 300 })

const regionOf = (s: SnapshotJson): string => s.Region ?? 'cn-beijing'
/** An address as a number; not one: NaN, which compares false with every number. */
const toNumber = (text: string): number => parseAddress(text) ?? Number.NaN
const rangeOf = (cidr: string): Cidr => parseCidr(cidr) ?? { first: Number.NaN, last: Number.NaN }
const subnetRange = (s: SnapshotJson, subnetId: string): Cidr | undefined => {
  const subnet = (s.Subnets ?? []).find((x) => x.SubnetId === subnetId)
  return subnet === undefined ? undefined : rangeOf(subnet.CidrBlock)
}

interface Held { readonly subnet: string; readonly address: string; readonly holder: string }

/** Every address the snapshot lists in use, with its subnet and who holds it. */
const addressesOf = (s: SnapshotJson): ReadonlyArray<Held> => [
  ...(s.HaVips ?? []).flatMap((h): ReadonlyArray<Held> => ((h.IpAddress ?? '') === '' ? [] : [{ subnet: h.SubnetId, address: h.IpAddress ?? '', holder: h.HaVipId }])),
  ...(s.Instances ?? []).flatMap((i) => i.NetworkInterfaces.flatMap((n): ReadonlyArray<Held> => (n.PrimaryIpAddress === undefined ? [] : [{ subnet: n.SubnetId, address: n.PrimaryIpAddress, holder: `${i.InstanceId} ${n.SubnetId}` }]))),
  ...(s.NetworkInterfaces ?? []).flatMap((n): ReadonlyArray<Held> => [
    ...(n.PrimaryIpAddress === undefined ? [] : [{ subnet: n.SubnetId, address: n.PrimaryIpAddress, holder: n.NetworkInterfaceId }]),
    ...(n.PrivateIpSets?.PrivateIpSet ?? []).map((p) => ({ subnet: n.SubnetId, address: p.PrivateIpAddress ?? '', holder: n.NetworkInterfaceId })),
  ]),
]

const gatewayOf = (s: SnapshotJson, subnetId: string): string | undefined => {
  const range = subnetRange(s, subnetId)
  return range === undefined ? undefined : formatAddress(range.first + 1)
}

/** The VPC a HaVip is in: its own, or its subnet's. */
const vpcOf = (s: SnapshotJson, h: HaVipJson): string | undefined => h.VpcId ?? (s.Subnets ?? []).find((x) => x.SubnetId === h.SubnetId)?.VpcId

/** A made-up id as the vendor writes one: lower-case words and numbers joined by single hyphens. */
const vendorLike = /^[a-z]+(-[a-z0-9]+)+$/

/** The request that replays a Create of the ledger: its own parameters, tags numbered from 1. */
const replayOf = (entry: CreateHaVipLedgerEntryJson): RequestParams => {
  const given = entry.Parameters
  return {
    Action: 'CreateHaVip', Version: '2020-04-01', SubnetId: given.SubnetId, ClientToken: entry.ClientToken,
    ...(given.IpAddress === undefined ? {} : { IpAddress: given.IpAddress }), ...(given.HaVipName === undefined ? {} : { HaVipName: given.HaVipName }),
    ...(given.Description === undefined ? {} : { Description: given.Description }),
    ...Object.fromEntries((given.Tags ?? []).flatMap((t, k) => [[`Tags.${String(k + 1)}.Key`, t.Key], [`Tags.${String(k + 1)}.Value`, t.Value]])),
  }
}
const sameParams = (a: RequestParams, b: RequestParams): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
const withoutForm = ({ Action: _, Version: __, ...rest }: RequestParams): RequestParams => rest
/** A replay, even one sent without its Action or with another Version. */
const isReplay = (s: SnapshotJson, p: RequestParams): boolean =>
  (s.ClientTokens ?? []).filter((e): e is CreateHaVipLedgerEntryJson => e.Action === 'CreateHaVip')
    .some((e) => e.ClientToken === p.ClientToken && sameParams(withoutForm(p), withoutForm(replayOf(e))))

/** The HaVips DeleteHaVip refuses: bound, held by an EIP or a route entry, or in transition. */
const heldOf = (s: SnapshotJson): ReadonlyArray<string> => {
  const routed = new Set((s.RouteEntries ?? []).filter((e) => e.NextHopType === 'HaVip').map((e) => e.NextHopId))
  return (s.HaVips ?? []).filter((h) => h.Status !== 'Available' || (h.AssociatedInstanceIds ?? []).length > 0 || (h.AssociatedEipId ?? '') !== '' || routed.has(h.HaVipId)).map((h) => h.HaVipId)
}

/** The paths of the fields set to undefined, which JSON cannot hold. */
const undefinedFields = (value: unknown, path: string): ReadonlyArray<string> =>
  typeof value !== 'object' || value === null ? [] : Object.entries(value).flatMap(([key, field]) => (field === undefined ? [`${path}.${key}`] : undefinedFields(field, `${path}.${key}`)))

describe('issuedId', () => {
  it('gives the ids the engine issues: a HaVip\'s on each Create, a task\'s in asynchronous mode, in every region', () => {
    expect(issuedId('cn-beijing', 'havip', 0)).toMatch(/^havip-[0-9a-f]{20}$/)
    expect(issuedId('cn-beijing', 'task', 0)).toMatch(/^at-[0-9a-f]{20}$/)
    expect(issuedId('cn-beijing', 'havip', 0)).not.toBe(issuedId('cn-beijing', 'havip', 1))
    expect(issuedId('cn-beijing', 'havip', 0).slice(6)).not.toBe(issuedId('ap-southeast-1', 'havip', 0).slice(6))
    expect(issuedId('cn-beijing', 'havip', 3).slice(6)).not.toBe(issuedId('cn-beijing', 'task', 3).slice(3))
    const seen = new Set<string>()
    for (const json of snapshots(300)) {
      const { status, body } = handle(load(json), { Action: 'CreateHaVip', Version: '2020-04-01', SubnetId: 'subnet-a' }, { requestId: 'r' })
      if (status !== 200 || !('Result' in body)) continue
      const result = body.Result as { HaVipId: string; AsyncTaskId?: string }
      const region = regionOf(json)
      const coming = (kind: 'havip' | 'task') => Array.from({ length: 4 }, (_, k) => issuedId(region, kind, (json.IdCounter ?? 0) + k))
      expect(coming('havip')).toContain(result.HaVipId)
      if (result.AsyncTaskId !== undefined) expect(coming('task')).toContain(result.AsyncTaskId)
      seen.add(`${region} counter ${(json.IdCounter ?? 0) > 0 ? 'moved' : 'at 0'}`)
    }
    expect([...seen].sort()).toEqual(['ap-southeast-1 counter at 0', 'ap-southeast-1 counter moved', 'cn-beijing counter at 0', 'cn-beijing counter moved'])
  })
})

describe('lifecycleSnapshotArbitrary', () => {
  it('gives each resource an address inside its subnet\'s usable block, none twice, and the gateway\'s only as a private address listed in use', () => {
    let checked = 0
    for (const json of snapshots()) {
      // Plain JSON, as a file holds it: no field set to undefined.
      expect(undefinedFields(json, '$')).toEqual([])
      for (const subnet of json.Subnets ?? []) for (const [key, value] of Object.entries(subnet)) expect(value, key).not.toBe('')
      for (const h of json.HaVips ?? []) expect(['subnet-a', 'subnet-b']).toContain(h.SubnetId)
      const taken = new Map<string, string>()
      for (const { subnet, address, holder } of addressesOf(json)) {
        const range = subnetRange(json, subnet)
        if (range === undefined) continue
        checked++
        expect(isAddress(address), address).toBe(true)
        const n = toNumber(address)
        if (address !== gatewayOf(json, subnet)) expect(n >= range.first + 2 && n <= range.last - 1, `${holder} ${address} in ${subnet}`).toBe(true)
        const key = `${subnet} ${address}`
        expect(taken.get(key), `${key} held by ${holder} and ${String(taken.get(key))}`).toBeUndefined()
        taken.set(key, holder)
      }
    }
    expect(checked).toBeGreaterThan(4000)
  })

  it('often gives a resource its subnet\'s lowest free address, sometimes none, and leaves other addresses free', () => {
    let lowestTaken = 0
    let gapBelow = 0
    let haVipsWithout = 0
    let haVipsWith = 0
    const all = snapshots()
    for (const json of all) {
      const range = subnetRange(json, 'subnet-a')
      const used = new Set(addressesOf(json).filter((a) => a.subnet === 'subnet-a').map((a) => toNumber(a.address)))
      if (range === undefined) continue
      if (used.has(range.first + 2)) lowestTaken++
      // A used address above a free one: not every resource took the lowest.
      if ([...used].some((n) => n > range.first + 2 && !used.has(n - 1) && n - 1 > range.first + 1)) gapBelow++
      for (const h of json.HaVips ?? []) if ((h.IpAddress ?? '') === '') haVipsWithout++; else haVipsWith++
    }
    // On this seed 98 % of the snapshots take subnet-a's lowest address (77 % if every resource took
    // any free one), and 51 % leave a gap below a used one (11 % if every resource took the lowest,
    // 42 % if the weights of 'lowest' and 'any' were swapped).
    expect(lowestTaken / all.length).toBeGreaterThan(0.9)
    expect(gapBelow / all.length).toBeGreaterThan(0.46)
    expect(haVipsWithout).toBeGreaterThan(50)
    expect(haVipsWith).toBeGreaterThan(5 * haVipsWithout)
  })

  it('lists the gateway\'s address in use on an ENI, in subnet-a when an ENI is there, in some snapshots only', () => {
    let held = 0
    let notHeld = 0
    for (const json of snapshots()) {
      const holders = (json.NetworkInterfaces ?? []).filter((n) => (n.PrivateIpSets?.PrivateIpSet ?? []).some((p) => p.PrivateIpAddress === gatewayOf(json, n.SubnetId)))
      if ((json.NetworkInterfaces ?? []).length === 0) continue
      if (holders.length === 0) { notHeld++; continue }
      held++
      expect(holders).toHaveLength(1)
      const [holder] = holders
      if ((json.NetworkInterfaces ?? []).some((n) => n.SubnetId === 'subnet-a')) expect(holder?.SubnetId).toBe('subnet-a')
      expect(holder?.PrivateIpSets?.PrivateIpSet).toEqual([{ PrivateIpAddress: gatewayOf(json, holder?.SubnetId ?? ''), Primary: false }])
    }
    expect(held).toBeGreaterThan(100)
    expect(notHeld).toBeGreaterThan(2 * held * 0.6)
  })

  it('gives ENIs private addresses as well as primary ones, and instances\' interfaces addresses of their subnet', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      for (const [k, n] of (json.NetworkInterfaces ?? []).entries()) {
        const privates = (n.PrivateIpSets?.PrivateIpSet ?? []).filter((p) => p.PrivateIpAddress !== gatewayOf(json, n.SubnetId))
        seen.add(`eni ${String(Math.min(k, 1))} privates ${String(privates.length)}`)
        if (n.PrimaryIpAddress !== undefined) seen.add('eni with a primary address')
        for (const p of privates) expect(p.Primary).toBe(false)
      }
      for (const i of json.Instances ?? []) {
        for (const n of i.NetworkInterfaces) {
          const range = subnetRange(json, n.SubnetId)
          if (range !== undefined && n.PrimaryIpAddress !== undefined) seen.add(`nic at ${String(toNumber(n.PrimaryIpAddress) - range.first)}`)
        }
      }
    }
    for (const wanted of ['eni 0 privates 0', 'eni 0 privates 1', 'eni 0 privates 2', 'eni 1 privates 1', 'eni 1 privates 2', 'nic at 2', 'nic at 3', 'nic at 9', 'eni with a primary address']) expect(seen, wanted).toContain(wanted)
  })

  it('names a HaVip\'s VPC as its own most often, leaves it out less often, and names another one least', () => {
    const byIndex = new Map<string, number>()
    for (const json of snapshots()) {
      for (const [i, h] of (json.HaVips ?? []).entries()) {
        const key = `${i === 0 ? 'first' : 'later'} ${String(h.VpcId)}`
        byIndex.set(key, (byIndex.get(key) ?? 0) + 1)
        expect([undefined, 'vpc-1', 'vpc-2']).toContain(h.VpcId)
      }
    }
    for (const which of ['first', 'later']) {
      const n = (vpc: string) => byIndex.get(`${which} ${vpc}`) ?? 0
      expect(n('vpc-1'), which).toBeGreaterThan(n('undefined'))
      expect(n('undefined'), which).toBeGreaterThan(n('vpc-2'))
      expect(n('vpc-2'), which).toBeGreaterThan(20)
    }
  })

  it('gives some HaVips, not only the first, an EIP of their own', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const eips = (json.HaVips ?? []).flatMap((h, i) => ((h.AssociatedEipId ?? '') === '' ? [] : [{ i, id: h.AssociatedEipId ?? '', address: h.AssociatedEipAddress ?? '' }]))
      for (const e of eips) {
        expect(e.id).toMatch(vendorLike)
        expect(isAddress(e.address), e.address).toBe(true)
        seen.add(e.i === 0 ? 'first' : 'later')
      }
      expect(new Set(eips.map((e) => e.id)).size).toBe(eips.length)
      expect(new Set(eips.map((e) => e.address)).size).toBe(eips.length)
    }
    expect([...seen].sort()).toEqual(['first', 'later'])
  })

  it('points route entries at HaVips of the snapshot, at a HaVip that is gone, or at an instance of the snapshot', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const routes = json.RouteEntries ?? []
      const haVips = (json.HaVips ?? []).map((h) => h.HaVipId)
      const instances = (json.Instances ?? []).map((i) => i.InstanceId)
      expect(new Set(routes.map((r) => r.RouteEntryId)).size).toBe(routes.length)
      expect(new Set(routes.map((r) => r.DestinationCidrBlock)).size).toBe(routes.length)
      for (const r of routes) {
        expect(r.RouteEntryId).toMatch(vendorLike)
        expect(r.RouteTableId).toMatch(vendorLike)
        expect(r.DestinationCidrBlock).toMatch(/^172\.16\.\d+\.0\/24$/)
        if (r.NextHopType === 'HaVip') {
          expect([...haVips, 'havip-gone']).toContain(r.NextHopId)
          seen.add(r.NextHopId === 'havip-gone' ? 'gone' : 'havip')
        } else {
          expect(r.NextHopType).toBe('Instance')
          expect(instances).toContain(r.NextHopId)
          seen.add(r.NextHopId === instances[0] ? 'first instance' : 'other instance')
        }
      }
    }
    expect([...seen].sort()).toEqual(['first instance', 'gone', 'havip', 'other instance'])
  })

  it('keeps finished tasks on HaVips of the snapshot, and tasks in progress on a HaVip in the matching transition, not on every one', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const tasks = json.AsyncTasks ?? []
      const haVips = new Map((json.HaVips ?? []).map((h, i) => [h.HaVipId, { h, i }]))
      expect(new Set(tasks.map((t) => t.AsyncTaskId)).size).toBe(tasks.length)
      const next = issuedId(regionOf(json), 'task', json.IdCounter ?? 0)
      for (const t of tasks) {
        expect(t.ResourceId).not.toBe('')
        if (t.AsyncTaskId === next) continue
        expect(t.AsyncTaskId).toMatch(vendorLike)
        expect(t.RequestId ?? '').toMatch(vendorLike)
        const on = haVips.get(t.ResourceId ?? '')
        if (t.Status !== 'InProgress') {
          expect(t.StepsLeft).toBe(0)
          expect(on, t.AsyncTaskId).toBeDefined()
          seen.add('finished')
          continue
        }
        expect(on, t.AsyncTaskId).toBeDefined()
        const status = on?.h.Status
        expect({ CreateHaVip: 'Creating', DeleteHaVip: 'Deleting', AssociateHaVip: 'InUse' }[t.Action], `${t.Action} on ${String(status)}`).toBe(status)
        expect(t.StepsLeft ?? 0).toBeGreaterThanOrEqual(1)
        seen.add(`in progress on ${(on?.i ?? 0) === 0 ? 'first' : 'later'}, ${String(t.StepsLeft)} steps`)
      }
      const requestIds = tasks.map((t) => t.RequestId).filter((x) => x !== undefined)
      expect(new Set(requestIds).size).toBe(requestIds.length)
      for (const h of json.HaVips ?? []) {
        if (h.Status !== 'Creating' && h.Status !== 'Deleting') continue
        seen.add(tasks.some((t) => t.ResourceId === h.HaVipId && t.Status === 'InProgress') ? 'transition with task' : 'transition without task')
      }
    }
    for (const wanted of ['finished', 'transition with task', 'transition without task', 'in progress on first, 1 steps', 'in progress on later, 1 steps', 'in progress on later, 2 steps', 'in progress on later, 3 steps']) expect(seen, wanted).toContain(wanted)
  })

  it('takes the id the counter issues next with a HaVip or with a task, never both', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const region = regionOf(json)
      const haVip = (json.HaVips ?? []).some((h) => h.HaVipId === issuedId(region, 'havip', json.IdCounter ?? 0))
      const task = (json.AsyncTasks ?? []).some((t) => t.AsyncTaskId === issuedId(region, 'task', json.IdCounter ?? 0))
      expect(haVip && task).toBe(false)
      seen.add(`${region} ${haVip ? 'havip' : task ? 'task' : 'none'}`)
    }
    expect([...seen].sort()).toEqual(['ap-southeast-1 havip', 'ap-southeast-1 none', 'ap-southeast-1 task', 'cn-beijing havip', 'cn-beijing none', 'cn-beijing task'])
  })

  it('ties some ledger entries of bindings to a task of the snapshot, mostly when there is one', () => {
    let withTask = 0
    let without = 0
    const later = new Set<string>()
    for (const json of snapshots()) {
      const tasks = new Set((json.AsyncTasks ?? []).map((t) => t.AsyncTaskId))
      const bindings = (json.ClientTokens ?? []).filter((e) => e.Action !== 'CreateHaVip')
      for (const [k, e] of bindings.entries()) {
        if (tasks.size === 0) continue
        const id = (e as { AsyncTaskId?: string }).AsyncTaskId
        if (id === undefined) without++
        else {
          withTask++
          expect(tasks.has(id)).toBe(true)
          if (k > 0) later.add('later entry with a task')
        }
      }
    }
    expect(without).toBeGreaterThan(20)
    expect(withTask).toBeGreaterThan(1.3 * without)
    expect([...later]).toEqual(['later entry with a task'])
  })

  it('records Creates in the ledger with the parameters they were given and the HaVip they made', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const creates = (json.ClientTokens ?? []).filter((e): e is CreateHaVipLedgerEntryJson => e.Action === 'CreateHaVip')
      seen.add(`${String(creates.length)} creates`)
      expect(new Set(creates.map((e) => e.ClientToken)).size).toBe(creates.length)
      const haVips = new Map((json.HaVips ?? []).map((h) => [h.HaVipId, h]))
      const tasks = new Set((json.AsyncTasks ?? []).map((t) => t.AsyncTaskId))
      for (const e of creates) {
        const p = e.Parameters as Record<string, unknown>
        const result = e.Result as { HaVipId: string; IpAddress: string; AsyncTaskId?: string }
        expect(e.RequestId ?? '').toMatch(/^req-create-tok-/)
        for (const [key, value] of Object.entries(p)) expect(value, key).toBeDefined()
        const made = haVips.get(result.HaVipId)
        if (made === undefined) expect([result.HaVipId, haVips.size]).toEqual(['havip-gone', 0])
        expect(isAddress(result.IpAddress), result.IpAddress).toBe(true)
        if ((made?.IpAddress ?? '') !== '') expect(result.IpAddress).toBe(made?.IpAddress)
        if (p.IpAddress !== undefined) {
          expect(p.IpAddress).toBe(made?.IpAddress)
          seen.add('ip given')
        } else if ((made?.IpAddress ?? '') !== '') seen.add('ip not given')
        seen.add(p.HaVipName === undefined ? 'no name' : 'name')
        seen.add(p.Tags === undefined ? 'no tags' : 'tags')
        if (result.AsyncTaskId !== undefined) {
          expect(tasks.has(result.AsyncTaskId)).toBe(true)
          seen.add('task')
        } else if (tasks.size > 0) seen.add('no task')
      }
    }
    for (const wanted of ['0 creates', '1 creates', '2 creates', 'ip given', 'ip not given', 'name', 'no name', 'tags', 'no tags', 'task', 'no task']) expect(seen, wanted).toContain(wanted)
  })

  it('sets the quotas of vpc-1 and the region at their counts or just above, and sometimes not at all', () => {
    const seen = new Set<string>()
    for (const json of snapshots()) {
      const haVips = json.HaVips ?? []
      const inVpc1 = haVips.filter((h) => vpcOf(json, h) === 'vpc-1').length
      const perVpc = json.Quotas?.HaVipsPerVpc
      const perRegion = json.Quotas?.HaVipsPerRegion
      if (perVpc !== undefined) {
        expect(perVpc - Math.max(inVpc1, 1), `${String(perVpc)} for ${String(inVpc1)}`).toBeGreaterThanOrEqual(0)
        expect(perVpc - Math.max(inVpc1, 1)).toBeLessThanOrEqual(2)
        seen.add(perVpc === inVpc1 ? 'vpc at quota' : 'vpc below quota')
      } else seen.add('vpc quota unset')
      if (perRegion !== undefined) {
        expect(perRegion - Math.max(haVips.length, 1)).toBeGreaterThanOrEqual(0)
        expect(perRegion - Math.max(haVips.length, 1)).toBeLessThanOrEqual(3)
        seen.add(perRegion === haVips.length ? 'region at quota' : 'region below quota')
      } else seen.add('region quota unset')
      if (perVpc === inVpc1 && haVips.some((h) => h.VpcId === undefined && h.SubnetId === 'subnet-b')) seen.add('vpc at quota counting subnet-b')
    }
    expect([...seen].sort()).toEqual(['region at quota', 'region below quota', 'region quota unset', 'vpc at quota', 'vpc at quota counting subnet-b', 'vpc below quota', 'vpc quota unset'])
  })
})

describe('lifecycleRequestArbitrary', () => {
  const requestsOf = (action: string, sampled = scenarios()): ReadonlyArray<{ s: SnapshotJson; p: RequestParams }> =>
    sampled.flatMap(([s, requests]) => requests.filter((p) => p.Action === action).map((p) => ({ s, p })))

  it('never sends a parameter without a value, nor a tag value that is empty', () => {
    for (const [, requests] of scenarios()) {
      for (const p of requests) {
        for (const [key, value] of Object.entries(p)) {
          expect(typeof value, key).toBe('string')
          expect(key).not.toBe('')
          expect(key).not.toBe('undefined')
          if (/^Tags\.\d+\.Value$/.test(key)) expect(value, key).not.toBe('')
        }
      }
    }
  })

  it('names HaVips of the snapshot, those a Create of the sequence will issue next, and unknown ones', () => {
    const seen = new Set<string>()
    const sampled = scenarios()
    for (const action of ['DeleteHaVip', 'ModifyHaVipAttributes', 'AssociateHaVip', 'DescribeHaVips']) {
      for (const { s, p } of requestsOf(action, sampled)) {
        const id = p.HaVipId ?? p['HaVipIds.1']
        const region = regionOf(s)
        const k = Array.from({ length: 6 }, (_, n) => issuedId(region, 'havip', (s.IdCounter ?? 0) + n)).indexOf(id ?? '')
        // The next id first: a HaVip of the snapshot may hold it.
        const which = id === undefined ? 'none' : k >= 0 ? `next ${String(k)}` : (s.HaVips ?? []).some((h) => h.HaVipId === id) ? 'of the snapshot' : id === '' ? 'empty' : 'unknown'
        // Further ones only when DeleteHaVip or ModifyHaVipAttributes would have named a held HaVip, and there is none.
        if (k > 2 && !(['DeleteHaVip', 'ModifyHaVipAttributes'].includes(action) && heldOf(s).length === 0)) throw new Error(`${action} names the id the counter issues ${String(k)} Creates from now`)
        seen.add(`${action} ${which}`)
        if (which.startsWith('next')) seen.add(`${action} next in ${region}${(s.IdCounter ?? 0) > 0 ? ' after some' : ''}`)
      }
    }
    for (const wanted of [
      'DeleteHaVip of the snapshot', 'DeleteHaVip next 0', 'DeleteHaVip next 1', 'DeleteHaVip next 2', 'DeleteHaVip next in cn-beijing after some', 'DeleteHaVip next in ap-southeast-1', 'DeleteHaVip next in ap-southeast-1 after some', 'DeleteHaVip unknown', 'DeleteHaVip empty', 'DeleteHaVip none',
      'ModifyHaVipAttributes of the snapshot', 'ModifyHaVipAttributes next 0',
      'AssociateHaVip of the snapshot', 'AssociateHaVip next 0', 'AssociateHaVip next 2',
      'DescribeHaVips of the snapshot', 'DescribeHaVips next 1', 'DescribeHaVips none',
    ]) expect(seen, wanted).toContain(wanted)
  })

  it('names a HaVip DeleteHaVip refuses (in transition, bound, with an EIP, a route entry\'s next hop) more often than a free one', () => {
    const free: ReadonlyArray<HaVipJson> = [
      { HaVipId: 'havip-free-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedEipId: '' },
      { HaVipId: 'havip-free-2', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] },
    ]
    const held = { HaVipId: 'havip-held', SubnetId: 'subnet-a', AssociatedInstanceType: '', AssociatedInstanceIds: [] } as const
    const cases: Record<string, Pick<SnapshotJson, 'HaVips' | 'RouteEntries'>> = {
      'in transition': { HaVips: [...free, { ...held, Status: 'Creating' }] },
      // Bound, though its listing has not caught up.
      bound: { HaVips: [...free, { ...held, Status: 'Available', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'] }] },
      'with an EIP': { HaVips: [...free, { ...held, Status: 'Available', AssociatedEipId: 'eip-1', AssociatedEipAddress: '203.0.113.1' }] },
      'a next hop': {
        HaVips: [...free, { ...held, Status: 'Available' }],
        RouteEntries: [
          { RouteEntryId: 'rte-1', RouteTableId: 'vtb-1', DestinationCidrBlock: '172.16.0.0/24', NextHopType: 'HaVip', NextHopId: 'havip-held' },
          // An instance's id that reads like a free HaVip's does not hold it.
          { RouteEntryId: 'rte-2', RouteTableId: 'vtb-1', DestinationCidrBlock: '172.16.1.0/24', NextHopType: 'Instance', NextHopId: 'havip-free-1' },
        ],
      },
    }
    for (const [name, life] of Object.entries(cases)) {
      const s: SnapshotJson = { Region: 'cn-beijing', Instances: [], NetworkInterfaces: [], Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/28' }], ...life }
      const named = new Map<string, number>()
      for (const p of fc.sample(lifecycleRequestArbitrary(s), { seed, numRuns: 1500 })) {
        if (p.Action === 'DeleteHaVip') named.set(p.HaVipId ?? '', (named.get(p.HaVipId ?? '') ?? 0) + 1)
      }
      // Weights 4 (any of the three) and 4 (a held one): four times as often as each free one; a third as often without the held branch.
      for (const id of ['havip-free-1', 'havip-free-2']) {
        expect(named.get(id) ?? 0, `${name}: ${JSON.stringify([...named])}`).toBeGreaterThan(10)
        expect(named.get('havip-held') ?? 0, `${name}: ${JSON.stringify([...named])}`).toBeGreaterThan(2.5 * (named.get(id) ?? 0))
      }
    }
  })

  it('names tasks of the snapshot, those about to be issued, and unknown ones', () => {
    const seen = new Set<string>()
    for (const { s, p } of requestsOf('GetAsyncTaskStatus')) {
      const id = p.AsyncTaskId
      const k = Array.from({ length: 6 }, (_, n) => issuedId(regionOf(s), 'task', (s.IdCounter ?? 0) + n)).indexOf(id ?? '')
      seen.add(id === undefined ? 'none' : k >= 0 ? `next in ${regionOf(s)}` : (s.AsyncTasks ?? []).some((t) => t.AsyncTaskId === id) ? 'of the snapshot' : id === '' ? 'empty' : 'unknown')
    }
    expect([...seen].sort()).toEqual(['empty', 'next in ap-southeast-1', 'next in cn-beijing', 'none', 'of the snapshot', 'unknown'])
  })

  it('sends CreateHaVip to listed, missing and no subnets, with free, used, reserved, foreign and malformed addresses', () => {
    const seen = new Set<string>()
    const classes = new Map<string, number>()
    for (const { s, p } of requestsOf('CreateHaVip')) {
      const subnet = p.SubnetId
      if (!isReplay(s, p)) seen.add(`subnet ${subnet === undefined ? 'none' : subnet === '' ? 'empty' : (s.Subnets ?? []).some((x) => x.SubnetId === subnet) ? subnet : 'missing'}`)
      const ip = p.IpAddress
      if (ip === undefined || subnet === undefined) continue
      const range = subnetRange(s, subnet)
      if (range === undefined) continue
      const n = toNumber(ip)
      const used = addressesOf(s).some((a) => a.subnet === subnet && a.address === ip)
      const kind = !isAddress(ip) ? 'malformed'
        : n < range.first || n > range.last ? 'elsewhere'
          : n === range.first || n === range.first + 1 || n === range.last ? 'reserved'
            : used ? 'used' : 'free'
      // A near miss of an address, not any text.
      if (kind === 'malformed') expect(ip).toMatch(/^[\d. ]+$/)
      seen.add(kind)
      classes.set(kind, (classes.get(kind) ?? 0) + 1)
    }
    expect([...seen].sort()).toEqual(['elsewhere', 'free', 'malformed', 'reserved', 'subnet missing', 'subnet none', 'subnet subnet-a', 'subnet subnet-b', 'subnet subnet-c', 'used'])
    // Weight 2 of 11 for an address of another subnet: free, used and reserved ones are the named subnet's own.
    const all = [...classes.values()].reduce((a, b) => a + b, 0)
    expect((classes.get('elsewhere') ?? 0) / all, JSON.stringify([...classes])).toBeLessThan(0.3)
  })

  it('sends ClientTokens of the ledger, new ones, and ones too long or not ASCII', () => {
    const seen = new Set<string>()
    for (const { s, p } of requestsOf('CreateHaVip')) {
      const token = p.ClientToken
      if (token === undefined || isReplay(s, p)) continue
      expect(token).not.toBe('')
      const ledger = (s.ClientTokens ?? []).filter((e) => e.Action === 'CreateHaVip').map((e) => e.ClientToken)
      const kind = ledger.includes(token) ? `ledger ${token}` : token.length > 64 ? 'too long' : /^[\x20-\x7e]+$/.test(token) ? 'new' : 'not ASCII'
      // A binding's token is not a Create's: only the Creates' own and a few new ones.
      if (kind === 'new') expect(['tok-c1', 'tok-c2', 'tok-c3']).toContain(token)
      seen.add(kind)
    }
    expect([...seen].sort()).toEqual(['ledger tok-1', 'ledger tok-c1', 'ledger tok-c2', 'new', 'not ASCII', 'too long'])
  })

  it('draws a free address, when it means one, from the addresses no resource of the subnet holds', () => {
    let free = 0
    let used = 0
    for (const { s, p } of requestsOf('CreateHaVip')) {
      const ip = p.IpAddress
      const range = p.SubnetId === undefined ? undefined : subnetRange(s, p.SubnetId)
      if (ip === undefined || range === undefined || !isAddress(ip)) continue
      const n = toNumber(ip)
      if (n < range.first + 2 || n > range.last - 1) continue
      if ((s.HaVips ?? []).some((h) => h.SubnetId === p.SubnetId && h.IpAddress === ip) || (s.NetworkInterfaces ?? []).some((x) => x.SubnetId === p.SubnetId && x.PrimaryIpAddress === ip)) used++
      else free++
    }
    // Weights 3 (free) to 2 (used): with free drawn from every usable address, used ones would outnumber free ones.
    expect(free).toBeGreaterThan(1.2 * used)
    expect(used).toBeGreaterThan(30)
  })

  it('sends up to three well-formed tags, numbered with gaps, keys without values, and malformed ones', () => {
    const seen = new Set<string>()
    for (const { s, p } of requestsOf('CreateHaVip')) {
      const keys = Object.keys(p).filter((k) => k.startsWith('Tags.'))
      if (keys.length === 0 || isReplay(s, p)) continue
      const numbers = [...new Set(keys.map((k) => k.split('.')[1] ?? ''))]
      const wellFormed = numbers.every((n) => /^[1-9]\d*$/.test(n) && ['env', 'team', 'app'].includes(p[`Tags.${n}.Key`] ?? '') && ['prod', 'test', undefined].includes(p[`Tags.${n}.Value`]))
      if (!wellFormed) { seen.add('other'); continue }
      seen.add(`${String(numbers.length)} well-formed`)
      for (const n of numbers) seen.add(p[`Tags.${n}.Value`] === undefined ? 'key alone' : 'key and value')
    }
    expect([...seen].sort()).toEqual(['1 well-formed', '2 well-formed', '3 well-formed', 'key alone', 'key and value', 'other'])
  })

  it('replays the ledger\'s Creates with their own parameters, tags numbered from 1', () => {
    let replays = 0
    for (const [s, requests] of scenarios()) {
      const entries = new Map((s.ClientTokens ?? []).filter((e): e is CreateHaVipLedgerEntryJson => e.Action === 'CreateHaVip').map((e) => [e.ClientToken, e]))
      for (const p of requests) {
        const entry = entries.get(p.ClientToken ?? '')
        if (p.Action === 'CreateHaVip' && entry !== undefined && sameParams(p, replayOf(entry))) replays++
      }
    }
    expect(replays).toBeGreaterThan(40)
  })

  it('sends a few requests without Action or with another Version', () => {
    const seen = new Set<string>()
    for (const [, requests] of scenarios()) {
      for (const p of requests) {
        // Only the lifecycle's own requests: the binding ones come with their own odd Actions and Versions.
        if (p.Action !== undefined && !['CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'GetAsyncTaskStatus'].includes(p.Action)) continue
        if (p.Action === undefined && p.SubnetId === undefined && p.AsyncTaskId === undefined) continue
        seen.add(p.Action === undefined ? 'no Action' : p.Version === '2020-04-01' ? 'as is' : `Version ${String(p.Version)}`)
      }
    }
    expect([...seen].sort()).toEqual(['Version 2019-01-01', 'as is', 'no Action'])
  })
})

describe('lifecycleRequestArbitrary, for a snapshot that lists little', () => {
  // What a user's own snapshot may leave out: the region, HaVips, tasks, subnets, ledger.
  const bare: SnapshotJson = { Instances: [], NetworkInterfaces: [] }
  const requests = (): ReadonlyArray<RequestParams> => fc.sample(lifecycleRequestArbitrary(bare), { seed, numRuns: 1500 })
  const tally = (sampled: ReadonlyArray<RequestParams>, action: string, key: string): Map<string, number> => {
    const named = new Map<string, number>()
    for (const p of sampled) if (p.Action === action) named.set(p[key] ?? 'none', (named.get(p[key] ?? 'none') ?? 0) + 1)
    return named
  }

  it('names the HaVips and tasks the first Creates in cn-beijing will issue, a missing one, and rarely none', () => {
    const sampled = requests()
    const haVips = tally(sampled, 'DeleteHaVip', 'HaVipId')
    const tasks = tally(sampled, 'GetAsyncTaskStatus', 'AsyncTaskId')
    expect(haVips.get(issuedId('cn-beijing', 'havip', 0)), JSON.stringify([...haVips])).toBeGreaterThan(20)
    expect(tasks.get(issuedId('cn-beijing', 'task', 0)), JSON.stringify([...tasks])).toBeGreaterThan(20)
    // havip-missing stands for the snapshot's HaVips (weight 4), and shares weight 1 with ''; none has weight 1.
    expect(haVips.get('havip-missing') ?? 0).toBeGreaterThan(2 * (haVips.get('') ?? 0))
    expect(haVips.get('havip-missing') ?? 0).toBeGreaterThan(2 * (haVips.get('none') ?? 0))
    expect(tasks.get('none') ?? 0).toBeLessThan(0.2 * [...tasks.values()].reduce((a, b) => a + b, 0))
  })

  it('sends CreateHaVip addresses that are private ones or near misses of an address', () => {
    let addresses = 0
    for (const p of requests()) {
      const ip = p.IpAddress
      if (p.Action !== 'CreateHaVip' || ip === undefined) continue
      addresses++
      if (isAddress(ip)) expect(/^(10|172\.16|192\.168)\./.test(ip), ip).toBe(true)
      else expect(ip).toMatch(/^[\d. ]+$/)
    }
    expect(addresses).toBeGreaterThan(200)
  })

  it('replays a ledger\'s Create with every parameter it records', () => {
    const entry: CreateHaVipLedgerEntryJson = {
      Action: 'CreateHaVip', ClientToken: 'tok-all', Status: 'Succeeded', RequestId: 'req-1',
      Parameters: { SubnetId: 'subnet-a', IpAddress: '192.168.0.9', HaVipName: 'web', Description: 'primary', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: '' }] },
      Result: { HaVipId: 'havip-1', IpAddress: '192.168.0.9' },
    }
    const replays = fc.sample(lifecycleRequestArbitrary({ ...bare, ClientTokens: [entry] }), { seed, numRuns: 600 }).filter((p) => p.ClientToken === 'tok-all')
    expect(replays.length).toBeGreaterThan(20)
    expect(replays[0]).toEqual({
      Action: 'CreateHaVip', Version: '2020-04-01', ClientToken: 'tok-all', SubnetId: 'subnet-a', IpAddress: '192.168.0.9', HaVipName: 'web', Description: 'primary',
      'Tags.1.Key': 'env', 'Tags.1.Value': 'prod', 'Tags.2.Key': 'team', 'Tags.2.Value': '',
    })
  })
})

describe('lifecycleRequestArbitrary, for a snapshot whose addresses are known', () => {
  // subnet-a: .2 held by a HaVip and .3 by an ENI (a HaVip and an ENI with no address besides);
  // subnet-b's own addresses must never be sent for subnet-a; subnet-c (a /30) is full.
  const known: SnapshotJson = {
    Region: 'cn-beijing',
    Subnets: [
      { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.1.0/29' },
      { SubnetId: 'subnet-b', VpcId: 'vpc-1', CidrBlock: '192.168.2.0/29' },
      { SubnetId: 'subnet-c', VpcId: 'vpc-2', CidrBlock: '10.0.0.0/30' },
    ],
    HaVips: [
      { HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', IpAddress: '192.168.1.2' },
      { HaVipId: 'havip-2', SubnetId: 'subnet-a', Status: 'Available' },
      { HaVipId: 'havip-3', SubnetId: 'subnet-b', Status: 'Available', IpAddress: '192.168.2.3' },
      { HaVipId: 'havip-4', SubnetId: 'subnet-c', Status: 'Available', IpAddress: '10.0.0.2' },
    ],
    NetworkInterfaces: [
      { NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'Available', PrimaryIpAddress: '192.168.1.3' },
      { NetworkInterfaceId: 'eni-2', SubnetId: 'subnet-b', Status: 'Available', PrimaryIpAddress: '192.168.2.4' },
      { NetworkInterfaceId: 'eni-3', SubnetId: 'subnet-a', Status: 'Available' },
    ],
    Instances: [],
  }
  const creates = (): ReadonlyArray<RequestParams> => fc.sample(lifecycleRequestArbitrary(known), { seed, numRuns: 4000 }).filter((p) => p.Action === 'CreateHaVip' && p.IpAddress !== undefined)

  it('sends, for a subnet, only its own addresses or the first of another subnet; for a missing one, those of a listed subnet', () => {
    const blocks = (known.Subnets ?? []).map((x) => ({ id: x.SubnetId, ...rangeOf(x.CidrBlock) }))
    let checked = 0
    for (const p of creates()) {
      const ip = p.IpAddress ?? ''
      if (!isAddress(ip)) {
        expect(ip).toMatch(/^[\d. ]+$/)
        continue
      }
      checked++
      const n = toNumber(ip)
      const own = blocks.find((b) => b.id === p.SubnetId)
      const allowed = own === undefined
        ? blocks.some((b) => n >= b.first && n <= b.last)
        : (n >= own.first && n <= own.last) || blocks.some((b) => b.id !== own.id && n === b.first + 2)
      expect(allowed, `${ip} for ${String(p.SubnetId)}`).toBe(true)
    }
    expect(checked).toBeGreaterThan(500)
  })

  it('sends for subnet-a free addresses more often than used ones, each used one, every reserved one, and another subnet\'s', () => {
    const sent = new Map<string, number>()
    for (const p of creates()) if (p.SubnetId === 'subnet-a') sent.set(p.IpAddress ?? '', (sent.get(p.IpAddress ?? '') ?? 0) + 1)
    const n = (...ips: ReadonlyArray<string>) => ips.reduce((total, ip) => total + (sent.get(`192.168.${ip}`) ?? 0), 0)
    const shares = JSON.stringify([...sent])
    // Weights 3 (free), 2 (used), 3 (reserved), 2 (another subnet's), 1 (malformed).
    expect(n('1.4', '1.5', '1.6'), shares).toBeGreaterThan(1.2 * n('1.2', '1.3'))
    for (const ip of ['1.2', '1.3', '1.0', '1.1', '1.7', '2.2']) expect(n(ip), `${ip} in ${shares}`).toBeGreaterThan(5)
    const malformed = [...sent].filter(([ip]) => !isAddress(ip)).reduce((total, [, k]) => total + k, 0)
    expect(n('2.2'), shares).toBeGreaterThan(1.3 * malformed)
  })

  it('makes requests for a snapshot that lists HaVips and ENIs but no subnet', () => {
    const { Subnets: _, ...noSubnets } = known
    const requests = fc.sample(lifecycleRequestArbitrary(noSubnets), { seed, numRuns: 300 })
    expect(requests.filter((p) => p.Action === 'CreateHaVip' && p.IpAddress !== undefined).length).toBeGreaterThan(20)
  })
})

describe('lifecycleSnapshotArbitrary with no instances', () => {
  it('makes snapshots that load, whose routes to an instance name one', () => {
    let routes = 0
    for (const json of fc.sample(lifecycleSnapshotArbitrary({ minInstances: 0 }), { seed, numRuns: 300 })) {
      expect(() => load(json)).not.toThrow()
      if ((json.Instances ?? []).length > 0) continue
      for (const r of json.RouteEntries ?? []) {
        if (r.NextHopType !== 'Instance') continue
        routes++
        expect(r.NextHopId).toMatch(vendorLike)
      }
    }
    expect(routes).toBeGreaterThan(5)
  })
})

describe('lifecycleScenarioArbitrary', () => {
  it('makes sequences of one request up to the given number', () => {
    const lengths = new Set(fc.sample(lifecycleScenarioArbitrary(3), { seed, numRuns: 100 }).map(({ requests }) => requests.length))
    expect([...lengths].sort()).toEqual([1, 2, 3])
  })
})
