import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { associateHaVip, loadSnapshot, type Snapshot } from 'havip-rules'

const vm = (InstanceId: string, SubnetId: string) => ({ InstanceId, Status: 'RUNNING', NetworkInterfaces: [{ SubnetId, Type: 'primary' }] })
const bind = (instanceId: string) => E.chainW((s: Snapshot) =>
  associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId, instanceType: 'EcsInstance' }))

pipe(
  loadSnapshot({ HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available' }], Instances: [vm('i-1', 'subnet-a'), vm('i-2', 'subnet-b')] }),
  bind('i-1'), // same subnet as the HaVip: bound
  bind('i-2'), // another subnet: refused
  E.match((e) => { console.log('id' in e ? `${e.id}: ${e.facts}` : e.message) }, () => { console.log('both bound') }),
)
// InvalidInstance.HaVipMismatch: HaVip havip-1 is in subnet-a; instance i-2 is in subnet-b
