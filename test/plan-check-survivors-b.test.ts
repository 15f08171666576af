import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanFinding, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * The plan check's answers pinned where the surviving mutants of src/plan/check.ts (second pass)
 * could change them: the doubt an ENI attached to an instance known only after apply casts on a
 * HaVip's other ENIs, the world with fewest bindings after such an association, replaces and
 * disassociations whose old binding the plan leaves partly unsaid, a target whose id is the text
 * `undefined`, and one resource's changes listed by their place.
 */

const A = 'volcengine_ha_vip_associate'
const ATTACH = 'volcengine_network_interface_attach'
const pool = (what: string) => ({ references: [`data.volcengine_${what}.pool.${what}`, `data.volcengine_${what}.pool`] })

const vm = (id: string) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: 'subnet-a', Type: 'primary' }] })
const nic = (id: string, device: string) =>
  ({ NetworkInterfaceId: id, SubnetId: 'subnet-a', Status: device === '' ? 'Available' : 'InUse', Type: 'secondary', DeviceId: device, ServiceManaged: false })
const vip = (id: string, ids: ReadonlyArray<string>, type = 'EcsInstance') =>
  ({ HaVipId: id, SubnetId: 'subnet-a', Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: ids.length > 0 ? type : '', AssociatedInstanceIds: ids })

/** An account of instances i-1 … i-4, the given HaVips and ENIs. */
const accountOf = (haVips: ReadonlyArray<ReturnType<typeof vip>>, enis: ReadonlyArray<ReturnType<typeof nic>>, quotas = { InstancesPerHaVip: 5, HaVipsPerInstance: 5 }, instances = ['i-1', 'i-2', 'i-3', 'i-4']): Snapshot =>
  load({ Region: 'cn-beijing', HaVips: haVips, Instances: instances.map(vm), NetworkInterfaces: enis, Quotas: quotas })

/** The findings, each as its address (without the associate type), action, verdict, violations as `id: facts`, unknowns as `attribute: reason`. */
const findingsOf = (s: Snapshot, p: unknown) => {
  const checked = checkPlan(s, p)
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  return checked.right.findings.map((f: PlanFinding) => [
    f.address.replace(`${A}.`, ''), f.action, f.instanceId, f.verdict, f.violations.map((v) => `${v.id}: ${v.facts}`), f.unknowns.map((u) => `${u.attribute}: ${u.reason}`),
  ])
}
const check = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>) => findingsOf(s, plan(changes))

/** An attachment of an ENI to an instance, each an id or `pool` (read from a data source at apply time). */
const attach = (name: string, eni: string, instance: string): ChangeSpec => ({
  type: ATTACH, name, actions: ['create'],
  after: { ...(eni === 'pool' ? {} : { network_interface_id: eni }), ...(instance === 'pool' ? {} : { instance_id: instance }) },
  afterUnknown: { id: true, ...(eni === 'pool' ? { network_interface_id: true } : {}), ...(instance === 'pool' ? { instance_id: true } : {}) },
  expressions: { network_interface_id: eni === 'pool' ? pool('network_interfaces') : { constant_value: eni }, instance_id: instance === 'pool' ? pool('ecs_instances') : { constant_value: instance } },
})
const detach = (name: string, eni: string, instance: string): ChangeSpec => ({ type: ATTACH, name, actions: ['delete'], before: { id: `${eni}:${instance}`, network_interface_id: eni, instance_id: instance } })
const bindEni = (name: string, haVip: string, eni: string) => association(name, ['create'], { haVip, instance: eni, type: 'NetworkInterface' })
/** A delete of an association whose prior state holds only these attributes. */
const deleteOf = (name: string, before: Readonly<Record<string, string>>): ChangeSpec => ({ type: A, name, actions: ['delete'], before: { id: `${name}-id`, ...before }, after: null })
/** A delete-first replace whose old binding holds only these attributes. */
const replaceOf = (name: string, before: Readonly<Record<string, string>>, after: { haVip: string; instance: string }): ChangeSpec =>
  ({ ...association(name, ['delete', 'create'], after), before: { id: `${name}-id`, ...before } })

const eniUnknown = `instance_id: instance_id of ${ATTACH}.a1 depends on data.volcengine_ecs_instances.pool`

describe('an ENI bound to a HaVip that holds another ENI, one of them on an instance known only after apply', () => {
  it('with an instance type known only after apply, only the type is unknown', () => {
    const s = accountOf([vip('h1', ['eni-1'], 'NetworkInterface')], [nic('eni-1', 'i-1'), nic('eni-2', '')])
    const typeless: ChangeSpec = { ...bindEni('b_eni', 'h1', 'eni-2'), after: { ha_vip_id: 'h1', instance_id: 'eni-2' }, afterUnknown: { id: true, instance_type: true }, expressions: { instance_type: { references: ['var.kind'] } } }
    expect(check(s, [attach('a1', 'eni-2', 'pool'), typeless])).toStrictEqual([
      ['b_eni', 'AssociateHaVip', 'eni-2', 'unknown', [], ['instance_type: instance_type of volcengine_ha_vip_associate.b_eni is computed from var.kind']],
    ])
  })
})

describe('an ENI bound to a HaVip, the HaVip or the ENI not in the account', () => {
  it('fails for the missing one, whatever the other holds', () => {
    const s = accountOf([vip('h1', ['eni-1'], 'NetworkInterface')], [nic('eni-1', 'i-1'), nic('eni-2', 'i-2')])
    expect(check(s, [bindEni('a_gone', 'h9', 'eni-2'), bindEni('b_gone', 'h1', 'eni-9')])).toStrictEqual([
      ['a_gone', 'AssociateHaVip', 'eni-2', 'fail', ['InvalidHaVip.NotFound: no HaVip h9 in the snapshot'], []],
      ['b_gone', 'AssociateHaVip', 'eni-9', 'fail', ['InvalidEniId.NotFound: no network interface eni-9 in the snapshot'], []],
    ])
  })
})

describe('an ENI bound to a HaVip whose other ENI the plan attaches to an instance known only after apply', () => {
  it('the bound ENI attached to no instance: only the attachment of an unknown ENI makes it unknown', () => {
    const s = accountOf([vip('h1', ['eni-1'], 'NetworkInterface')], [nic('eni-1', 'i-1'), nic('eni-2', '')])
    expect(check(s, [attach('a1', 'eni-1', 'pool'), attach('a2', 'pool', 'i-3'), bindEni('b_eni', 'h1', 'eni-2')])).toStrictEqual([
      ['b_eni', 'AssociateHaVip', 'eni-2', 'unknown', [], [`network_interface_id: ${ATTACH}.a2 attaches or detaches an ENI known only after apply: it may be this one`]],
    ])
  })
})

describe('an ENI the plan attaches to an instance known only after apply, bound to a HaVip', () => {
  it('whose other ENI the plan detaches: it passes', () => {
    const s = accountOf([vip('h1', ['eni-1'], 'NetworkInterface')], [nic('eni-1', 'i-1'), nic('eni-2', '')])
    expect(check(s, [detach('d1', 'eni-1', 'i-1'), attach('a1', 'eni-2', 'pool'), bindEni('b_eni', 'h1', 'eni-2')])).toStrictEqual([['b_eni', 'AssociateHaVip', 'eni-2', 'pass', [], []]])
  })

  it('whose other ENI is on a known instance: unknown, and not made in the world with fewest bindings', () => {
    const s = accountOf([vip('h1', ['eni-1'], 'NetworkInterface')], [nic('eni-1', 'i-1'), nic('eni-2', ''), nic('eni-3', 'i-3')], { InstancesPerHaVip: 2, HaVipsPerInstance: 5 })
    expect(check(s, [attach('a1', 'eni-2', 'pool'), bindEni('b_eni', 'h1', 'eni-2'), bindEni('c_eni', 'h1', 'eni-3')])).toStrictEqual([
      ['b_eni', 'AssociateHaVip', 'eni-2', 'unknown', [], [eniUnknown]],
      ['c_eni', 'AssociateHaVip', 'eni-3', 'unknown', [], [`order: may be refused (LimitExceeded.InstancesPerHaVip) after changes whose outcome is known only after apply: ${A}.b_eni`]],
    ])
  })
})

describe('replaces whose old binding the plan leaves partly unsaid', () => {
  it('are not among the replaces an association on the same HaVip may run before', () => {
    const s = accountOf([vip('h1', ['i-1']), vip('h2', []), vip('h3', []), vip('h4', [])], [], { InstancesPerHaVip: 1, HaVipsPerInstance: 5 })
    expect(check(s, [
      association('r1', ['delete', 'create'], { haVip: 'h2', instance: 'i-1' }, { haVip: 'h1', instance: 'i-1' }),
      replaceOf('r_notarget', { ha_vip_id: 'h1', instance_type: 'EcsInstance' }, { haVip: 'h3', instance: 'i-2' }),
      replaceOf('r_badtype', { ha_vip_id: 'h1', instance_id: 'i-2', instance_type: 'Foo' }, { haVip: 'h4', instance: 'i-4' }),
      association('z_new', ['create'], { haVip: 'h1', instance: 'i-3' }),
    ])).toStrictEqual([
      ['r1', 'DisassociateHaVip', 'i-1', 'pass', [], []],
      ['r1', 'AssociateHaVip', 'i-1', 'pass', [], []],
      ['r_badtype', 'DisassociateHaVip', 'i-2', 'fail', ['InvalidInstanceType.Malformed: instance type "Foo" is neither EcsInstance nor NetworkInterface'], []],
      ['r_badtype', 'AssociateHaVip', 'i-4', 'pass', [], []],
      ['r_notarget', 'DisassociateHaVip', undefined, 'unknown', [], [`instance_id: instance_id of ${A}.r_notarget is not set`]],
      ['r_notarget', 'AssociateHaVip', 'i-2', 'pass', [], []],
      ['z_new', 'AssociateHaVip', 'i-3', 'fail', [`LimitExceeded.InstancesPerHaVip: HaVip h1 is bound to 1 targets; InstancesPerHaVip is 1 (when it is applied before the delete half of ${A}.r1, as Terraform may apply it)`], []],
    ])
  })

  it('are not among the replaces an association of the same target may run before', () => {
    const s = accountOf([vip('h1', ['i-1']), vip('h2', ['i-3']), vip('h3', [])], [], { InstancesPerHaVip: 5, HaVipsPerInstance: 1 })
    expect(check(s, [
      association('r2', ['delete', 'create'], { haVip: 'h2', instance: 'i-4' }, { haVip: 'h2', instance: 'i-3' }),
      replaceOf('r_nohavip', { instance_id: 'i-3', instance_type: 'EcsInstance' }, { haVip: 'h3', instance: 'i-2' }),
      association('z_new', ['create'], { haVip: 'h1', instance: 'i-3' }),
    ])).toStrictEqual([
      ['r2', 'DisassociateHaVip', 'i-3', 'pass', [], []],
      ['r2', 'AssociateHaVip', 'i-4', 'pass', [], []],
      ['r_nohavip', 'DisassociateHaVip', 'i-3', 'unknown', [], [`ha_vip_id: ha_vip_id of ${A}.r_nohavip is not set`]],
      ['r_nohavip', 'AssociateHaVip', 'i-2', 'pass', [], []],
      ['z_new', 'AssociateHaVip', 'i-3', 'fail', [`LimitExceeded.HaVipsPerInstance: instance i-3 is bound to 1 HaVips; HaVipsPerInstance is 1 (when it is applied before the delete half of ${A}.r2, as Terraform may apply it)`], []],
    ])
  })
})

describe('a disassociation the world with fewest bindings has already made', () => {
  it('is unknown, not failed, even next to a replace on its HaVip', () => {
    const s = accountOf([vip('h1', ['i-1', 'i-2']), vip('h2', [])], [])
    const anyMayBe = `${A}.a_any: ${A}.a_any unbinds a target of HaVip h1 known only after apply: it may be this one`
    expect(check(s, [
      deleteOf('a_any', { ha_vip_id: 'h1', instance_type: 'EcsInstance' }),
      deleteOf('b_one', { ha_vip_id: 'h1', instance_id: 'i-1', instance_type: 'EcsInstance' }),
      deleteOf('c_two', { ha_vip_id: 'h1', instance_id: 'i-1', instance_type: 'EcsInstance' }),
      association('r_move', ['delete', 'create'], { haVip: 'h2', instance: 'i-2' }, { haVip: 'h1', instance: 'i-2' }),
    ])).toStrictEqual([
      ['a_any', 'DisassociateHaVip', undefined, 'unknown', [], [`instance_id: instance_id of ${A}.a_any is not set`]],
      ['b_one', 'DisassociateHaVip', 'i-1', 'unknown', [], [anyMayBe]],
      ['c_two', 'DisassociateHaVip', 'i-1', 'unknown', [], [`order: may be refused (ResourceNotAssociated) after changes whose outcome is known only after apply: ${A}.a_any and ${A}.b_one`, anyMayBe]],
      ['r_move', 'DisassociateHaVip', 'i-2', 'pass', [], []],
      ['r_move', 'AssociateHaVip', 'i-2', 'pass', [], []],
    ])
  })
})

describe('a target whose id is the text "undefined"', () => {
  it('is not the target of a disassociation whose HaVip and target the plan does not set', () => {
    const s = accountOf([vip('h1', ['undefined'])], [], undefined, ['i-1', 'undefined'])
    expect(check(s, [
      deleteOf('a_unset', { instance_type: 'EcsInstance' }),
      deleteOf('b_one', { ha_vip_id: 'h1', instance_id: 'undefined', instance_type: 'EcsInstance' }),
    ])).toStrictEqual([
      ['a_unset', 'DisassociateHaVip', undefined, 'unknown', [], [`ha_vip_id: ha_vip_id of ${A}.a_unset is not set`, `instance_id: instance_id of ${A}.a_unset is not set`]],
      ['b_one', 'DisassociateHaVip', 'undefined', 'pass', [], []],
    ])
  })
})

describe('one resource in two entries of the plan (a deposed object)', () => {
  it('its changes are listed by their place in their entry', () => {
    const s = accountOf([vip('h1', ['i-1', 'i-3'])], [])
    const p = plan([
      association('x', ['create', 'delete'], { haVip: 'h1', instance: 'i-2' }, { haVip: 'h1', instance: 'i-1' }),
      association('x', ['delete'], undefined, { haVip: 'h1', instance: 'i-3' }),
    ])
    const changes = p.resource_changes as Array<Record<string, unknown>>
    changes[1] = { ...changes[1], deposed: '00000001' }
    expect(findingsOf(s, p)).toStrictEqual([
      ['x', 'AssociateHaVip', 'i-2', 'pass', [], []],
      ['x', 'DisassociateHaVip', 'i-3', 'pass', [], []],
      ['x', 'DisassociateHaVip', 'i-1', 'pass', [], []],
    ])
  })
})

describe('ids that begin like the values the check makes up for what the plan leaves unknown', () => {
  const NUL = '\u0000'
  const subnetOf = (type: 'volcengine_ecs_instance' | 'volcengine_ha_vip', name: string): ChangeSpec =>
    ({ type, name, actions: ['create'], after: {}, afterUnknown: { id: true, subnet_id: true }, expressions: { subnet_id: pool('subnets') } })
  /** A binding of a known target to the HaVip the plan creates. */
  const toVip = (name: string, instance: string, type = 'EcsInstance'): ChangeSpec => ({
    type: A, name, actions: ['create'], after: { instance_id: instance, instance_type: type }, afterUnknown: { id: true, ha_vip_id: true },
    expressions: { ha_vip_id: { references: ['volcengine_ha_vip.vip.id', 'volcengine_ha_vip.vip'] }, instance_id: { constant_value: instance } },
  })
  const vipIn = (id: string, subnet: string, ids: ReadonlyArray<string> = [], type = 'EcsInstance') => ({ ...vip(id, ids, type), SubnetId: subnet })
  const load2 = (haVips: ReadonlyArray<unknown>, instances: ReadonlyArray<unknown>, enis: ReadonlyArray<unknown>) =>
    load({ Region: 'cn-beijing', HaVips: haVips, Instances: instances, NetworkInterfaces: enis, Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 } })
  const vmIn = (id: string, subnet: string) => ({ ...vm(id), NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: subnet, Type: 'primary' }] })
  const fromPool = (what: string) => `subnet_id: subnet_id of ${what} depends on data.volcengine_subnets.pool`

  // A marker's text with one NUL or two, with none, and with an `undefined` prefix: none is the subnet.
  it.each([`${NUL}unknown 0`, `${NUL}${NUL}unknown 0`, 'unknown 0', 'undefinedunknown 0'])('a HaVip subnet %j: an instance created in a subnet known only after apply is not taken to be in it', (subnet) => {
    const s = load2([vipIn('h1', subnet)], [vm('i-1')], [])
    const bindWeb: ChangeSpec = {
      type: A, name: 'b_web', actions: ['create'], after: { ha_vip_id: 'h1', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
      expressions: { ha_vip_id: { constant_value: 'h1' }, instance_id: { references: ['volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web'] } },
    }
    expect(check(s, [subnetOf('volcengine_ecs_instance', 'web'), bindWeb])).toStrictEqual([
      ['b_web', 'AssociateHaVip', 'volcengine_ecs_instance.web', 'unknown', [], [fromPool('volcengine_ecs_instance.web')]],
    ])
  })

  it('an instance or ENI subnet: a HaVip created in a subnet known only after apply is not taken to be in it', () => {
    const vipPlan = [subnetOf('volcengine_ha_vip', 'vip'), toVip('b_vm', 'i-9'), toVip('c_eni', 'eni-9', 'NetworkInterface')]
    const unknown = ['unknown', [], [fromPool('volcengine_ha_vip.vip')]]
    const inInstance = load2([], [vm('i-1'), vmIn('i-9', `${NUL}unknown 0`)], [nic('eni-9', 'i-1')])
    expect(check(inInstance, vipPlan).map((f) => f.slice(3))[0]).toStrictEqual(unknown)
    const inEni = load2([], [vm('i-1'), vm('i-9')], [{ ...nic('eni-9', 'i-1'), SubnetId: `${NUL}unknown 0` }])
    expect(check(inEni, vipPlan).map((f) => f.slice(3))[1]).toStrictEqual(unknown)
  })

  it('an ENI device: an ENI attached to an instance known only after apply is not taken to be on it', () => {
    const s = load2([vipIn('h1', 'subnet-a', ['eni-1'], 'NetworkInterface')], [vm('i-1')], [nic('eni-1', `${NUL}unknown 0`), nic('eni-2', '')])
    expect(check(s, [attach('a1', 'eni-2', 'pool'), bindEni('b_eni', 'h1', 'eni-2')])).toStrictEqual([
      ['b_eni', 'AssociateHaVip', 'eni-2', 'unknown', [], [eniUnknown]],
    ])
  })

  it('an instance or ENI id: the stand-in for a target known only after apply does not replace it', () => {
    const anyTarget = (name: string, haVip: string, type: string): ChangeSpec => ({
      type: A, name, actions: ['create'], after: { ha_vip_id: haVip, instance_type: type }, afterUnknown: { id: true, instance_id: true },
      expressions: { ha_vip_id: { constant_value: haVip }, instance_id: pool('ecs_instances') },
    })
    const standIn = (address: string) => `${NUL}target 0 of ${A}.${address}`
    const vips = [vipIn('h1', 'subnet-a'), vipIn('h2', 'subnet-b')]
    const instanceOne = load2(vips, [vm('i-1'), vmIn(standIn('a_any'), 'subnet-b')], [])
    expect(check(instanceOne, [anyTarget('a_any', 'h1', 'EcsInstance'), association('b_vm', ['create'], { haVip: 'h2', instance: standIn('a_any') })]).map((f) => f[3])).toStrictEqual(['unknown', 'pass'])
    const eniOne = load2(vips, [vm('i-1')], [{ ...nic(standIn('a_any'), 'i-1'), SubnetId: 'subnet-b' }])
    expect(check(eniOne, [anyTarget('a_any', 'h1', 'NetworkInterface'), bindEni('b_eni', 'h2', standIn('a_any'))]).map((f) => f[3])).toStrictEqual(['unknown', 'pass'])
  })
  it('a subnet or an instance the plan names: a made-up value does not equal it', () => {
    const s = load2([vipIn('h1', 'subnet-a', ['eni-1'], 'NetworkInterface')], [vm('i-1')], [nic('eni-1', 'i-1'), nic('eni-2', '')])
    const web: ChangeSpec = { type: 'volcengine_ecs_instance', name: 'web', actions: ['create'], after: { subnet_id: `${NUL}unknown 0` }, afterUnknown: { id: true }, expressions: { subnet_id: { constant_value: `${NUL}unknown 0` } } }
    const bindWeb: ChangeSpec = {
      type: A, name: 'b_web', actions: ['create'], after: { instance_type: 'EcsInstance' }, afterUnknown: { id: true, ha_vip_id: true, instance_id: true },
      expressions: { ha_vip_id: { references: ['volcengine_ha_vip.vip.id', 'volcengine_ha_vip.vip'] }, instance_id: { references: ['volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web'] } },
    }
    expect(check(s, [subnetOf('volcengine_ha_vip', 'vip'), web, bindWeb]).map((f) => f.slice(3))).toStrictEqual([['unknown', [], [fromPool('volcengine_ha_vip.vip')]]])
    expect(check(s, [attach('a1', 'eni-2', 'pool'), attach('a2', 'eni-1', `${NUL}unknown 0`), bindEni('b_eni', 'h1', 'eni-2')]).map((f) => f.slice(3))).toStrictEqual([['unknown', [], [eniUnknown]]])
  })
})
