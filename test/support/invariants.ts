import type { SnapshotJson } from 'havip-rules'

/**
 * The vendor's invariants over a snapshot's JSON, each as a sentence that is false. Empty: all hold.
 */
export const brokenInvariants = (json: SnapshotJson): ReadonlyArray<string> => {
  const broken: Array<string> = []
  const instances = new Map((json.Instances ?? []).map((i) => [i.InstanceId, i]))
  const enis = new Map((json.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId, n]))
  const quotas = { InstancesPerHaVip: 10, HaVipsPerInstance: 5, ...json.Quotas }
  const perTarget = new Map<string, number>()
  for (const h of json.HaVips ?? []) {
    const ids = h.AssociatedInstanceIds ?? []
    if (ids.length > quotas.InstancesPerHaVip) broken.push(`${h.HaVipId} holds ${String(ids.length)} targets`)
    if (ids.length > 0 && !h.AssociatedInstanceType) broken.push(`${h.HaVipId} has targets and no type`)
    if (new Set(ids).size !== ids.length) broken.push(`${h.HaVipId} lists a target twice`)
    if (h.Status === 'InUse' && ids.length === 0) broken.push(`${h.HaVipId} is InUse with no target`)
    if (h.Status === 'Available' && ids.length > 0) broken.push(`${h.HaVipId} is Available with targets`)
    const devices = new Set<string>()
    for (const id of ids) {
      perTarget.set(`${h.AssociatedInstanceType}:${id}`, (perTarget.get(`${h.AssociatedInstanceType}:${id}`) ?? 0) + 1)
      if (h.AssociatedInstanceType === 'EcsInstance') {
        if (instances.get(id)?.NetworkInterfaces.find((n) => n.Type === 'primary')?.SubnetId !== h.SubnetId) broken.push(`${h.HaVipId}: ${id} in another subnet`)
      } else {
        const eni = enis.get(id)
        if (eni?.SubnetId !== h.SubnetId) broken.push(`${h.HaVipId}: ${id} in another subnet`)
        if (eni?.ServiceManaged !== false) broken.push(`${h.HaVipId}: ${id} is service-managed`)
        if (eni !== undefined && devices.has(eni.DeviceId ?? '')) broken.push(`${h.HaVipId}: two ENIs of ${eni.DeviceId}`)
        if (eni !== undefined) devices.add(eni.DeviceId ?? '')
      }
    }
  }
  for (const [target, n] of perTarget) {
    if (n > quotas.HaVipsPerInstance) broken.push(`${target} is bound to ${String(n)} HaVips`)
  }
  return broken
}

/** Freezes a JSON value and everything in it. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
