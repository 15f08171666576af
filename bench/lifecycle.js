// The HaVip's life in `npm run bench`: what CreateHaVip, DeleteHaVip, ModifyHaVipAttributes and
// GetAsyncTaskStatus cost against the benchmark's accounts, and CreateHaVip in a /16 whose lowest
// 60,000 addresses are in use against an empty /16.
import * as E from 'fp-ts/lib/Either.js'
import { createHaVip, deleteHaVip, getAsyncTaskStatus, loadSnapshot, modifyHaVipAttributes } from '../dist/index.js'
import { buildJson } from './account.js'

/**
 * The benchmark's account of N resources, with a /24 subnet for each HaVip's subnet, as many free
 * HaVips as bound ones (DeleteHaVip takes only those), a full task ledger, and quotas out of the way.
 */
export const lifecycleJson = (n) => {
  const json = buildJson(n)
  const count = json.HaVips.length
  const cidr = (i) => `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`
  return {
    ...json,
    HaVips: [...json.HaVips, ...Array.from({ length: count }, (_, i) => ({
      HaVipId: `havip-free-${i}`, SubnetId: `subnet-${i}`, VpcId: 'vpc-1', IpAddress: cidr(i).replace('.0/24', '.9'), Status: 'Available',
      AssociatedInstanceType: '', AssociatedInstanceIds: [],
    }))],
    Subnets: Array.from({ length: count }, (_, i) => ({ SubnetId: `subnet-${i}`, VpcId: 'vpc-1', CidrBlock: cidr(i), Status: 'Available' })),
    AsyncTasks: Array.from({ length: 10_000 }, (_, i) => ({ AsyncTaskId: `at-${i}`, Action: 'CreateHaVip', ResourceId: `havip-${i % count}`, Status: 'Succeeded', StepsLeft: 0 })),
    Quotas: { ...json.Quotas, HaVipsPerRegion: 1e9, HaVipsPerVpc: 1e9 },
  }
}

const load = (json) => {
  const s = loadSnapshot(json)
  if (E.isLeft(s)) throw new Error(s.left.message)
  return s.right
}

/** `count` lifecycle requests of each kind, each against the snapshot as loaded; they must all succeed. */
export const lifecycleRequests = (n, count) => {
  const haVips = Math.max(1, Math.floor(n / 100))
  let seed = 54321
  const random = (m) => Math.floor((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 * m)
  return Array.from({ length: count }, () => {
    const h = random(haVips)
    return {
      create: { action: 'CreateHaVip', subnetId: `subnet-${h}`, clientToken: `c-${random(1e9)}` },
      delete: { action: 'DeleteHaVip', haVipId: `havip-free-${h}` },
      modify: { action: 'ModifyHaVipAttributes', haVipId: `havip-${h}`, haVipName: 'renamed' },
      status: { action: 'GetAsyncTaskStatus', asyncTaskId: `at-${random(10_000)}` },
    }
  })
}

export const lifecycleCalls = {
  create: (s, r) => createHaVip(s, r.create, { requestId: 'bench' }),
  delete: (s, r) => deleteHaVip(s, r.delete, { requestId: 'bench' }),
  modify: (s, r) => modifyHaVipAttributes(s, r.modify, { requestId: 'bench', now: '2026-01-01T00:00:00Z' }),
  status: (s, r) => getAsyncTaskStatus(s, r.status),
}

/** One /16 (10.0.0.0/16) whose `used` lowest assignable addresses are ENIs' primary addresses. */
export const slash16 = (used) => load({
  Subnets: [{ SubnetId: 'subnet-big', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }],
  NetworkInterfaces: Array.from({ length: used }, (_, i) => ({
    NetworkInterfaceId: `eni-${i}`, SubnetId: 'subnet-big', Status: 'InUse', PrimaryIpAddress: `10.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`,
  })),
  Quotas: { HaVipsPerRegion: 1e9, HaVipsPerVpc: 1e9 },
})

export const loadLifecycle = (n) => load(lifecycleJson(n))
