import { boundIds } from '../model/resources.js'
import type { Check, HaVipContext } from './context.js'
import { fail, onHaVip, pass } from './context.js'

/** X2: only an `Available` HaVip bound to nothing is deleted (vendor: disassociate first; the code is a choice). */
export const haVipDeletable: Check<HaVipContext> = onHaVip((h) => {
  const bound = boundIds(h).length
  if (h.Status !== 'Available') return fail('InvalidHaVip.InvalidStatus', `HaVip ${h.HaVipId} is ${h.Status}; it must be Available`)
  return bound === 0 ? pass : fail('InvalidHaVip.InvalidStatus', `HaVip ${h.HaVipId} is bound to ${String(bound)} targets; disassociate them first`)
})

/** X3: a HaVip an EIP is bound to is in use (vendor). */
export const noEipBound: Check<HaVipContext> = onHaVip((h) =>
  h.AssociatedEipId === undefined || h.AssociatedEipId === ''
    ? pass
    : fail('InvalidHaVip.InUse.Eip', `EIP ${h.AssociatedEipId} is bound to HaVip ${h.HaVipId}`))

/** X4: a HaVip a route entry points at is in use (vendor). */
export const noRouteEntryPointsAt: Check<HaVipContext> = onHaVip((h, { snapshot }) => {
  const entry = snapshot.routeEntryOf.get(h.HaVipId)
  return entry === undefined ? pass : fail('InvalidHaVip.InUse.RouteEntry', `route entry ${entry} has HaVip ${h.HaVipId} as its next hop`)
})
