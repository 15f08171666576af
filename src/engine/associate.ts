import type { Operation } from './evaluate.js'
import { haVipHoldsOneInstanceType, noOtherEniOfSameInstance, notAlreadyAssociated, sameSubnet } from '../rules/binding.js'
import { haVipExists, targetExists } from '../rules/existence.js'
import { haVipStatusAllowsBinding, haVipSupportsAssociation } from '../rules/havip-state.js'
import { withinHaVipsPerInstance, withinInstancesPerHaVip } from '../rules/quota.js'
import { eniAttachedToEcs, eniNotServiceManaged, eniStatusAllowsBinding, instanceStatusAllowsBinding } from '../rules/target-state.js'
import { bind } from './transitions.js'

/** AssociateHaVip: rules A2–A12 of docs/rules.md, in order (rule 1, the ledger, comes first for every operation). */
export const associate: Operation = {
  rules: [
    haVipExists,
    targetExists,
    haVipStatusAllowsBinding,
    haVipSupportsAssociation,
    instanceStatusAllowsBinding,
    eniNotServiceManaged,
    eniStatusAllowsBinding,
    eniAttachedToEcs,
    haVipHoldsOneInstanceType,
    sameSubnet,
    notAlreadyAssociated,
    noOtherEniOfSameInstance,
    withinInstancesPerHaVip,
    withinHaVipsPerInstance,
  ],
  apply: bind,
}
