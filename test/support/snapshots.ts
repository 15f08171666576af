import * as E from 'fp-ts/lib/Either.js'
import type { Snapshot, SnapshotJson } from 'havip-rules'
import { loadSnapshot } from 'havip-rules'
import { vectorCases } from './vectors.js'

/** Loads a snapshot that must load. */
export const load = (json: unknown): Snapshot => {
  const loaded = loadSnapshot(json)
  if (E.isLeft(loaded)) throw new Error(loaded.left.message)
  return loaded.right
}

/**
 * The vectors' shared snapshot: free, ECS-bound, ENI-bound, creating, unsupported and full HaVips;
 * running, stopped, starting and other-subnet instances; attached, unattached, attaching and
 * service-managed ENIs.
 */
export const baseJson = (): Readonly<Record<string, unknown>> =>
  structuredClone(vectorCases[0]?.snapshot) as Readonly<Record<string, unknown>>

export const base = (): Snapshot => load(baseJson())

/** A query string for the given parameters, with Action and Version filled in. */
export const query = (params: Readonly<Record<string, string>>): string =>
  new URLSearchParams({ Action: 'AssociateHaVip', Version: '2020-04-01', ...params }).toString()

/** An account of `n` running instances in one subnet, and one HaVip that can hold them all. */
export const oneHaVipAccount = (n: number): SnapshotJson => ({
  Region: 'cn-beijing',
  HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
  Instances: Array.from({ length: n }, (_, i) => ({
    InstanceId: `i-${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
  })),
  NetworkInterfaces: [],
  Quotas: { InstancesPerHaVip: n, HaVipsPerInstance: 5 },
})
