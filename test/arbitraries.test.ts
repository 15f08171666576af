import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeRequest, endpointErrorIds, errorIds, explain, handle, loadSnapshot } from 'havip-rules'
import type { LedgerEntryJson, SnapshotJson } from 'havip-rules'
import type { RequestParams } from 'havip-rules/testing'
import { issuedId, lifecycleScenarioArbitrary, lifecycleSnapshotArbitrary, requestArbitrary, scenarioArbitrary, snapshotArbitrary } from 'havip-rules/testing'

/** The errors only the lifecycle's actions answer. */
const lifecycleOnly = /^(InvalidName|InvalidDescription|InvalidSubnet|InvalidIpAddress|InsufficientIpAddress|QuotaExceeded|InvalidAsyncTask)\.|^InvalidHaVip\.InUse/

it('in 2,000 generated requests, produces every error id of AssociateHaVip and DisassociateHaVip, and success', () => {
  const seen = new Map<string, number>()
  for (const { snapshot, requests } of fc.sample(scenarioArbitrary(1), 2000)) {
    const s = loadSnapshot(snapshot)
    if (E.isLeft(s)) throw new Error(s.left.message)
    const r = decodeRequest(requests[0])
    const id = E.isLeft(r) ? r.left.id : (explain(s.right, r.right)[0]?.id ?? 'OK')
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  // Neither DescribeHaVips' InvalidParameter nor InternalError (a snapshot not from loadSnapshot) is theirs, nor the lifecycle's.
  const wanted = [...errorIds.filter((id) => id !== 'InvalidParameter' && id !== 'InternalError' && !endpointErrorIds.includes(id) && !lifecycleOnly.test(id)), 'OK']
  expect(wanted).toHaveLength(23)
  expect(wanted.filter((id) => !seen.has(id)), JSON.stringify([...seen])).toEqual([])
})

/** What each sample shows, as short sentences; a feature the generator promises must be among them. */
const featuresOf = (json: SnapshotJson): ReadonlyArray<string> => {
  const f: Array<string> = [`region ${String(json.Region)}`]
  const quotas = json.Quotas ?? {}
  for (const i of json.Instances ?? []) {
    const primary = i.NetworkInterfaces.find((n) => n.Type === 'primary')
    f.push(`instance ${i.InstanceId}`, `instance ${i.Status}`, `instance vpc ${String(i.VpcId)}`)
    if (primary?.NetworkInterfaceId === `eni-primary-${i.InstanceId}`) f.push('primary named after its instance')
    const first = i.NetworkInterfaces[0]
    if (first?.Type === 'secondary' && first.NetworkInterfaceId === `eni-second-${i.InstanceId}`) f.push(`secondary first, in ${first.SubnetId}, primary in ${String(primary?.SubnetId)}`)
    if (i.NetworkInterfaces.length === 1) f.push('primary only')
    f.push(`instance subnet ${String(primary?.SubnetId)}`)
  }
  const instanceIndex = new Map((json.Instances ?? []).map((x, k) => [x.InstanceId, k]))
  for (const n of json.NetworkInterfaces ?? []) {
    f.push(`eni ${n.NetworkInterfaceId}`, `eni ${n.Status}`, `eni type ${String(n.Type)}`, `eni vpc ${String(n.VpcId)}`)
    if (n.Status === 'Available') f.push(n.DeviceId === '' ? 'eni available, detached' : 'eni available, naming a device')
    if (n.ServiceManaged === true) f.push(`managed eni ${n.Status === 'Available' ? 'available' : 'in transition'}`)
    f.push(`eni subnet ${n.SubnetId}`, `eni ${n.Status} ${n.DeviceId === '' ? 'detached' : `on instance #${String(instanceIndex.get(n.DeviceId ?? ''))}`}`)
  }
  const eniStatus = new Map((json.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId, n.Status]))
  for (const [i, h] of (json.HaVips ?? []).entries()) {
    const ids = h.AssociatedInstanceIds ?? []
    f.push(`havip ${h.HaVipId}`, `havip ${h.Status}`, `havip project ${String(h.ProjectName)}`, `havip vpc ${String(h.VpcId)}`)
    if (h.HaVipName === `ha-${String(i % 2)}`) f.push('havip named ha-0 or ha-1')
    if (h.IpAddress === `192.168.0.${String(10 + i)}`) f.push('havip address 192.168.0.x')
    f.push(`havip name ${String(h.HaVipName)}`, `havip address ${String(h.IpAddress)}`, `havip subnet ${h.SubnetId}`)
    if (ids.length === 0 && h.AssociatedInstanceType === '') f.push('empty havip, no type')
    // Bound to some of the targets it could take, not as many as it could: an instance of its
    // subnet bound to no HaVip at all is left out.
    const free = (json.Instances ?? []).some((x) => x.NetworkInterfaces.find((n) => n.Type === 'primary')?.SubnetId === h.SubnetId &&
      !(json.HaVips ?? []).some((other) => other.AssociatedInstanceType === 'EcsInstance' && other.AssociatedInstanceIds?.includes(x.InstanceId) === true))
    if (h.AssociatedInstanceType === 'EcsInstance' && ids.length > 0 && ids.length < (quotas.InstancesPerHaVip ?? 0) - 1 && free) f.push('havip bound to some of the instances it could take')
    if (ids.length > 1) f.push(`havip bound to several of type ${String(h.AssociatedInstanceType)}`)
    if (h.AssociatedInstanceType === 'NetworkInterface') for (const id of ids) f.push(`havip bound to an eni ${String(eniStatus.get(id))}`)
    if (h.MasterInstanceId === undefined) f.push('havip without master')
    f.push(`havip SupportsAssociation ${'SupportsAssociation' in h ? String(h.SupportsAssociation) : 'absent'}`, `havip Tags ${'Tags' in h ? String((h.Tags as ReadonlyArray<unknown> | undefined)?.length) : 'absent'}`)
    if (ids.length > 0) f.push(`havip bound to ${String(h.AssociatedInstanceType)}`)
    if (ids.length === 0 && h.AssociatedInstanceType !== '') f.push('emptied havip keeping its type')
    if (ids.length === quotas.InstancesPerHaVip) f.push('havip full')
    if (ids.length === (quotas.InstancesPerHaVip ?? 0) - 1 && ids.length > 0) f.push('havip one below full')
    if (h.SupportsAssociation === false) f.push('havip not supporting association')
    if (h.MasterInstanceId !== undefined) f.push(ids.includes(h.MasterInstanceId) ? 'master among the targets' : `master "${h.MasterInstanceId}"`)
    for (const t of (h.Tags ?? []) as ReadonlyArray<{ readonly Key: string; readonly Value: string }>) f.push(`tag ${t.Key}=${t.Value}`)
  }
  for (const e of (json.ClientTokens ?? []).filter((t): t is LedgerEntryJson => t.Action !== 'CreateHaVip')) {
    f.push(`token ${e.ClientToken}`, `ledger ${e.Action} ${e.Status}`, `ledger type ${String(e.Parameters.InstanceType)}`, e.RequestId === undefined ? 'ledger without RequestId' : 'ledger with RequestId')
    f.push(`ledger InstanceType ${'InstanceType' in e.Parameters ? 'given' : 'absent'}`, `ledger HaVipId ${e.Parameters.HaVipId}`, `ledger InstanceId ${e.Parameters.InstanceId}`)
    if (e.RequestId !== undefined) f.push(/^req-ledger-\d$/.test(e.RequestId) ? 'ledger RequestId req-ledger-N' : `ledger RequestId ${e.RequestId}`)
  }
  return f
}

it('generates every kind of snapshot it promises: ids, statuses, regions, tags, drift, full HaVips, ledgers', () => {
  const seen = new Set<string>()
  for (const json of fc.sample(snapshotArbitrary(), { numRuns: 1000, seed: 20261126 })) {
    const s = loadSnapshot(json)
    if (E.isLeft(s)) throw new Error(s.left.message)
    for (const feature of featuresOf(json)) seen.add(feature)
  }
  const each = (prefix: string, values: ReadonlyArray<string>): ReadonlyArray<string> => values.map((v) => `${prefix} ${v}`)
  const instanceIds = ['__proto__', 'constructor', 'i-1', 'i-2', 'i-3', 'i-4']
  const haVipIds = ['havip-1', 'havip-2', 'havip-3', '__proto__', 'valueOf']
  const subnets = ['subnet-a', 'subnet-b']
  // Exactly these: a feature missing is a promise broken, a feature more is one the docs do not make.
  const promised = [
    'region cn-beijing', 'region ap-southeast-1',
    ...each('instance', instanceIds),
    ...each('instance', ['RUNNING', 'STOPPED', 'STARTING', 'STOPPING', 'ERROR']), 'instance vpc vpc-1', ...each('instance subnet', subnets),
    'primary named after its instance', 'primary only',
    'secondary first, in subnet-b, primary in subnet-a', 'secondary first, in subnet-a, primary in subnet-b',
    ...each('eni', ['eni-1', 'eni-2', 'eni-3', 'eni-4', 'eni-5', 'toString', 'hasOwnProperty']),
    ...each('eni', ['InUse', 'Available', 'Attaching', 'Detaching', 'Creating', 'Deleting']), 'eni type secondary', 'eni vpc vpc-1', ...each('eni subnet', subnets),
    'eni available, detached', 'eni available, naming a device', 'managed eni available', 'managed eni in transition',
    // Only the first two instances carry ENIs, so that two ENIs of one instance are common.
    ...['InUse', 'Available', 'Attaching', 'Detaching', 'Creating', 'Deleting'].flatMap((status) => each(`eni ${status}`, ['on instance #0', 'on instance #1'])),
    ...each('eni', ['Available', 'Attaching', 'Detaching', 'Creating', 'Deleting']).map((e) => `${e} detached`),
    ...each('havip', haVipIds),
    ...each('havip', ['Available', 'InUse', 'Creating', 'Deleting']), 'havip project default', 'havip project web', 'havip vpc vpc-1', ...each('havip subnet', subnets),
    'havip named ha-0 or ha-1', 'havip address 192.168.0.x', ...each('havip name', ['ha-0', 'ha-1']), ...each('havip address', ['192.168.0.10', '192.168.0.11', '192.168.0.12', '192.168.0.13']),
    'havip bound to EcsInstance', 'havip bound to NetworkInterface', 'havip bound to several of type EcsInstance', 'havip bound to several of type NetworkInterface',
    'havip bound to an eni InUse', 'havip bound to some of the instances it could take', 'emptied havip keeping its type', 'empty havip, no type', 'havip full', 'havip one below full',
    'havip not supporting association', 'havip SupportsAssociation absent', 'havip SupportsAssociation false', 'havip Tags absent', 'havip Tags 1', 'havip Tags 2',
    'master among the targets', 'master ""', 'havip without master',
    ...each('tag', ['env=prod', 'env=test', 'env=', 'team=prod', 'team=test', 'team=']),
    ...each('token', ['tok-1', 'tok-2', 'tok-3']), ...each('ledger', ['AssociateHaVip Succeeded', 'AssociateHaVip InProgress', 'DisassociateHaVip Succeeded', 'DisassociateHaVip InProgress']),
    ...each('ledger type', ['EcsInstance', 'NetworkInterface', 'undefined']), 'ledger InstanceType given', 'ledger InstanceType absent',
    ...each('ledger HaVipId', haVipIds), ...each('ledger InstanceId', instanceIds),
    'ledger with RequestId', 'ledger without RequestId', 'ledger RequestId req-ledger-N',
  ]
  expect([...seen].sort()).toEqual([...promised].sort())
})

/** What a generated request is, as short sentences. */
const requestFeatures = (snapshot: SnapshotJson, r: RequestParams): ReadonlyArray<string> => {
  const f: Array<string> = []
  const h = (snapshot.HaVips ?? []).find((x) => x.HaVipId === r.HaVipId)
  const instances = new Set((snapshot.Instances ?? []).map((i) => i.InstanceId))
  const enis = new Set((snapshot.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId))
  // A parameter left out is absent, not there holding undefined (which the type does not show).
  const { InstanceType: type, ClientToken: token } = r as Readonly<Record<string, string | undefined>>
  f.push(`action ${String(r.Action)}`, `version ${String(r.Version)}`, `type ${'InstanceType' in r ? String(type) : 'absent'}`)
  f.push(!('ClientToken' in r) ? 'no token' : token === undefined ? 'token undefined' : /^tok-[123]$/.test(token) ? 'a shared token' : /^tok-\d+$/.test(token) ? 'a fresh token' : `token ${token.length > 64 ? 'of 65 characters' : token}`)
  f.push(r.HaVipId === undefined ? 'no HaVipId' : r.HaVipId === 'havip-unknown' ? 'unknown havip' : h === undefined ? `havip ${r.HaVipId}` : 'a havip of the snapshot')
  const target = r.InstanceId === undefined ? 'none' : r.InstanceId === 'i-unknown' ? 'unknown' : instances.has(r.InstanceId) ? 'an instance' : enis.has(r.InstanceId) ? 'an eni' : r.InstanceId
  // A malformed type is put on any request: its target says nothing.
  if (r.InstanceType !== 'ecsinstance') f.push(`target ${target} for type ${r.InstanceType ?? 'absent'}`)
  if (r.Action === 'DisassociateHaVip' && h?.AssociatedInstanceIds?.includes(r.InstanceId ?? '') === true) f.push('disassociate a bound target')
  return f
}

it('generates requests of every shape it promises, and no other: both actions, tokens, unknown ids, bound targets, each malformation', () => {
  const seen = new Set<string>()
  let withTargets = 0
  let naming = 0
  for (const { snapshot, requests } of fc.sample(scenarioArbitrary(4), { numRuns: 500, seed: 20261126 })) {
    for (const r of requests) {
      for (const feature of requestFeatures(snapshot, r)) seen.add(feature)
      const h = (snapshot.HaVips ?? []).find((x) => x.HaVipId === r.HaVipId)
      if (h === undefined || (h.AssociatedInstanceIds ?? []).length === 0 || h.AssociatedInstanceType !== (r.InstanceType ?? 'EcsInstance')) continue
      withTargets++
      if (h.AssociatedInstanceIds?.includes(r.InstanceId ?? '') === true) naming++
    }
  }
  const types = ['EcsInstance', 'NetworkInterface', 'absent']
  expect([...seen].sort()).toEqual([
    'action AssociateHaVip', 'action DisassociateHaVip', 'action UpdateHaVip', 'action undefined',
    'version 2020-04-01', 'version 2019-01-01', 'version undefined', ...types.map((t) => `type ${t}`), 'type ecsinstance',
    'no token', 'a shared token', 'a fresh token', 'token of 65 characters', 'token jeton-é',
    'a havip of the snapshot', 'unknown havip', 'no HaVipId',
    // Without a type, an instance: the type the API assumes.
    'target an instance for type EcsInstance', 'target an instance for type absent', 'target an eni for type NetworkInterface',
    ...types.map((t) => `target unknown for type ${t}`), ...types.map((t) => `target none for type ${t}`),
    'disassociate a bound target',
  ].sort())
  // Aimed at a HaVip's own targets more often than picking any target would be (about 47 %).
  expect(naming / withTargets).toBeGreaterThan(0.52)
})

it('makes request sequences of 1 to maxRequests requests', () => {
  const lengths = new Set(fc.sample(scenarioArbitrary(3), { numRuns: 200, seed: 20261126 }).map(({ requests }) => requests.length))
  expect([...lengths].sort()).toEqual([1, 2, 3])
})

it('makes snapshots without instances when allowed: every ENI then detached, every ledger entry naming i-1', () => {
  for (const json of fc.sample(snapshotArbitrary({ minInstances: 0, maxInstances: 0 }), { numRuns: 200, seed: 20261126 })) {
    expect(E.isRight(loadSnapshot(json))).toBe(true)
    expect(json.Instances).toEqual([])
    for (const n of json.NetworkInterfaces ?? []) expect(n.DeviceId).toBe('')
    for (const e of json.ClientTokens ?? []) expect(e.Parameters).toMatchObject({ InstanceId: 'i-1' })
  }
})

it('names unknown ids for a snapshot that has nothing to name', () => {
  for (const r of fc.sample(requestArbitrary({}), { numRuns: 200, seed: 20261126 })) {
    expect(r.HaVipId ?? 'havip-unknown').toBe('havip-unknown')
    expect(r.InstanceId ?? 'i-unknown').toBe('i-unknown')
  }
})

it('makes lifecycle snapshots that load: small subnets, addresses in use, EIPs, route entries, tasks, ids about to be issued, both modes', () => {
  const seen = new Set<string>()
  for (const json of fc.sample(lifecycleSnapshotArbitrary(), { numRuns: 1000, seed: 20261126 })) {
    const s = loadSnapshot(json)
    expect(E.isRight(s), E.isLeft(s) ? s.left.message : '').toBe(true)
    const region = json.Region ?? 'cn-beijing'
    seen.add(`async ${String((json.AsyncSteps ?? 0) > 0)}`)
    for (const subnet of json.Subnets ?? []) seen.add(`${subnet.SubnetId} /${subnet.CidrBlock.split('/')[1] ?? ''} ${String(subnet.Status)}`)
    for (const h of json.HaVips ?? []) {
      if ((h.AssociatedEipId ?? '') !== '') seen.add('eip')
      if (h.HaVipId === issuedId(region, 'havip', json.IdCounter ?? 0)) seen.add('next havip id taken')
      seen.add(`havip vpc ${String(h.VpcId)}`)
    }
    for (const e of json.RouteEntries ?? []) seen.add(`route to ${e.NextHopType} ${(json.HaVips ?? []).some((h) => h.HaVipId === e.NextHopId) ? 'of the snapshot' : 'elsewhere'}`)
    for (const t of json.AsyncTasks ?? []) {
      seen.add(`task ${t.Action} ${t.Status}`)
      if (t.AsyncTaskId === issuedId(region, 'task', json.IdCounter ?? 0)) seen.add('next task id taken')
    }
    for (const e of json.ClientTokens ?? []) if (e.Action === 'CreateHaVip') seen.add(`create ledger ${e.Status}`)
    if ((json.Quotas?.HaVipsPerRegion ?? 20) === (json.HaVips ?? []).length) seen.add('region at its quota')
    if ((json.IdCounter ?? 0) > 0) seen.add('counter moved')
  }
  for (const wanted of [
    'async true', 'async false', 'subnet-a /29 undefined', 'subnet-b /30 Pending', 'subnet-c /32 Available', 'subnet-c /31 Pending', 'eip', 'next havip id taken', 'next task id taken',
    'havip vpc undefined', 'havip vpc vpc-2', 'route to HaVip of the snapshot', 'route to HaVip elsewhere', 'route to Instance elsewhere',
    'task CreateHaVip InProgress', 'task DeleteHaVip InProgress', 'task AssociateHaVip InProgress', 'task ModifyHaVipAttributes Failed',
    'create ledger Succeeded', 'create ledger InProgress', 'region at its quota', 'counter moved',
  ]) expect(seen, wanted).toContain(wanted)
})

it('in 3,000 lifecycle sequences, produces every error of the catalogue but the endpoint\'s, and success of every action', () => {
  const seen = new Set<string>()
  for (const { snapshot, requests } of fc.sample(lifecycleScenarioArbitrary(6), { numRuns: 3000, seed: 20261126 })) {
    const loaded = loadSnapshot(snapshot)
    if (E.isLeft(loaded)) throw new Error(loaded.left.message)
    let s = loaded.right
    for (const params of requests) {
      const r = decodeRequest(params)
      seen.add(E.isLeft(r) ? r.left.id : (explain(s, r.right)[0]?.id ?? `OK ${r.right.action}`))
      s = handle(s, params, { requestId: 'r' }).snapshot
    }
  }
  const wanted = [
    ...errorIds.filter((id) => id !== 'InternalError' && !endpointErrorIds.includes(id)),
    ...['CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'GetAsyncTaskStatus', 'AssociateHaVip', 'DisassociateHaVip', 'DescribeHaVips'].map((a) => `OK ${a}`),
  ]
  expect(wanted.filter((id) => !seen.has(id)), JSON.stringify([...seen])).toEqual([])
})
