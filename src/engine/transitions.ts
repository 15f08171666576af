import { Immer } from 'immer'
import { assign, lookup } from '../model/layered-map.js'
import type { HaVipJson } from '../model/json.js'
import type { Target } from '../model/resources.js'
import { boundIds, targetKey } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'

// The snapshot shares the caller's JSON objects: freezing results would freeze (mutate) those.
const { produce } = new Immer({ autoFreeze: false })

const withHaVip = (s: SnapshotState, haVip: HaVipJson, target: Target, delta: 1 | -1): SnapshotState => {
  const key = targetKey(target.type, target.id)
  return withChanges(s, {
    haVips: assign(s.haVips, haVip.HaVipId, haVip),
    bindingCounts: assign(s.bindingCounts, key, (lookup(s.bindingCounts, key) ?? 0) + delta),
  })
}

/** AssociateHaVip's success (docs/rules.md): the target is appended; the HaVip takes the target's type and is InUse. */
export const bind = (s: SnapshotState, h: HaVipJson, target: Target): SnapshotState =>
  withHaVip(s, produce(h, (d) => {
    d.AssociatedInstanceIds = [...boundIds(h), target.id]
    d.AssociatedInstanceType = target.type
    d.Status = 'InUse'
  }), target, 1)

/** DisassociateHaVip's success (docs/rules.md): the target leaves; a HaVip left with none is Available and typeless. */
export const unbind = (s: SnapshotState, h: HaVipJson, target: Target): SnapshotState =>
  withHaVip(s, produce(h, (d) => {
    const rest = boundIds(h).filter((id) => id !== target.id)
    d.AssociatedInstanceIds = rest
    if (rest.length === 0) {
      d.AssociatedInstanceType = ''
      d.Status = 'Available'
    }
    if (h.MasterInstanceId === target.id) d.MasterInstanceId = ''
  }), target, -1)
