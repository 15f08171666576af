import type { HaVipJson } from '../model/json.js'
import type { Target } from '../model/resources.js'
import { boundIds, boundType, describeTarget } from '../model/resources.js'
import { lookup } from '../model/layered-map.js'
import type { Rule } from './context.js'
import { fail, onBoth, onHaVip, pass } from './context.js'

const lists = (h: HaVipJson, target: Target): boolean => boundType(h) === target.type && boundIds(h).includes(target.id)

/** A7: one HaVip never holds ECS instances and ENIs at once (vendor). Needs only the type, not which target. */
export const haVipHoldsOneInstanceType: Rule = onHaVip((h, { instanceType }) => {
  const type = boundType(h)
  return type === undefined || instanceType === undefined || type === instanceType
    ? pass
    : fail('Forbidden.MixedInstanceTypes', `HaVip ${h.HaVipId} is bound to ${type} targets; the request binds ${instanceType === 'EcsInstance' ? 'an EcsInstance' : 'a NetworkInterface'}`)
})

/** A8: the target must be in the HaVip's subnet (vendor). */
export const sameSubnet: Rule = onBoth((h, target) =>
  target.subnetId === h.SubnetId
    ? pass
    : fail('InvalidInstance.HaVipMismatch', `HaVip ${h.HaVipId} is in ${h.SubnetId}; ${describeTarget(target)} is in ${target.subnetId}`))

/** A9 [choice]: binding a target twice to one HaVip is refused, not ignored. */
export const notAlreadyAssociated: Rule = onBoth((h, target) =>
  lists(h, target)
    ? fail('Forbidden.InstanceAlreadyAssociated', `HaVip ${h.HaVipId} already lists ${describeTarget(target)}`)
    : pass)

/**
 * A10: two ENIs of one ECS instance cannot share a HaVip (vendor). Reads only the HaVip's own
 * targets, at most its quota.
 */
export const noOtherEniOfSameInstance: Rule = onBoth((h, target, { snapshot }) => {
  if (target.type !== 'NetworkInterface' || target.deviceId === '' || boundType(h) !== 'NetworkInterface') return pass
  const sibling = boundIds(h).find((id) => id !== target.id && lookup(snapshot.enis, id)?.deviceId === target.deviceId)
  return sibling === undefined
    ? pass
    : fail('Forbidden.TwoEnisOfOneInstance',
        `HaVip ${h.HaVipId} is bound to ENI ${sibling}, which is attached to ${target.deviceId} like ENI ${target.id}`)
})

/** D6 [choice, after the sibling cloud]: only a bound target can be unbound. */
export const isAssociated: Rule = onBoth((h, target) =>
  lists(h, target)
    ? pass
    : fail('ResourceNotAssociated', `HaVip ${h.HaVipId} does not list ${describeTarget(target)}`))
