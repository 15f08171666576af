import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeRequest, endpointErrorIds, errorIds, explain, loadSnapshot } from 'havip-rules'
import type { SnapshotJson } from 'havip-rules'
import { scenarioArbitrary, snapshotArbitrary } from 'havip-rules/testing'

it('in 2,000 generated requests, produces every error id of AssociateHaVip and DisassociateHaVip, and success', () => {
  const seen = new Map<string, number>()
  for (const { snapshot, requests } of fc.sample(scenarioArbitrary(1), 2000)) {
    const s = loadSnapshot(snapshot)
    if (E.isLeft(s)) throw new Error(s.left.message)
    const r = decodeRequest(requests[0])
    const id = E.isLeft(r) ? r.left.id : (explain(s.right, r.right)[0]?.id ?? 'OK')
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  // Neither DescribeHaVips' InvalidParameter nor InternalError (a snapshot not from loadSnapshot) is theirs.
  const wanted = [...errorIds.filter((id) => id !== 'InvalidParameter' && id !== 'InternalError' && !endpointErrorIds.includes(id)), 'OK']
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
    if (first?.Type === 'secondary' && first.NetworkInterfaceId === `eni-second-${i.InstanceId}` && first.SubnetId !== primary?.SubnetId) f.push('secondary first, in the other subnet')
  }
  for (const n of json.NetworkInterfaces ?? []) {
    f.push(`eni ${n.NetworkInterfaceId}`, `eni ${n.Status}`, `eni type ${String(n.Type)}`, `eni vpc ${String(n.VpcId)}`)
    if (n.Status === 'Available') f.push(n.DeviceId === '' ? 'eni available, detached' : 'eni available, naming a device')
    if (n.ServiceManaged === true) f.push(`managed eni ${n.Status === 'Available' ? 'available' : 'in transition'}`)
  }
  for (const [i, h] of (json.HaVips ?? []).entries()) {
    const ids = h.AssociatedInstanceIds ?? []
    f.push(`havip ${h.HaVipId}`, `havip ${h.Status}`, `havip project ${String(h.ProjectName)}`, `havip vpc ${String(h.VpcId)}`)
    if (h.HaVipName === `ha-${String(i % 2)}`) f.push('havip named ha-0 or ha-1')
    if (h.IpAddress === `192.168.0.${String(10 + i)}`) f.push('havip address 192.168.0.x')
    if (ids.length > 0) f.push(`havip bound to ${String(h.AssociatedInstanceType)}`)
    if (ids.length === 0 && h.AssociatedInstanceType !== '') f.push('emptied havip keeping its type')
    if (ids.length === quotas.InstancesPerHaVip) f.push('havip full')
    if (ids.length === (quotas.InstancesPerHaVip ?? 0) - 1 && ids.length > 0) f.push('havip one below full')
    if (h.SupportsAssociation === false) f.push('havip not supporting association')
    if (h.MasterInstanceId !== undefined) f.push(ids.includes(h.MasterInstanceId) ? 'master among the targets' : `master "${h.MasterInstanceId}"`)
    for (const t of (h.Tags ?? []) as ReadonlyArray<{ readonly Key: string; readonly Value: string }>) f.push(`tag ${t.Key}=${t.Value}`)
  }
  for (const e of json.ClientTokens ?? []) {
    f.push(`token ${e.ClientToken}`, `ledger ${e.Action} ${e.Status}`, `ledger type ${String(e.Parameters.InstanceType)}`, e.RequestId === undefined ? 'ledger without RequestId' : 'ledger with RequestId')
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
  const promised = [
    'region cn-beijing', 'region ap-southeast-1',
    ...['__proto__', 'constructor', 'i-1', 'i-4'].map((id) => `instance ${id}`),
    ...['RUNNING', 'STOPPED', 'STARTING', 'STOPPING', 'ERROR'].map((s) => `instance ${s}`), 'instance vpc vpc-1',
    'primary named after its instance', 'secondary first, in the other subnet',
    ...['eni-1', 'eni-5', 'toString', 'hasOwnProperty'].map((id) => `eni ${id}`),
    ...['InUse', 'Available', 'Attaching', 'Detaching', 'Creating', 'Deleting'].map((s) => `eni ${s}`), 'eni type secondary', 'eni vpc vpc-1',
    'eni available, detached', 'eni available, naming a device', 'managed eni available', 'managed eni in transition',
    ...['havip-1', 'havip-3', '__proto__', 'valueOf'].map((id) => `havip ${id}`),
    ...['Available', 'InUse', 'Creating', 'Deleting'].map((s) => `havip ${s}`), 'havip project default', 'havip project web', 'havip vpc vpc-1',
    'havip named ha-0 or ha-1', 'havip address 192.168.0.x', 'havip bound to EcsInstance', 'havip bound to NetworkInterface',
    'emptied havip keeping its type', 'havip full', 'havip one below full', 'havip not supporting association',
    'master among the targets', 'master ""',
    'tag env=prod', 'tag team=test', 'tag env=',
    'token tok-1', 'token tok-3', 'ledger AssociateHaVip Succeeded', 'ledger DisassociateHaVip InProgress',
    'ledger type EcsInstance', 'ledger type NetworkInterface', 'ledger type undefined', 'ledger with RequestId', 'ledger without RequestId',
  ]
  expect(promised.filter((p) => !seen.has(p))).toEqual([])
})

it('generates requests of every shape it promises: both actions, tokens fresh and reused, unknown ids, bound targets', () => {
  const seen = new Set<string>()
  for (const { snapshot, requests } of fc.sample(scenarioArbitrary(4), { numRuns: 500, seed: 20261126 })) {
    for (const r of requests) {
      const h = (snapshot.HaVips ?? []).find((x) => x.HaVipId === r.HaVipId)
      seen.add(`action ${String(r.Action)}`).add(`type ${String(r.InstanceType)}`)
      seen.add(r.ClientToken === undefined ? 'no token' : /^tok-[123]$/.test(r.ClientToken) ? 'a shared token' : /^tok-\d+$/.test(r.ClientToken) ? 'a fresh token' : 'a malformed token')
      if (r.HaVipId === 'havip-unknown') seen.add('unknown havip')
      if (r.InstanceId === 'i-unknown') seen.add('unknown target')
      if (r.Action === 'DisassociateHaVip' && h?.AssociatedInstanceIds?.includes(r.InstanceId ?? '') === true) seen.add('disassociate a bound target')
    }
  }
  expect(['action AssociateHaVip', 'action DisassociateHaVip', 'type EcsInstance', 'type NetworkInterface', 'type undefined',
    'no token', 'a shared token', 'a fresh token', 'a malformed token', 'unknown havip', 'unknown target', 'disassociate a bound target'].filter((p) => !seen.has(p))).toEqual([])
})
