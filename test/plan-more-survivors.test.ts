import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanFinding, PlanReport, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * The plan check's answers to plans that `terraform show -json` does not write but the check
 * accepts (a change without `before` or `after_unknown`, module calls whose names hold dots,
 * replace halves in odd orders), to a volcengine_ha_vip's read-only bindings, and to ties in the
 * order of a volcenginecc_vpc_ha_vip's ids. Each was written against a mutant of src/plan that the
 * other plan tests let live.
 */

const instance = (id: string) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: 'subnet-a', Type: 'primary' }] })
const haVip = (id: string, ids: ReadonlyArray<string> = []) =>
  ({ HaVipId: id, SubnetId: 'subnet-a', Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: ids.length > 0 ? 'EcsInstance' : '', AssociatedInstanceIds: ids })

const account = (haVips: ReadonlyArray<ReturnType<typeof haVip>>): Snapshot => load({
  Region: 'cn-beijing',
  HaVips: haVips,
  Instances: ['i-1', 'i-2', 'i-3'].map(instance),
  NetworkInterfaces: [],
  Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 },
})

type Json = Record<string, unknown>

const reportOf = (s: Snapshot, p: unknown): PlanReport => {
  const checked = checkPlan(s, p)
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  return checked.right
}

/** A finding with each violation as `id: facts` and each unknown as `attribute: reason`; nothing else left out. */
const summary = (f: PlanFinding) => ({ ...f, violations: f.violations.map((v) => `${v.id}: ${v.facts}`), unknowns: f.unknowns.map((u) => `${u.attribute}: ${u.reason}`) })
const check = (s: Snapshot, p: unknown) => reportOf(s, p).findings.map(summary)

const A = 'volcengine_ha_vip_associate'
const CC = 'volcenginecc_vpc_ha_vip'

/** The plan's resource change at this index, to take keys out of. */
const changeAt = (p: Json, i: number): Json => ((p.resource_changes as ReadonlyArray<Json>)[i] as { change: Json }).change

describe('a change the plan writes without before or after_unknown', () => {
  it('a deleted association without before unbinds what is not set', () => {
    const p = plan([association('gone', ['delete'], undefined, { haVip: 'h1', instance: 'i-1' })])
    delete changeAt(p, 0).before
    expect(check(account([haVip('h1', ['i-1'])]), p)).toStrictEqual([
      { address: `${A}.gone`, action: 'DisassociateHaVip', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`ha_vip_id: ha_vip_id of ${A}.gone is not set`, `instance_id: instance_id of ${A}.gone is not set`] },
    ])
  })

  it('an updated volcenginecc_vpc_ha_vip without after_unknown binds and unbinds what its lists say', () => {
    const state = (ids: ReadonlyArray<string>) => ({ id: 'h1', ha_vip_id: 'h1', associated_instance_type: 'EcsInstance', associated_instance_ids: ids })
    const p = plan([{ type: CC, name: 'db', actions: ['update'], before: state(['i-1']), after: state(['i-2']) }])
    delete changeAt(p, 0).after_unknown
    expect(check(account([haVip('h1', ['i-1'])]), p).map((f) => [f.action, f.instanceId, f.verdict])).toStrictEqual([
      ['AssociateHaVip', 'i-2', 'pass'],
      ['DisassociateHaVip', 'i-1', 'pass'],
    ])
  })
})

describe('module calls whose names hold a dot (no module block is found through them)', () => {
  // The resource's module path reads as module.a.module.b; its block is under a root call named "a.module.b".
  const bindIn = (calls: Json): Json => {
    const p = plan([{
      type: A, name: 'bind', module: 'module.a.module.b', actions: ['create'],
      after: { ha_vip_id: 'h1', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
    }])
    const block = { address: `${A}.bind`, mode: 'managed', type: A, name: 'bind', expressions: { ha_vip_id: { constant_value: 'h1' }, instance_id: { references: ['var.target'] } } }
    return { ...p, configuration: { root_module: { module_calls: { 'a.module.b': { source: './b', expressions: { target: { constant_value: 'i-1' } }, module: { resources: [block] } }, ...calls } } } }
  }
  const address = `module.a.module.b.${A}.bind`
  const computed = [{ address, action: 'AssociateHaVip', haVipId: 'h1', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`instance_id: instance_id of ${address} is computed from var.target`] }]

  it('var. of a resource whose parent module has no block is computed from it', () => {
    expect(check(account([haVip('h1')]), bindIn({}))).toStrictEqual(computed)
  })

  it('var. of a resource whose parent module calls no modules is computed from it', () => {
    expect(check(account([haVip('h1')]), bindIn({ a: { source: './a', module: {} } }))).toStrictEqual(computed)
  })

  it('var. of a resource whose parent module does not call its module is computed from it', () => {
    expect(check(account([haVip('h1')]), bindIn({ a: { source: './a', module: { module_calls: {} } } }))).toStrictEqual(computed)
  })
})

describe('a volcengine_ha_vip', () => {
  it('changes no binding, whatever its read-only associated_instance_ids say', () => {
    const state = (ids: ReadonlyArray<string>) => ({ id: 'h1', subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ids })
    const renamed: ChangeSpec = { type: 'volcengine_ha_vip', name: 'main', actions: ['update'], before: state(['i-1']), after: state(['i-2']), afterUnknown: { associated_instance_ids: [false] } }
    expect(reportOf(account([haVip('h1', ['i-1'])]), plan([renamed]))).toMatchObject({ findings: [], ignored: [] })
  })
})

describe('a volcenginecc_vpc_ha_vip whose ids tie in their order', () => {
  // An id that is U+FFFF sorts where the ids known only after apply do: the tie keeps the list's order.
  const ids = (list: ReadonlyArray<string | null>): ChangeSpec => ({
    type: CC, name: 'db', actions: ['update'],
    before: { id: 'h1', ha_vip_id: 'h1', associated_instance_type: 'EcsInstance', associated_instance_ids: [] },
    after: { id: 'h1', ha_vip_id: 'h1', associated_instance_type: 'EcsInstance', associated_instance_ids: list },
    afterUnknown: { associated_instance_ids: list.map((id) => id === null) },
    expressions: { associated_instance_ids: { references: ['var.targets'] } },
  })
  const seen = (list: ReadonlyArray<string | null>) => check(account([haVip('h1')]), plan([ids(list)])).map((f) => [f.instanceId, f.verdict])

  it('a listed id and an id known only after apply come in the list\'s order', () => {
    expect(seen(['\uffff', null])).toStrictEqual([['\uffff', 'fail'], [undefined, 'unknown']])
    expect(seen([null, '\uffff'])).toStrictEqual([[undefined, 'unknown'], ['\uffff', 'fail']])
  })
})

describe('a delete-first replace beside other changes at its address', () => {
  const roomFor2 = (haVips: ReadonlyArray<ReturnType<typeof haVip>>): Snapshot => load({
    Region: 'cn-beijing', HaVips: haVips, Instances: ['i-1', 'i-2', 'i-3'].map(instance), NetworkInterfaces: [], Quotas: { InstancesPerHaVip: 2, HaVipsPerInstance: 5 },
  })

  it('a deposed object\'s delete at the address is not the replace\'s association: only that is taken back before the replace', () => {
    // h1 holds i-1; a_swap moves it to i-2 (delete first); b_new adds i-3, which fits beside one of them.
    const p = plan([
      association('a_swap', ['delete', 'create'], { haVip: 'h1', instance: 'i-2' }, { haVip: 'h1', instance: 'i-1' }),
      association('a_swap', ['delete'], undefined, { haVip: 'h9', instance: 'i-3' }),
      association('b_new', ['create'], { haVip: 'h1', instance: 'i-3' }),
    ])
    ;(p.resource_changes as Array<Json>)[1] = { ...(p.resource_changes as Array<Json>)[1], deposed: '00000001' }
    expect(check(roomFor2([haVip('h1', ['i-1']), haVip('h9', ['i-3'])]), p).map((f) => [f.address, f.action, f.haVipId, f.instanceId, f.verdict])).toStrictEqual([
      [`${A}.a_swap`, 'DisassociateHaVip', 'h1', 'i-1', 'pass'],
      [`${A}.a_swap`, 'DisassociateHaVip', 'h9', 'i-3', 'pass'],
      [`${A}.a_swap`, 'AssociateHaVip', 'h1', 'i-2', 'pass'],
      [`${A}.b_new`, 'AssociateHaVip', 'h1', 'i-3', 'pass'],
    ])
  })

  it('a plan that lists a replace at one address twice is checked: its association is taken back once', () => {
    const p = plan([
      association('a_swap', ['delete', 'create'], { haVip: 'h1', instance: 'i-2' }, { haVip: 'h1', instance: 'i-1' }),
      association('a_swap', ['delete', 'create'], { haVip: 'h1', instance: 'i-3' }, { haVip: 'h1', instance: 'i-1' }),
      association('b_back', ['create'], { haVip: 'h1', instance: 'i-1' }),
    ])
    // The second take-back finds nothing to unbind (the first took it): the engine's refusal keeps the world.
    expect(check(account([haVip('h1', ['i-1'])]), p).map((f) => [f.action, f.instanceId, f.verdict, ...f.violations])).toStrictEqual([
      ['DisassociateHaVip', 'i-1', 'pass'],
      ['DisassociateHaVip', 'i-1', 'fail', 'ResourceNotAssociated: HaVip h1 does not list instance i-1'],
      ['AssociateHaVip', 'i-2', 'pass'],
      ['AssociateHaVip', 'i-3', 'pass'],
      ['AssociateHaVip', 'i-1', 'fail', `Forbidden.InstanceAlreadyAssociated: HaVip h1 already lists instance i-1 (when it is applied before the delete half of ${A}.a_swap and ${A}.a_swap, as Terraform may apply it)`],
    ])
  })
})

describe('which bindings keep an ENI of a HaVip known only after apply from taking a HaVip first', () => {
  const s = load({
    Region: 'cn-beijing', HaVips: [haVip('havip-1'), haVip('havip-2')], Instances: ['i-1', 'i-2', 'i-3'].map(instance),
    NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: 'i-1', ServiceManaged: false }],
    Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 },
  })
  /** Binds eni-1 to a HaVip known only after apply. */
  const eniTo = (name: string): ChangeSpec => ({
    type: A, name, actions: ['create'], after: { instance_id: 'eni-1', instance_type: 'NetworkInterface' }, afterUnknown: { id: true, ha_vip_id: true },
    expressions: { ha_vip_id: { references: ['var.vip'] }, instance_id: { constant_value: 'eni-1' } },
  })

  it('not an association of unknown outcome: if c\'s HaVip is havip-2 and c goes first, d and f are both refused (unknown, was pass)', () => {
    const c = eniTo('c')
    const why = `${A}.c: ${A}.c binds a NetworkInterface to a HaVip known only after apply: if it is havip-2, the HaVip holds another type`
    expect(check(s, plan([c, association('d', ['create'], { haVip: 'havip-2', instance: 'i-1' }), association('f', ['create'], { haVip: 'havip-2', instance: 'i-3' })]))).toStrictEqual([
      { address: `${A}.c`, action: 'AssociateHaVip', instanceId: 'eni-1', instanceType: 'NetworkInterface', verdict: 'unknown', violations: [], unknowns: [`ha_vip_id: ha_vip_id of ${A}.c is computed from var.vip`] },
      { address: `${A}.d`, action: 'AssociateHaVip', haVipId: 'havip-2', instanceId: 'i-1', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [why] },
      { address: `${A}.f`, action: 'AssociateHaVip', haVipId: 'havip-2', instanceId: 'i-3', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [why] },
    ])
  })

  it('an association sure to be made: once a (pass) binds havip-2, b\'s ENI cannot take it, and c passes', () => {
    expect(check(s, plan([association('a', ['create'], { haVip: 'havip-2', instance: 'i-2' }), eniTo('b'), association('c', ['create'], { haVip: 'havip-2', instance: 'i-3' })])).map((f) => [f.address, f.verdict])).toStrictEqual([
      [`${A}.a`, 'pass'],
      [`${A}.b`, 'unknown'],
      [`${A}.c`, 'pass'],
    ])
  })

  it('not a binding that a disassociation of unknown outcome may remove first: f is unknown', () => {
    // h1 holds i-1. a_move's delete half names h1 but not its target; b_move's unbinds i-1 from h1, maybe after a_move took it.
    const held = load({
      Region: 'cn-beijing', HaVips: [haVip('havip-1'), haVip('h1', ['i-1'])], Instances: ['i-1', 'i-2', 'i-3'].map(instance),
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: 'i-1', ServiceManaged: false }],
      Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 },
    })
    const aMove: ChangeSpec = { ...association('a_move', ['delete', 'create'], { haVip: 'havip-1', instance: 'i-2' }, { haVip: 'h1', instance: 'i-1' }), before: { ha_vip_id: 'h1' } }
    const bMove = association('b_move', ['delete', 'create'], { haVip: 'havip-1', instance: 'i-3' }, { haVip: 'h1', instance: 'i-1' })
    expect(check(held, plan([aMove, bMove, eniTo('c'), association('f', ['create'], { haVip: 'h1', instance: 'i-3' })])).map((f) => [f.address, f.action, f.verdict, ...f.unknowns])).toStrictEqual([
      [`${A}.a_move`, 'DisassociateHaVip', 'unknown', `instance_id: instance_id of ${A}.a_move is not set`],
      [`${A}.a_move`, 'AssociateHaVip', 'pass'],
      [`${A}.b_move`, 'DisassociateHaVip', 'unknown', `${A}.a_move: ${A}.a_move unbinds a target of HaVip h1 known only after apply: it may be this one`],
      [`${A}.b_move`, 'AssociateHaVip', 'pass'],
      [`${A}.c`, 'AssociateHaVip', 'unknown', `ha_vip_id: ha_vip_id of ${A}.c is computed from var.vip`],
      [`${A}.f`, 'AssociateHaVip', 'unknown', `${A}.c: ${A}.c binds a NetworkInterface to a HaVip known only after apply: if it is h1, the HaVip holds another type`],
    ])
  })
})
