import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { associateHaVip, loadSnapshot } from 'havip-rules'

const bind = (instanceId: string) => E.chainW((s: Parameters<typeof associateHaVip>[0]) =>
  associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId, instanceType: 'EcsInstance' }))

pipe(
  loadSnapshot({
    HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available' }],
    Instances: [
      { InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-a', Type: 'primary' }] },
      { InstanceId: 'i-2', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-b', Type: 'primary' }] },
    ],
  }),
  bind('i-1'), // same subnet as the HaVip: bound
  bind('i-2'), // another subnet: refused
  E.match(
    (e) => { console.log('id' in e ? `${e.id}: ${e.message} (${e.facts})` : e.message) },
    () => { console.log('both bound') },
  ),
)
// InvalidInstance.HaVipMismatch: The specified instance and HaVip are in different subnets. (HaVip havip-1 is in subnet-a; instance i-2 is in subnet-b)
