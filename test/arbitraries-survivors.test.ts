import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { loadSnapshot } from 'havip-rules'
import type { HaVipJson, InstanceJson, NetworkInterfaceJson, SnapshotJson } from 'havip-rules'
import type { RequestParams } from 'havip-rules/testing'
import { requestArbitrary, snapshotArbitrary } from 'havip-rules/testing'

/**
 * What the testing kit's mutation run left untested in its generators: ledgers of several entries,
 * one per action and ClientToken; unattached ENIs that are Available unless service-managed; HaVips
 * at their quota bound to any of their subnet's targets, in any order, as many as `maxInstances`
 * allows; requests aimed at the targets that fit a HaVip (in its subnet, not yet bound) for both
 * types; and hand-written snapshots with odd instances or HaVips that still yield sane requests.
 * Every check runs on a fixed seed and count, so that it holds whatever FC_SCALE is.
 */

const seed = 20261206

const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number): ReadonlyArray<T> => fc.sample(arb, { seed, numRuns })

/** The position of each of the HaVip's targets among the snapshot's instances or ENIs, in the HaVip's order. */
const positions = (s: SnapshotJson, h: HaVipJson): ReadonlyArray<number> => {
  const ids = h.AssociatedInstanceType === 'EcsInstance'
    ? (s.Instances ?? []).map((i) => i.InstanceId)
    : (s.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId)
  return (h.AssociatedInstanceIds ?? []).map((id) => ids.indexOf(id))
}

const inOrder = (xs: ReadonlyArray<number>): boolean => xs.every((x, k) => k === 0 || (xs[k - 1] ?? -1) < x)

describe('snapshotArbitrary', () => {
  it('makes ledgers of up to three entries, never two for one action and ClientToken', () => {
    const sizes = new Set<number>()
    for (const json of sample(snapshotArbitrary(), 300)) {
      const ledger = json.ClientTokens ?? []
      sizes.add(ledger.length)
      const keys = ledger.map((e) => `${e.Action} ${e.ClientToken}`)
      expect(new Set(keys).size, keys.join(', ')).toBe(keys.length)
    }
    // Two entries, one per action, may share a token: the replay of one must not answer for the other.
    expect([...sizes].sort()).toEqual([0, 1, 2, 3])
  })

  it('leaves an ENI that names no instance Available, unless the service manages it', () => {
    let detached = 0
    for (const json of sample(snapshotArbitrary(), 300)) {
      expect((json.Instances ?? []).length).toBeGreaterThan(0)
      for (const n of json.NetworkInterfaces ?? []) {
        if (n.DeviceId !== '' || n.ServiceManaged === true) continue
        detached++
        // Attaching or Detaching with no instance named would be a state the vendor never shows.
        expect(n.Status, n.NetworkInterfaceId).toBe('Available')
      }
    }
    expect(detached).toBeGreaterThan(20)
  })

  it('fills HaVips to their quota, never beyond, with any of their targets and not only the first ones', () => {
    let fullOutOfOrder = 0
    for (const json of sample(snapshotArbitrary(), 300)) {
      const quota = json.Quotas?.InstancesPerHaVip ?? 0
      for (const h of json.HaVips ?? []) {
        const ids = h.AssociatedInstanceIds ?? []
        expect(ids.length).toBeLessThanOrEqual(quota)
        if (ids.length === quota && !inOrder(positions(json, h))) fullOutOfOrder++
      }
    }
    // A system that only gets the first instances right must still meet a full HaVip holding others.
    expect(fullOutOfOrder).toBeGreaterThan(10)
  })

  it('starts about one HaVip in three one below its quota, with an instance of its subnet left to take', () => {
    // Eight instances and room for five: random picks seldom stop exactly one short, yet that is
    // where a single AssociateHaVip reaches InstancesPerHaVip.
    const arb = snapshotArbitrary({ minInstances: 8, maxInstances: 8, quotas: fc.constant({ InstancesPerHaVip: 5, HaVipsPerInstance: 4 }) })
    let bound = 0
    let oneShort = 0
    for (const json of sample(arb, 200)) {
      const haVips = json.HaVips ?? []
      const bindings = (id: string): number => haVips.filter((o) => o.AssociatedInstanceType === 'EcsInstance' && (o.AssociatedInstanceIds ?? []).includes(id)).length
      for (const h of haVips.filter((x) => x.AssociatedInstanceType === 'EcsInstance')) {
        bound++
        const ids = h.AssociatedInstanceIds ?? []
        const free = (json.Instances ?? []).some((i) => i.NetworkInterfaces.find((n) => n.Type === 'primary')?.SubnetId === h.SubnetId && !ids.includes(i.InstanceId) && bindings(i.InstanceId) < 4)
        if (ids.length === 4 && free) oneShort++
      }
    }
    expect(oneShort / bound).toBeGreaterThan(0.25)
  })

  it('with maxInstances above 6 and room enough, binds a HaVip to more than 6 instances in any order', () => {
    const arb = snapshotArbitrary({ minInstances: 10, maxInstances: 10, quotas: fc.constant({ InstancesPerHaVip: 10, HaVipsPerInstance: 5 }) })
    let largest = 0
    for (const json of sample(arb, 300)) {
      expect(E.isRight(loadSnapshot(json))).toBe(true)
      for (const h of json.HaVips ?? []) {
        const at = positions(json, h)
        if (h.AssociatedInstanceType === 'EcsInstance' && !inOrder(at)) largest = Math.max(largest, at.length)
      }
    }
    expect(largest).toBeGreaterThan(6)
  })
})

describe('requestArbitrary', () => {
  const instance = (id: string, subnet: string): InstanceJson => ({
    InstanceId: id, Status: 'RUNNING', VpcId: 'vpc-1',
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-primary-${id}`, SubnetId: subnet, Type: 'primary' }],
  })
  const eni = (id: string, subnet: string): NetworkInterfaceJson => ({
    NetworkInterfaceId: id, SubnetId: subnet, VpcId: 'vpc-1', Status: 'Available', Type: 'secondary', DeviceId: '', ServiceManaged: false,
  })
  const others = ['1', '2', '3', '4', '5', '6']
  /**
   * A HaVip of subnet-a bound to three of its subnet's four instances: one instance left that fits
   * it, one ENI of its subnet among nine, everything else in subnet-b.
   */
  const snapshot: SnapshotJson = {
    Region: 'cn-beijing',
    Quotas: { InstancesPerHaVip: 4, HaVipsPerInstance: 1 },
    Instances: [instance('i-b1', 'subnet-a'), ...others.map((k) => instance(`i-other-${k}`, 'subnet-b')), instance('i-b2', 'subnet-a'), instance('i-fits', 'subnet-a'), instance('i-b3', 'subnet-a')],
    NetworkInterfaces: [...others.map((k) => eni(`eni-other-${k}`, 'subnet-b')), eni('eni-fits', 'subnet-a'), eni('eni-other-7', 'subnet-b'), eni('eni-other-8', 'subnet-b')],
    HaVips: [{
      HaVipId: 'havip-1', SubnetId: 'subnet-a', VpcId: 'vpc-1', IpAddress: '192.168.0.10', Status: 'InUse',
      AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-b1', 'i-b2', 'i-b3'],
    }],
    ClientTokens: [],
  }

  /** The share of the well-typed requests for havip-1 of this type that name `id`. */
  const share = (requests: ReadonlyArray<RequestParams>, type: string, id: string): number => {
    const aimed = requests.filter((r) => r.HaVipId === 'havip-1' && (r.InstanceType ?? 'EcsInstance') === type && r.InstanceId !== undefined)
    return aimed.filter((r) => r.InstanceId === id).length / aimed.length
  }

  it('loads the hand-written snapshot it aims at', () => {
    expect(E.isRight(loadSnapshot(snapshot))).toBe(true)
  })

  it('aims about one request in three at the one instance of the HaVip\'s subnet not yet bound to it', () => {
    // Picking among the ten instances would name it one time in ten; picking among its subnet's, or
    // among the instances not bound, one time in four or less.
    expect(share(sample(requestArbitrary(snapshot), 1500), 'EcsInstance', 'i-fits')).toBeGreaterThan(0.28)
  })

  it('aims about one request in three at the one ENI of the HaVip\'s subnet', () => {
    expect(share(sample(requestArbitrary(snapshot), 1500), 'NetworkInterface', 'eni-fits')).toBeGreaterThan(0.28)
  })

  it('names only the snapshot\'s targets, or i-unknown, for a HaVip that keeps a type but lists no targets', () => {
    // An emptied HaVip keeps its type, and the vendor may leave the empty list out.
    const odd: SnapshotJson = { ...snapshot, HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: 'EcsInstance' }] }
    const known = new Set(['i-unknown', ...(snapshot.Instances ?? []).map((i) => i.InstanceId), ...(snapshot.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId)])
    for (const r of sample(requestArbitrary(odd), 300)) if (r.InstanceId !== undefined) expect(known, r.InstanceId).toContain(r.InstanceId)
  })

  it('still generates for a hand-written instance that lists no interface, which loadSnapshot refuses', () => {
    const bare: SnapshotJson = { ...snapshot, Instances: [{ InstanceId: 'i-bare', Status: 'RUNNING', NetworkInterfaces: [] }] }
    const ids = new Set(sample(requestArbitrary(bare), 200).filter((r) => (r.InstanceType ?? 'EcsInstance') === 'EcsInstance').map((r) => r.InstanceId))
    expect(ids).toContain('i-bare')
  })
})
