import { assign, lookup } from '../model/layered-map.js'
import type { Eni, Instance } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'

/**
 * The account as a plan leaves it before its bindings change: the snapshot with the resources the
 * plan creates added (a HaVip Available and bound to nothing, an instance RUNNING, an ENI Available
 * and unattached) and ENIs attached or detached. Only ever simulated, never written back.
 */

/** HaVips the plan creates, added at once. */
export const addHaVips = (s: SnapshotState, haVips: ReadonlyArray<{ readonly id: string; readonly subnet: string }>): SnapshotState => {
  let map = s.haVips
  for (const { id, subnet } of haVips) map = assign(map, id, { HaVipId: id, SubnetId: subnet, Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })
  return withChanges(s, { haVips: map })
}

export const addInstance = (s: SnapshotState, id: string, subnet: string): SnapshotState => {
  const instance: Instance = { type: 'EcsInstance', id, status: 'RUNNING', subnetId: subnet }
  return withChanges(s, { instances: assign(s.instances, id, instance) })
}

export const addEni = (s: SnapshotState, id: string, subnet: string, deviceId = ''): SnapshotState => {
  const eni: Eni = { type: 'NetworkInterface', id, status: deviceId === '' ? 'Available' : 'InUse', subnetId: subnet, deviceId, serviceManaged: false }
  return withChanges(s, { enis: assign(s.enis, id, eni) })
}

/** An ENI attached to an instance (`InUse`, its `DeviceId` the instance), or detached (`Available`); undefined when there is no such ENI. */
export const setAttachment = (s: SnapshotState, eniId: string, deviceId: string | undefined): SnapshotState | undefined => {
  const eni = lookup(s.enis, eniId)
  if (eni === undefined) return undefined
  const changed: Eni = deviceId === undefined ? { ...eni, status: 'Available', deviceId: '' } : { ...eni, status: 'InUse', deviceId }
  return withChanges(s, { enis: assign(s.enis, eniId, changed) })
}
