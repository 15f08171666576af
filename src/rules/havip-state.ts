import type { Check, HaVipContext, Rule } from './context.js'
import { fail, onHaVip, pass } from './context.js'

const bindableHaVipStatuses: ReadonlyArray<string> = ['Available', 'InUse']

/** A4, D4, M2: a HaVip that is being created or deleted cannot change its bindings or attributes. */
export const haVipStatusAllowsBinding: Check<HaVipContext> = onHaVip((h) =>
  bindableHaVipStatuses.includes(h.Status)
    ? pass
    : fail('InvalidHaVip.InvalidStatus', `HaVip ${h.HaVipId} is ${h.Status}; it must be Available or InUse`))

/** A5 [choice]: a host marks a HaVip that refuses association with `SupportsAssociation: false`. */
export const haVipSupportsAssociation: Rule = onHaVip((h) =>
  h.SupportsAssociation === false
    ? fail('InvalidHaVip.NotSupport', `HaVip ${h.HaVipId} has SupportsAssociation false`)
    : pass)
