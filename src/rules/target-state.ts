import type { Rule } from './context.js'
import { fail, onEni, onInstance, pass } from './context.js'

const bindableInstanceStatuses: ReadonlyArray<string> = ['RUNNING', 'STOPPED']
const bindableEniStatuses: ReadonlyArray<string> = ['InUse', 'Available']

/** A6e [choice, after the sibling cloud]: only a RUNNING or STOPPED instance. */
export const instanceStatusAllowsBinding: Rule = onInstance((i) =>
  bindableInstanceStatuses.includes(i.status)
    ? pass
    : fail('InvalidInstance.InvalidStatus', `instance ${i.id} is ${i.status}; it must be RUNNING or STOPPED`))

/** A6a: an ENI that belongs to another cloud service is not ours to bind. */
export const eniNotServiceManaged: Rule = onEni((n) =>
  n.serviceManaged
    ? fail('Forbidden.ServiceManagedEni', `ENI ${n.id} is service-managed`)
    : pass)

/** A6b, D5: only an ENI that is InUse or Available, not one on its way somewhere. */
export const eniStatusAllowsBinding: Rule = onEni((n) =>
  bindableEniStatuses.includes(n.status)
    ? pass
    : fail('InvalidEni.InvalidStatus', `ENI ${n.id} is ${n.status}; it must be InUse or Available`))

/** A6c: the ENI must be attached to an ECS instance. */
export const eniAttachedToEcs: Rule = onEni((n) =>
  n.status === 'InUse' && n.deviceId !== ''
    ? pass
    : fail('Forbidden.EniNotAttachedToEcs',
        n.deviceId === '' ? `ENI ${n.id} is attached to no instance` : `ENI ${n.id} is ${n.status}, not InUse`))
