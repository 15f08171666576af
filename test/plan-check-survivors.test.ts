import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanFinding, PlanReport, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * The plan check's answers pinned exactly (verdict, ids, every violation's facts, every unknown's
 * attribute and reason) where the changes a plan makes are read (associations that change nothing,
 * volcenginecc_vpc_ha_vip bindings and their order, what is ignored), where unknown and certain
 * changes meet (subnets and ENIs known only after apply, changes of unknown outcome before a
 * certain one), and where a delete-first replace meets an association. Each was written against a
 * mutant of src/plan that the other plan tests let live.
 */

const instance = (id: string, subnet = 'subnet-a') => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: subnet, Type: 'primary' }] })
const haVip = (id: string, ids: ReadonlyArray<string> = [], type = 'EcsInstance', subnet = 'subnet-a') =>
  ({ HaVipId: id, SubnetId: subnet, Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: ids.length > 0 ? type : '', AssociatedInstanceIds: ids })
const eni = (id: string, device: string, status = 'InUse') => ({ NetworkInterfaceId: id, SubnetId: 'subnet-a', Status: status, Type: 'secondary', DeviceId: device, ServiceManaged: false })

const account = (haVips: ReadonlyArray<ReturnType<typeof haVip>>, quotas: { InstancesPerHaVip: number; HaVipsPerInstance: number }, enis = [eni('eni-1', 'i-1')]): Snapshot => load({
  Region: 'cn-beijing',
  HaVips: haVips,
  Instances: ['i-1', 'i-2', 'i-3', 'i-4', 'x-9'].map((id) => instance(id)),
  NetworkInterfaces: enis,
  Quotas: quotas,
})

const roomy = { InstancesPerHaVip: 5, HaVipsPerInstance: 5 }

const report = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>): PlanReport => {
  const checked = checkPlan(s, plan(changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  return checked.right
}

/** A finding with each violation as `id: facts` and each unknown as `attribute: reason`; nothing else left out. */
const summary = (f: PlanFinding) => ({ ...f, violations: f.violations.map((v) => `${v.id}: ${v.facts}`), unknowns: f.unknowns.map((u) => `${u.attribute}: ${u.reason}`) })
const check = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>) => report(s, changes).findings.map(summary)

/** What a finding says beyond its verdict. */
const pass = { violations: [], unknowns: [] } as const

const cc = (name: string, actions: ReadonlyArray<string>, before: Readonly<Record<string, unknown>> | null, after: Readonly<Record<string, unknown>> | null, afterUnknown: Readonly<Record<string, unknown>> = {}, expressions: Readonly<Record<string, unknown>> = {}): ChangeSpec =>
  ({ type: 'volcenginecc_vpc_ha_vip', name, actions, before, after, afterUnknown, expressions })

const fromPool = (what: string) => ({ references: [`data.volcengine_${what}.pool.${what}`, `data.volcengine_${what}.pool`] })

/** A resource the plan creates whose subnet is read from a data source, or not set at all. */
const created = (type: 'volcengine_ecs_instance' | 'volcengine_ha_vip' | 'volcengine_network_interface', name: string, subnet: 'pool' | 'unset'): ChangeSpec => ({
  type, name, actions: ['create'], after: {}, afterUnknown: subnet === 'pool' ? { id: true, subnet_id: true } : { id: true },
  expressions: subnet === 'pool' ? { subnet_id: fromPool('subnets') } : {},
})

/** An association of known or planned values; `type` absent leaves instance_type out of the plan (the provider's default). */
const bind = (name: string, values: { haVip: string | { planned: string }; instance: string | { planned: string }; type?: string }): ChangeSpec => {
  const expression = (v: string | { planned: string }) => (typeof v === 'string' ? { constant_value: v } : { references: [`${v.planned}.id`, v.planned] })
  return {
    type: 'volcengine_ha_vip_associate', name, actions: ['create'],
    after: { ...(values.type === undefined ? {} : { instance_type: values.type }), ...(typeof values.haVip === 'string' ? { ha_vip_id: values.haVip } : {}), ...(typeof values.instance === 'string' ? { instance_id: values.instance } : {}) },
    afterUnknown: { id: true, ...(typeof values.haVip === 'string' ? {} : { ha_vip_id: true }), ...(typeof values.instance === 'string' ? {} : { instance_id: true }) },
    expressions: { ha_vip_id: expression(values.haVip), instance_id: expression(values.instance) },
  }
}

/** An association whose target is read from a data source at apply time. */
const anyTarget = (name: string, haVipId: string, type = 'EcsInstance'): ChangeSpec => ({
  type: 'volcengine_ha_vip_associate', name, actions: ['create'], after: { ha_vip_id: haVipId, instance_type: type }, afterUnknown: { id: true, instance_id: true },
  expressions: { ha_vip_id: { constant_value: haVipId }, instance_id: fromPool('ecs_instances') },
})

const A = 'volcengine_ha_vip_associate'
const CC = 'volcenginecc_vpc_ha_vip'

describe('which changes a plan makes', () => {
  it('an association without instance_type binds an EcsInstance, created or deleted', () => {
    const s = account([haVip('h1', ['i-1'])], roomy)
    const gone: ChangeSpec = { ...association('a_gone', ['delete'], undefined, { haVip: 'h1', instance: 'i-1' }), before: { id: 'h1:i-1', ha_vip_id: 'h1', instance_id: 'i-1' } }
    expect(check(s, [gone, bind('b_new', { haVip: 'h1', instance: 'i-2' })])).toStrictEqual([
      { address: `${A}.a_gone`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'i-1', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${A}.b_new`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
    ])
  })

  it('an association or a volcenginecc_vpc_ha_vip that is kept, updated in place, read or deleted without bindings makes no binding change', () => {
    const s = account([haVip('h1', ['i-2'])], roomy)
    const kept = { ha_vip_id: 'h1', instance_id: 'i-2', instance_type: 'EcsInstance' }
    const held = { id: 'h1', ha_vip_id: 'h1', subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ['i-2'] }
    const r = report(s, [
      { type: A, name: 'a_kept', actions: ['no-op'], before: kept, after: kept },
      { type: A, name: 'b_updated', actions: ['update'], before: kept, after: kept },
      cc('c_kept', ['no-op'], held, held),
      cc('d_gone', ['delete'], held, null),
    ])
    expect([r.findings, r.summary]).toStrictEqual([[], { pass: 0, fail: 0, unknown: 0 }])
  })

  it('lists what it ignores: resources of other types, each once; data sources and resources it reads are not listed', () => {
    const s = account([haVip('h1')], roomy)
    const r = report(s, [
      { type: 'volcengine_vpc', name: 'main', actions: ['create'], after: {} },
      { type: 'volcengine_ha_vips', name: 'pool', mode: 'data', actions: ['read'], after: {} },
      { type: 'volcengine_ha_vip', name: 'kept', actions: ['no-op'], before: { id: 'h1', subnet_id: 'subnet-a' }, after: { id: 'h1', subnet_id: 'subnet-a' } },
      bind('b_new', { haVip: 'h1', instance: 'i-2', type: 'EcsInstance' }),
    ])
    expect(r.ignored).toStrictEqual([{ address: 'volcengine_vpc.main', type: 'volcengine_vpc' }])
    expect(r.findings.map((f) => f.verdict)).toStrictEqual(['pass'])
  })

  it('an instance type that is neither EcsInstance nor NetworkInterface fails as malformed', () => {
    const s = account([haVip('h1')], roomy)
    expect(check(s, [bind('b_odd', { haVip: 'h1', instance: 'i-2', type: 'Bogus' })])).toStrictEqual([
      { address: `${A}.b_odd`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'Bogus', verdict: 'fail', violations: ['InvalidInstanceType.Malformed: instance type "Bogus" is neither EcsInstance nor NetworkInterface'], unknowns: [] },
    ])
  })

  it('an id that refers to an association the plan creates names no ENI: it is not found', () => {
    const s = account([haVip('h1'), haVip('h2')], roomy)
    expect(check(s, [bind('a_first', { haVip: 'h1', instance: 'i-2', type: 'EcsInstance' }), bind('b_odd', { haVip: 'h2', instance: { planned: `${A}.a_first` }, type: 'NetworkInterface' })]).map((f) => [f.verdict, f.instanceId, f.violations])).toStrictEqual([
      ['pass', 'i-2', []],
      ['fail', `${A}.a_first`, [`InvalidEniId.NotFound: no network interface ${A}.a_first in the snapshot`]],
    ])
  })

  it('a HaVip whose id is "undefined" is an ordinary id: not there, it is not found', () => {
    const s = account([haVip('h1')], roomy)
    expect(check(s, [bind('b_odd', { haVip: 'undefined', instance: 'i-2', type: 'EcsInstance' })]).map((f) => [f.verdict, f.violations.map((v) => v.split(':')[0])])).toStrictEqual([['fail', ['InvalidHaVip.NotFound']]])
  })
})

describe('a volcenginecc_vpc_ha_vip: its HaVip id, its bindings and their order', () => {
  const state = (ids: ReadonlyArray<unknown>, extra: Readonly<Record<string, unknown>> = { id: 'h1', ha_vip_id: 'h1' }, type = 'EcsInstance') =>
    ({ ...extra, subnet_id: 'subnet-a', associated_instance_type: type, associated_instance_ids: ids })
  const update = (name: string, before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>, flags: ReadonlyArray<boolean> = []) =>
    cc(name, ['update'], before, after, { associated_instance_ids: flags }, { associated_instance_ids: { constant_value: after.associated_instance_ids ?? null } })

  it('reads the HaVip id from ha_vip_id, else from id (the second unbinding of i-2 from h1 fails), and says when neither is set', () => {
    const s = account([haVip('h1', ['i-2'])], roomy)
    const unbindI2 = (name: string, extra: Readonly<Record<string, unknown>>) => update(name, state(['i-2'], extra), state([], extra))
    expect(check(s, [unbindI2('a_vip', { ha_vip_id: 'h1' }), unbindI2('b_id', { id: 'h1' }), unbindI2('c_none', {})])).toStrictEqual([
      { address: `${CC}.a_vip`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.b_id`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'fail', violations: ['ResourceNotAssociated: HaVip h1 does not list instance i-2'], unknowns: [] },
      { address: `${CC}.c_none`, action: 'DisassociateHaVip', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`ha_vip_id: neither ha_vip_id nor id of ${CC}.c_none is set in the plan's before (the HaVip's id is read from ha_vip_id, else id)`] },
    ])
  })

  it('a before or an after without associated_instance_ids lists nothing', () => {
    const s = account([haVip('h1', ['i-2'])], roomy)
    const noIds = { id: 'h1', ha_vip_id: 'h1', subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance' }
    expect(check(s, [update('a_add', noIds, state(['i-3'])), update('b_drop', state(['i-2']), noIds)])).toStrictEqual([
      { address: `${CC}.a_add`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'i-3', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.b_drop`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
    ])
  })

  it('binds in the order of the ids and unbinds in the order of the ids, whatever order the lists have', () => {
    const s = account([haVip('h1', ['i-4', 'i-2', 'i-3'])], roomy)
    expect(check(s, [update('a_swap', state(['i-4', 'i-2', 'i-3']), state(['x-9', 'i-1']))]).map((f) => [f.action, f.instanceId, f.verdict])).toStrictEqual([
      ['AssociateHaVip', 'i-1', 'pass'],
      ['AssociateHaVip', 'x-9', 'pass'],
      ['DisassociateHaVip', 'i-2', 'pass'],
      ['DisassociateHaVip', 'i-3', 'pass'],
      ['DisassociateHaVip', 'i-4', 'pass'],
    ])
    const many = ['i-4', 'x-9', 'i-2', 'i-1', 'i-3']
    expect(check(account([haVip('h1')], roomy), [update('a_add', state([]), state(many))]).map((f) => f.instanceId)).toStrictEqual(['i-1', 'i-2', 'i-3', 'i-4', 'x-9'])
    expect(check(account([haVip('h1', many)], roomy), [update('a_drop', state(many), state([]))]).map((f) => f.instanceId)).toStrictEqual(['i-1', 'i-2', 'i-3', 'i-4', 'x-9'])
  })

  it('an id that is not a string is no binding: in before it is not unbound; null in after, not flagged unknown, is not bound', () => {
    const s = account([haVip('h1', ['i-2'])], roomy)
    expect(check(s, [update('a_odd', state(['i-2', 7]), state([])), update('b_null', state([]), state([null]), [false])])).toStrictEqual([
      { address: `${CC}.a_odd`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
    ])
  })

  it('unbinds the old targets as the type before had: NetworkInterface, when after binds EcsInstance', () => {
    const s = account([haVip('h1', ['eni-1'], 'NetworkInterface')], roomy)
    expect(check(s, [update('a_retype', state(['eni-1'], undefined, 'NetworkInterface'), state(['i-2']))])).toStrictEqual([
      { address: `${CC}.a_retype`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'fail', violations: ['Forbidden.MixedInstanceTypes: HaVip h1 is bound to NetworkInterface targets; the request binds an EcsInstance'], unknowns: [] },
      { address: `${CC}.a_retype`, action: 'DisassociateHaVip', haVipId: 'h1', instanceId: 'eni-1', instanceType: 'NetworkInterface', verdict: 'pass', ...pass },
    ])
  })

  it('created with associated_instance_ids known only after apply: one association of an unknown target; not configured: none', () => {
    const s = account([], roomy)
    const computed = (expressions: Readonly<Record<string, unknown>>) =>
      cc('db', ['create'], null, { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance' }, { id: true, associated_instance_ids: true }, { subnet_id: { constant_value: 'subnet-a' }, ...expressions })
    expect(check(s, [computed({ associated_instance_ids: fromPool('ecs_instances') })])).toStrictEqual([
      { address: `${CC}.db`, action: 'AssociateHaVip', haVipId: `${CC}.db`, instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`associated_instance_ids: associated_instance_ids of ${CC}.db is known only after apply`] },
    ])
    expect(check(s, [computed({})])).toStrictEqual([])
  })

  it('created with known ids, ids of a planned instance and ids read at apply time: the known and planned by id, the unknown last', () => {
    const s = account([], roomy)
    const app: ChangeSpec = { type: 'volcengine_ecs_instance', name: 'app', actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true }, expressions: { subnet_id: { constant_value: 'subnet-a' } } }
    const withIds = (name: string, ids: ReadonlyArray<string | null>, references: ReadonlyArray<string>): ChangeSpec =>
      cc(name, ['create'], null, { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ids }, { id: true, associated_instance_ids: ids.map((id) => id === null) }, { subnet_id: { constant_value: 'subnet-a' }, associated_instance_ids: { references } })
    const reason = `associated_instance_ids: associated_instance_ids of ${CC}.b_pool is read from data.volcengine_ecs_instances.pool at apply time`
    const pool: ChangeSpec = { type: 'volcengine_ecs_instances', name: 'pool', mode: 'data', actions: ['read'], after: {}, afterUnknown: { instances: true } }
    expect(check(s, [app, pool, withIds('a_app', [null, 'x-9', 'i-2'], ['volcengine_ecs_instance.app.id', 'volcengine_ecs_instance.app']), withIds('b_pool', [null, 'i-2'], ['data.volcengine_ecs_instances.pool.instances', 'data.volcengine_ecs_instances.pool'])])).toStrictEqual([
      { address: `${CC}.a_app`, action: 'AssociateHaVip', haVipId: `${CC}.a_app`, instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.a_app`, action: 'AssociateHaVip', haVipId: `${CC}.a_app`, instanceId: 'volcengine_ecs_instance.app', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.a_app`, action: 'AssociateHaVip', haVipId: `${CC}.a_app`, instanceId: 'x-9', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.b_pool`, action: 'AssociateHaVip', haVipId: `${CC}.b_pool`, instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'pass', ...pass },
      { address: `${CC}.b_pool`, action: 'AssociateHaVip', haVipId: `${CC}.b_pool`, instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [reason] },
    ])
  })
})

describe('values known only after apply: subnets, attachments, malformed and missing values', () => {
  it('a binding between resources the plan creates in subnets read at apply time, or not set, is unknown, naming the HaVip subnet first', () => {
    const s = account([haVip('h1')], roomy)
    expect(check(s, [
      created('volcengine_ha_vip', 'vip', 'pool'), created('volcengine_ecs_instance', 'web', 'unset'),
      bind('a_new', { haVip: { planned: 'volcengine_ha_vip.vip' }, instance: { planned: 'volcengine_ecs_instance.web' } }),
      bind('b_old', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } }),
    ])).toStrictEqual([
      { address: `${A}.a_new`, action: 'AssociateHaVip', haVipId: 'volcengine_ha_vip.vip', instanceId: 'volcengine_ecs_instance.web', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: ['subnet_id: subnet_id of volcengine_ha_vip.vip depends on data.volcengine_subnets.pool'] },
      { address: `${A}.b_old`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'volcengine_ecs_instance.web', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: ['subnet_id: subnet_id of volcengine_ecs_instance.web is not set'] },
    ])
  })

  it('an ENI the plan creates in a subnet read at apply time: its binding is unknown, and may fill the HaVip for a later one', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 1, HaVipsPerInstance: 5 })
    const attach: ChangeSpec = {
      type: 'volcengine_network_interface_attach', name: 'nic', actions: ['create'], after: { instance_id: 'i-3' }, afterUnknown: { id: true, network_interface_id: true },
      expressions: { network_interface_id: { references: ['volcengine_network_interface.nic.id', 'volcengine_network_interface.nic'] }, instance_id: { constant_value: 'i-3' } },
    }
    expect(check(s, [
      created('volcengine_network_interface', 'nic', 'pool'), attach,
      bind('a_new', { haVip: 'h1', instance: { planned: 'volcengine_network_interface.nic' }, type: 'NetworkInterface' }),
      bind('b_sure', { haVip: 'h1', instance: 'eni-1', type: 'NetworkInterface' }),
    ])).toStrictEqual([
      { address: `${A}.a_new`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'volcengine_network_interface.nic', instanceType: 'NetworkInterface', verdict: 'unknown', violations: [], unknowns: ['subnet_id: subnet_id of volcengine_network_interface.nic depends on data.volcengine_subnets.pool'] },
      { address: `${A}.b_sure`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'eni-1', instanceType: 'NetworkInterface', verdict: 'unknown', violations: [], unknowns: [`order: may be refused (LimitExceeded.InstancesPerHaVip) after changes whose outcome is known only after apply: ${A}.a_new`] },
    ])
  })

  it('an attachment of an ENI known only after apply makes an ENI status unknown, but no other failure', () => {
    const s = account([haVip('h1')], roomy, [eni('eni-1', 'i-1'), eni('eni-7', 'i-2', 'Attaching')])
    const attach: ChangeSpec = {
      type: 'volcengine_network_interface_attach', name: 'a1', actions: ['create'], after: { instance_id: 'i-3' }, afterUnknown: { id: true, network_interface_id: true },
      expressions: { network_interface_id: fromPool('network_interfaces') },
    }
    const why = 'network_interface_id: volcengine_network_interface_attach.a1 attaches or detaches an ENI known only after apply: it may be this one'
    expect(check(s, [attach, bind('b_eni', { haVip: 'h1', instance: 'eni-7', type: 'NetworkInterface' }), bind('c_gone', { haVip: 'h1', instance: 'eni-9', type: 'NetworkInterface' })])).toStrictEqual([
      { address: `${A}.b_eni`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'eni-7', instanceType: 'NetworkInterface', verdict: 'unknown', violations: [], unknowns: [why, why] },
      { address: `${A}.c_gone`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'eni-9', instanceType: 'NetworkInterface', verdict: 'fail', violations: ['InvalidEniId.NotFound: no network interface eni-9 in the snapshot'], unknowns: [] },
    ])
  })

  it('a value the plan does not set at all is unknown, saying so', () => {
    const s = account([haVip('h1', ['i-1'])], roomy)
    const noTarget: ChangeSpec = { ...association('a_gone', ['delete'], undefined, { haVip: 'h1', instance: 'i-1' }), before: { id: 'x', ha_vip_id: 'h1', instance_type: 'EcsInstance' } }
    const noHaVip: ChangeSpec = { ...bind('b_new', { haVip: 'h1', instance: 'i-2', type: 'EcsInstance' }), after: { instance_id: 'i-2', instance_type: 'EcsInstance' } }
    expect(check(s, [noTarget, noHaVip])).toStrictEqual([
      { address: `${A}.a_gone`, action: 'DisassociateHaVip', haVipId: 'h1', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`instance_id: instance_id of ${A}.a_gone is not set`] },
      { address: `${A}.b_new`, action: 'AssociateHaVip', instanceId: 'i-2', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [`ha_vip_id: ha_vip_id of ${A}.b_new is not set`] },
    ])
  })

  it('a failure is listed with no unknowns even when a value is unknown; an instance type known only after apply is left out', () => {
    const s = account([haVip('h1', ['eni-1'], 'NetworkInterface')], roomy)
    const typeless: ChangeSpec = { ...bind('b_typeless', { haVip: 'h2', instance: 'i-3' }), afterUnknown: { id: true, instance_type: true }, expressions: { instance_type: { references: ['var.kind'] } } }
    expect(check(s, [anyTarget('a_any', 'h1'), typeless])).toStrictEqual([
      { address: `${A}.a_any`, action: 'AssociateHaVip', haVipId: 'h1', instanceType: 'EcsInstance', verdict: 'fail', violations: ['Forbidden.MixedInstanceTypes: HaVip h1 is bound to NetworkInterface targets; the request binds an EcsInstance'], unknowns: [] },
      { address: `${A}.b_typeless`, action: 'AssociateHaVip', haVipId: 'h2', instanceId: 'i-3', verdict: 'fail', violations: ['InvalidHaVip.NotFound: no HaVip h2 in the snapshot'], unknowns: [] },
    ])
  })
})

describe('changes of unknown outcome before a certain one', () => {
  it('a failed change of an unknown target is not applied in either world: a later binding of another HaVip passes', () => {
    const s = account([haVip('h1', ['eni-1'], 'NetworkInterface'), haVip('h2')], { InstancesPerHaVip: 5, HaVipsPerInstance: 1 })
    expect(check(s, [anyTarget('a_any', 'h1'), bind('b_sure', { haVip: 'h2', instance: 'i-2', type: 'EcsInstance' })]).map((f) => [f.verdict, f.unknowns])).toStrictEqual([['fail', []], ['pass', []]])
  })

  it('an unknown target of each of two HaVips fills both in the world with most bindings, each with its own stand-in', () => {
    const s = account([haVip('h1'), haVip('h2')], { InstancesPerHaVip: 1, HaVipsPerInstance: 1 })
    const found = check(s, [anyTarget('a1', 'h1'), anyTarget('a2', 'h2'), bind('b_sure', { haVip: 'h2', instance: 'i-3', type: 'EcsInstance' })])
    expect(found[2]).toStrictEqual({
      address: `${A}.b_sure`, action: 'AssociateHaVip', haVipId: 'h2', instanceId: 'i-3', instanceType: 'EcsInstance', verdict: 'unknown', violations: [], unknowns: [
        `order: may be refused (LimitExceeded.InstancesPerHaVip) after changes whose outcome is known only after apply: ${A}.a1 and ${A}.a2`,
        `${A}.a2: ${A}.a2 binds a target known only after apply to HaVip h2: it may be this one`,
        `${A}.a1: ${A}.a1 binds a target known only after apply: if it is i-3, i-3 reaches HaVipsPerInstance`,
        `${A}.a2: ${A}.a2 binds a target known only after apply: if it is i-3, i-3 reaches HaVipsPerInstance`,
      ],
    })
  })

  it('may be refused for every rule the world with most bindings breaks, named in order', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 1, HaVipsPerInstance: 5 })
    expect(check(s, [anyTarget('a_any', 'h1'), bind('b_eni', { haVip: 'h1', instance: 'eni-1', type: 'NetworkInterface' })])[1]?.unknowns).toStrictEqual([
      `order: may be refused (Forbidden.MixedInstanceTypes, LimitExceeded.InstancesPerHaVip) after changes whose outcome is known only after apply: ${A}.a_any`,
    ])
  })

  it('an association refused one way is not made in the world with most bindings: a later delete of that binding fails', () => {
    const s = account([haVip('h1', ['i-1'])], { InstancesPerHaVip: 2, HaVipsPerInstance: 5 })
    const undo = association('c_undo', ['delete'], undefined, { haVip: 'h1', instance: 'i-2' })
    expect(check(s, [anyTarget('a_any', 'h1'), bind('b_new', { haVip: 'h1', instance: 'i-2', type: 'EcsInstance' }), undo]).map((f) => [f.address, f.verdict, f.violations])).toStrictEqual([
      [`${A}.a_any`, 'unknown', []],
      [`${A}.b_new`, 'unknown', []],
      [`${A}.c_undo`, 'fail', ['ResourceNotAssociated: HaVip h1 does not list instance i-2']],
    ])
  })
})

describe('an association before the delete half of delete-first replaces', () => {
  const replace = (name: string, from: { haVip: string; instance: string; type?: string }, to: { haVip: string; instance: string; type?: string }) => association(name, ['delete', 'create'], to, from)

  it('meets the old bindings of every replace on its HaVip', () => {
    const s = account([haVip('h1', ['i-1', 'i-2']), haVip('h2')], { InstancesPerHaVip: 2, HaVipsPerInstance: 5 })
    expect(check(s, [replace('r1', { haVip: 'h1', instance: 'i-1' }, { haVip: 'h2', instance: 'i-1' }), replace('r2', { haVip: 'h1', instance: 'i-2' }, { haVip: 'h2', instance: 'i-2' }), bind('z_new', { haVip: 'h1', instance: 'i-3', type: 'EcsInstance' })]).at(-1)).toStrictEqual({
      address: `${A}.z_new`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'i-3', instanceType: 'EcsInstance', verdict: 'fail', unknowns: [],
      violations: [`LimitExceeded.InstancesPerHaVip: HaVip h1 is bound to 2 targets; InstancesPerHaVip is 2 (when it is applied before the delete half of ${A}.r1 and ${A}.r2, as Terraform may apply it)`],
    })
  })

  it('meets the old binding of a replace of its target when those of its HaVip leave room', () => {
    const s = account([haVip('h1', ['i-1']), haVip('h2', ['i-3'])], { InstancesPerHaVip: 5, HaVipsPerInstance: 1 })
    expect(check(s, [replace('r1', { haVip: 'h1', instance: 'i-1' }, { haVip: 'h2', instance: 'i-1' }), replace('r2', { haVip: 'h2', instance: 'i-3' }, { haVip: 'h2', instance: 'i-4' }), bind('z_new', { haVip: 'h1', instance: 'i-3', type: 'EcsInstance' })]).at(-1)?.violations).toStrictEqual([
      `LimitExceeded.HaVipsPerInstance: instance i-3 is bound to 1 HaVips; HaVipsPerInstance is 1 (when it is applied before the delete half of ${A}.r2, as Terraform may apply it)`,
    ])
  })

  it('a replace whose new binding the world with fewest bindings refused is not taken back', () => {
    const s = account([haVip('h1', ['i-1', 'i-2'])], { InstancesPerHaVip: 2, HaVipsPerInstance: 5 })
    expect(check(s, [replace('r1', { haVip: 'h1', instance: 'i-1' }, { haVip: 'h1', instance: 'i-2' }), bind('z_new', { haVip: 'h1', instance: 'i-3', type: 'EcsInstance' })]).map((f) => [f.action, f.verdict, f.violations])).toStrictEqual([
      ['DisassociateHaVip', 'pass', []],
      ['AssociateHaVip', 'fail', ['Forbidden.InstanceAlreadyAssociated: HaVip h1 already lists instance i-2']],
      ['AssociateHaVip', 'fail', [`LimitExceeded.InstancesPerHaVip: HaVip h1 is bound to 2 targets; InstancesPerHaVip is 2 (when it is applied before the delete half of ${A}.r1, as Terraform may apply it)`]],
    ])
  })

  it('an association that rests on a subnet known only after apply still meets them: a refusal there is a failure, whatever the subnet', () => {
    const s = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 1, HaVipsPerInstance: 5 })
    expect(check(s, [replace('r1', { haVip: 'h1', instance: 'i-1' }, { haVip: 'h2', instance: 'i-1' }), created('volcengine_ecs_instance', 'web', 'pool'), bind('z_web', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } })]).at(-1)).toStrictEqual({
      address: `${A}.z_web`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'volcengine_ecs_instance.web', instanceType: 'EcsInstance', verdict: 'fail', unknowns: [],
      violations: [`LimitExceeded.InstancesPerHaVip: HaVip h1 is bound to 1 targets; InstancesPerHaVip is 1 (when it is applied before the delete half of ${A}.r1, as Terraform may apply it)`],
    })
  })

  it('a replace whose old binding the account does not hold (a HaVip, a target or a type it does not have) restores nothing', () => {
    const s = account([haVip('h1', ['eni-1'], 'NetworkInterface'), haVip('h2'), haVip('h3')], roomy, [eni('eni-1', 'i-1'), eni('eni-2', 'i-2')])
    const findings = check(s, [
      replace('r1', { haVip: 'h1', instance: 'i-1' }, { haVip: 'h2', instance: 'i-1' }),
      replace('r2', { haVip: 'h9', instance: 'i-2' }, { haVip: 'h2', instance: 'i-2' }),
      replace('r3', { haVip: 'h2', instance: 'i-8' }, { haVip: 'h2', instance: 'i-3' }),
      bind('z_eni', { haVip: 'h1', instance: 'eni-2', type: 'NetworkInterface' }),
      bind('z_i2', { haVip: 'h3', instance: 'i-2', type: 'EcsInstance' }),
      bind('z_i4', { haVip: 'h2', instance: 'i-4', type: 'EcsInstance' }),
    ])
    expect(findings.map((f) => [f.address.replace(`${A}.`, ''), f.action, f.verdict, f.violations.map((v) => v.split(':')[0])])).toStrictEqual([
      ['r1', 'DisassociateHaVip', 'fail', ['ResourceNotAssociated']],
      ['r1', 'AssociateHaVip', 'pass', []],
      ['r2', 'DisassociateHaVip', 'fail', ['InvalidHaVip.NotFound']],
      ['r2', 'AssociateHaVip', 'pass', []],
      ['r3', 'DisassociateHaVip', 'fail', ['InvalidInstance.NotFound']],
      ['r3', 'AssociateHaVip', 'pass', []],
      ['z_eni', 'AssociateHaVip', 'pass', []],
      ['z_i2', 'AssociateHaVip', 'pass', []],
      ['z_i4', 'AssociateHaVip', 'pass', []],
    ])
  })
})

describe('an ENI the plan attaches to an instance known only after apply', () => {
  const attach = (name: string, eniId: string, instanceId: 'pool' | 'unset'): ChangeSpec => ({
    type: 'volcengine_network_interface_attach', name, actions: ['create'], after: { network_interface_id: eniId },
    afterUnknown: instanceId === 'pool' ? { id: true, instance_id: true } : { id: true },
    expressions: { network_interface_id: { constant_value: eniId }, ...(instanceId === 'pool' ? { instance_id: fromPool('ecs_instances') } : {}) },
  })
  const enis = [eni('eni-1', 'i-1'), eni('eni-2', '', 'Available')]

  it('may be on the instance of an ENI the HaVip holds: its binding is unknown, not a pass (Forbidden.TwoEnisOfOneInstance)', () => {
    const s = account([haVip('h1', ['eni-1'], 'NetworkInterface')], roomy, enis)
    expect(check(s, [attach('a1', 'eni-2', 'pool'), bind('b_eni', { haVip: 'h1', instance: 'eni-2', type: 'NetworkInterface' })])).toStrictEqual([
      { address: `${A}.b_eni`, action: 'AssociateHaVip', haVipId: 'h1', instanceId: 'eni-2', instanceType: 'NetworkInterface', verdict: 'unknown', violations: [], unknowns: ['instance_id: instance_id of volcengine_network_interface_attach.a1 depends on data.volcengine_ecs_instances.pool'] },
    ])
  })

  it('held by the HaVip, it may be on the instance of the ENI bound next; attached to an instance not set, it says so', () => {
    const s = account([haVip('h1', ['eni-2'], 'NetworkInterface')], roomy, [eni('eni-1', 'i-1'), eni('eni-2', 'i-2')])
    expect(check(s, [attach('a1', 'eni-2', 'unset'), bind('b_eni', { haVip: 'h1', instance: 'eni-1', type: 'NetworkInterface' })]).map((f) => [f.verdict, f.unknowns])).toStrictEqual([
      ['unknown', ['instance_id: instance_id of volcengine_network_interface_attach.a1 is not set']],
    ])
  })

  it('bound to a HaVip that holds no other ENI, it passes', () => {
    const s = account([haVip('h1', ['eni-2'], 'NetworkInterface'), haVip('h2')], roomy, enis)
    expect(check(s, [attach('a1', 'eni-2', 'pool'), bind('b_eni', { haVip: 'h2', instance: 'eni-2', type: 'NetworkInterface' })]).map((f) => f.verdict)).toStrictEqual(['pass'])
  })
})
