import { lookup } from '../model/layered-map.js'
import { boundIds, describeTarget, targetKey } from '../model/resources.js'
import type { Rule } from './context.js'
import { fail, onHaVip, onTarget, pass } from './context.js'

/** A11: a HaVip binds at most `InstancesPerHaVip` targets (vendor: 10). */
export const withinInstancesPerHaVip: Rule = onHaVip((h, { snapshot }) => {
  const limit = snapshot.quotas.InstancesPerHaVip
  const count = boundIds(h).length
  return count < limit
    ? pass
    : fail('LimitExceeded.InstancesPerHaVip', `HaVip ${h.HaVipId} is bound to ${String(count)} targets; InstancesPerHaVip is ${String(limit)}`)
})

/** A12: a target is bound to at most `HaVipsPerInstance` HaVips ([choice] default 5). */
export const withinHaVipsPerInstance: Rule = onTarget((target, { snapshot }) => {
  const limit = snapshot.quotas.HaVipsPerInstance
  const count = lookup(snapshot.bindingCounts, targetKey(target.type, target.id)) ?? 0
  return count < limit
    ? pass
    : fail('LimitExceeded.HaVipsPerInstance', `${describeTarget(target)} is bound to ${String(count)} HaVips; HaVipsPerInstance is ${String(limit)}`)
})
