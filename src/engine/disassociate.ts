import type { Operation } from './evaluate.js'
import { isAssociated } from '../rules/binding.js'
import { haVipExists, targetExists } from '../rules/existence.js'
import { haVipStatusAllowsBinding } from '../rules/havip-state.js'
import { eniStatusAllowsBinding, instanceStatusAllowsBinding } from '../rules/target-state.js'
import { unbind } from './transitions.js'

/** DisassociateHaVip: rules D2–D6 of docs/rules.md, in order. */
export const disassociate: Operation = {
  rules: [
    haVipExists,
    targetExists,
    haVipStatusAllowsBinding,
    instanceStatusAllowsBinding,
    eniStatusAllowsBinding,
    isAssociated,
  ],
  apply: unbind,
}
