import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanFinding, PlanReport, Snapshot } from 'havip-rules'
import { checkPlan, configAddress, withLocations, withWaivers } from 'havip-rules'
import { baselineOf } from '../src/plan/waivers.js'
import type { Expected } from './support/plan-samples.js'
import { asExpected, comparable, fixtures, account as sampleAccount, samples } from './support/plan-samples.js'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * The plan check in the test process (the mutation set `plan` sees it): the sample plans, and
 * named examples where unknown and certain changes meet: which world a verdict is read from, resources the
 * plan creates in a subnet read at apply time, limits against changes of unknown outcome, a
 * volcenginecc_vpc_ha_vip whose bindings change type, references to counted resources, and the
 * configuration addresses of counted resources in counted modules.
 */

const instance = (id: string, subnet = 'subnet-a') => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: subnet, Type: 'primary' }] })
const haVip = (id: string, ids: ReadonlyArray<string> = [], type = 'EcsInstance', subnet = 'subnet-a') =>
  ({ HaVipId: id, SubnetId: subnet, Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: ids.length > 0 ? type : '', AssociatedInstanceIds: ids })

const account = (haVips: ReadonlyArray<ReturnType<typeof haVip>>, quotas: { InstancesPerHaVip: number; HaVipsPerInstance: number }): Snapshot => load({
  Region: 'cn-beijing',
  HaVips: haVips,
  Instances: ['i-1', 'i-2', 'i-3', 'i-4'].map((id) => instance(id)),
  NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: 'i-1', ServiceManaged: false }],
  Quotas: quotas,
})

const report = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>): PlanReport => {
  const checked = checkPlan(s, plan(changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  return checked.right
}

const verdicts = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>) =>
  report(s, changes).findings.map((f) => [f.address.replace('volcengine_ha_vip_associate.', ''), f.action, f.verdict, f.violations.map((v) => v.id)])

const finding = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>, address: string, action = 'AssociateHaVip'): PlanFinding => {
  const f = report(s, changes).findings.find((x) => x.address === address && x.action === action)
  if (f === undefined) throw new Error(`no finding for ${address}`)
  return f
}

/** An association whose attributes are read from data sources at apply time (the others known). */
const fromData = (name: string, known: { haVip?: string; instance?: string; type?: string }): ChangeSpec => ({
  type: 'volcengine_ha_vip_associate', name, actions: ['create'],
  after: { instance_type: known.type ?? 'EcsInstance', ...(known.haVip === undefined ? {} : { ha_vip_id: known.haVip }), ...(known.instance === undefined ? {} : { instance_id: known.instance }) },
  afterUnknown: { id: true, ...(known.haVip === undefined ? { ha_vip_id: true } : {}), ...(known.instance === undefined ? { instance_id: true } : {}) },
  expressions: {
    ha_vip_id: known.haVip === undefined ? { references: ['data.volcengine_ha_vips.pool.ha_vips', 'data.volcengine_ha_vips.pool'] } : { constant_value: known.haVip },
    instance_id: known.instance === undefined ? { references: ['data.volcengine_ecs_instances.pool.instances', 'data.volcengine_ecs_instances.pool'] } : { constant_value: known.instance },
  },
})

/** A resource the plan creates whose subnet is read from a data source at apply time. */
const createdInUnknownSubnet = (type: 'volcengine_ecs_instance' | 'volcengine_ha_vip', name: string): ChangeSpec => ({
  type, name, actions: ['create'], after: {}, afterUnknown: { id: true, subnet_id: true },
  expressions: { subnet_id: { references: ['data.volcengine_subnets.pool.subnets', 'data.volcengine_subnets.pool'] } },
})

/** An association with a planned resource's id as one of its values. */
const toPlanned = (name: string, values: { haVip: string | { planned: string }; instance: string | { planned: string } }): ChangeSpec => {
  const expression = (v: string | { planned: string }) => (typeof v === 'string' ? { constant_value: v } : { references: [`${v.planned}.id`, v.planned] })
  return {
    type: 'volcengine_ha_vip_associate', name, actions: ['create'],
    after: { instance_type: 'EcsInstance', ...(typeof values.haVip === 'string' ? { ha_vip_id: values.haVip } : {}), ...(typeof values.instance === 'string' ? { instance_id: values.instance } : {}) },
    afterUnknown: { id: true, ...(typeof values.haVip === 'string' ? {} : { ha_vip_id: true }), ...(typeof values.instance === 'string' ? {} : { instance_id: true }) },
    expressions: { ha_vip_id: expression(values.haVip), instance_id: expression(values.instance) },
  }
}

describe('which world a verdict is read from: the one most favourable to the change, then the other', () => {
  it('an association after one of unknown target that may fill the HaVip is unknown: refused one way, accepted the other', () => {
    const s = account([haVip('h1', ['i-1'])], { InstancesPerHaVip: 2, HaVipsPerInstance: 2 })
    expect(verdicts(s, [fromData('a_any', { haVip: 'h1' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })])).toEqual([
      ['a_any', 'AssociateHaVip', 'unknown', []],
      ['b_sure', 'AssociateHaVip', 'unknown', []],
    ])
    // The same association with the unknown one after it: nothing before it is in doubt.
    expect(verdicts(s, [fromData('z_any', { haVip: 'h1' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })])[0]).toEqual(['b_sure', 'AssociateHaVip', 'pass', []])
  })

  it('an association refused in the world with fewest bindings fails, whatever the changes of unknown outcome do', () => {
    const s = account([haVip('h1', ['i-1', 'i-2'])], { InstancesPerHaVip: 2, HaVipsPerInstance: 2 })
    const f = finding(s, [fromData('a_any', { haVip: 'h1' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-3' })], 'volcengine_ha_vip_associate.b_sure')
    expect([f.verdict, f.violations.map((v) => v.id)]).toEqual(['fail', ['LimitExceeded.InstancesPerHaVip']])
  })

  it('a disassociation refused in the world with most bindings fails', () => {
    const s = account([haVip('h1', ['i-1'])], { InstancesPerHaVip: 3, HaVipsPerInstance: 2 })
    const f = finding(s, [fromData('a_any', { haVip: 'h1' }), association('b_undo', ['delete'], undefined, { haVip: 'h1', instance: 'i-4' })], 'volcengine_ha_vip_associate.b_undo', 'DisassociateHaVip')
    expect(f.verdict).toBe('fail')
  })
})

describe('changes of unknown outcome: both values read at apply time', () => {
  it('an association of unknown HaVip and unknown target may be this very binding: the one after it is unknown', () => {
    const s = account([haVip('h1'), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 2 })
    const changes = [fromData('a_any', {}), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })]
    const f = finding(s, changes, 'volcengine_ha_vip_associate.b_sure')
    expect(f.verdict).toBe('unknown')
    expect(f.unknowns.map((u) => u.reason)).toContain('volcengine_ha_vip_associate.a_any binds a target known only after apply to a HaVip known only after apply: it may bind i-2 to h1')
    // Of the other type it cannot be this binding (and h1 holds ECS instances: it cannot take an ENI).
    const typed = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 2 })
    expect(verdicts(typed, [fromData('a_any', { type: 'NetworkInterface' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })])[1]).toEqual(['b_sure', 'AssociateHaVip', 'pass', []])
  })
})

describe('resources the plan creates in a subnet read at apply time', () => {
  it('an association to a created instance whose subnet is read from a data source is unknown, naming the subnet', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 2, HaVipsPerInstance: 2 })
    const f = finding(s, [createdInUnknownSubnet('volcengine_ecs_instance', 'web'), toPlanned('bind', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } })], 'volcengine_ha_vip_associate.bind')
    expect([f.verdict, f.instanceId, f.unknowns]).toEqual(['unknown', 'volcengine_ecs_instance.web', [{ attribute: 'subnet_id', reason: 'subnet_id of volcengine_ecs_instance.web depends on data.volcengine_subnets.pool' }]])
  })

  it('that association may fill the HaVip: a later association to it is unknown, not a pass', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 1, HaVipsPerInstance: 2 })
    expect(verdicts(s, [createdInUnknownSubnet('volcengine_ecs_instance', 'web'), toPlanned('a_new', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })])).toEqual([
      ['a_new', 'AssociateHaVip', 'unknown', []],
      ['b_sure', 'AssociateHaVip', 'unknown', []],
    ])
  })

  it('an association to a created HaVip in a subnet read at apply time may use up the target: a later binding of it is unknown', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 2, HaVipsPerInstance: 1 })
    expect(verdicts(s, [createdInUnknownSubnet('volcengine_ha_vip', 'vip'), toPlanned('a_new', { haVip: { planned: 'volcengine_ha_vip.vip' }, instance: 'i-2' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })])).toEqual([
      ['a_new', 'AssociateHaVip', 'unknown', []],
      ['b_sure', 'AssociateHaVip', 'unknown', []],
    ])
  })

  it('a failure that does not depend on the subnet is still a failure', () => {
    const s = account([haVip('h1', ['i-1'])], { InstancesPerHaVip: 1, HaVipsPerInstance: 2 })
    const f = finding(s, [createdInUnknownSubnet('volcengine_ecs_instance', 'web'), toPlanned('bind', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } })], 'volcengine_ha_vip_associate.bind')
    expect([f.verdict, f.violations.map((v) => v.id)]).toEqual(['fail', ['LimitExceeded.InstancesPerHaVip']])
  })

  it('a created instance in a known subnet is judged exactly: another subnet is a mismatch, the same one passes', () => {
    const s = account([haVip('h1'), haVip('h2', [], 'EcsInstance', 'subnet-b')], { InstancesPerHaVip: 2, HaVipsPerInstance: 2 })
    const web: ChangeSpec = { type: 'volcengine_ecs_instance', name: 'web', actions: ['create'], after: { subnet_id: 'subnet-b' }, afterUnknown: { id: true }, expressions: { subnet_id: { constant_value: 'subnet-b' } } }
    expect(verdicts(s, [web, toPlanned('a', { haVip: 'h1', instance: { planned: 'volcengine_ecs_instance.web' } }), toPlanned('b', { haVip: 'h2', instance: { planned: 'volcengine_ecs_instance.web' } })])).toEqual([
      ['a', 'AssociateHaVip', 'fail', ['InvalidInstance.HaVipMismatch']],
      ['b', 'AssociateHaVip', 'pass', []],
    ])
  })
})

describe('limits against changes of unknown outcome, at their edge', () => {
  it('HaVipsPerInstance: the target one short of its limit with one unknown target before it is unknown; two short, it passes', () => {
    const oneShort = account([haVip('h1'), haVip('h2'), haVip('h3', ['i-2'])], { InstancesPerHaVip: 3, HaVipsPerInstance: 2 })
    const changes = [fromData('a_any', { haVip: 'h2' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })]
    const f = finding(oneShort, changes, 'volcengine_ha_vip_associate.b_sure')
    expect(f.verdict).toBe('unknown')
    expect(f.unknowns.map((u) => u.reason)).toContain('volcengine_ha_vip_associate.a_any binds a target known only after apply: if it is i-2, i-2 reaches HaVipsPerInstance')
    const twoShort = account([haVip('h1'), haVip('h2'), haVip('h3')], { InstancesPerHaVip: 3, HaVipsPerInstance: 2 })
    expect(finding(twoShort, changes, 'volcengine_ha_vip_associate.b_sure').verdict).toBe('pass')
  })

  it('InstancesPerHaVip: the HaVip one short of its limit with one unknown HaVip before it is unknown; two short, it passes', () => {
    const changes = [fromData('a_any', { instance: 'i-3' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })]
    const oneShort = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 2, HaVipsPerInstance: 3 })
    const f = finding(oneShort, changes, 'volcengine_ha_vip_associate.b_sure')
    expect(f.verdict).toBe('unknown')
    expect(f.unknowns.map((u) => u.reason)).toContain('volcengine_ha_vip_associate.a_any binds to a HaVip known only after apply: if it is h1, it reaches InstancesPerHaVip')
    const twoShort = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    expect(finding(twoShort, changes, 'volcengine_ha_vip_associate.b_sure').verdict).toBe('pass')
  })

  it('a HaVip of no type yet after an unknown HaVip binding the other type is unknown; one that holds a type already is not', () => {
    const changes = [fromData('a_any', { instance: 'eni-1', type: 'NetworkInterface' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })]
    const free = account([haVip('h1'), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    const f = finding(free, changes, 'volcengine_ha_vip_associate.b_sure')
    expect(f.verdict).toBe('unknown')
    expect(f.unknowns.map((u) => u.reason)).toContain('volcengine_ha_vip_associate.a_any binds a NetworkInterface to a HaVip known only after apply: if it is h1, the HaVip holds another type')
    expect(f.unknowns.map((u) => u.reason)).not.toContain('volcengine_ha_vip_associate.a_any binds eni-1 to a HaVip known only after apply: it may be h1')
    const typed = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    expect(finding(typed, changes, 'volcengine_ha_vip_associate.b_sure').verdict).toBe('pass')
    // And the other way round: an ENI after an unknown HaVip binding an ECS instance.
    const eniAfter = finding(free, [fromData('a_any', { instance: 'i-3' }), association('b_eni', ['create'], { haVip: 'h1', instance: 'eni-1', type: 'NetworkInterface' })], 'volcengine_ha_vip_associate.b_eni')
    expect(eniAfter.unknowns.map((u) => u.reason)).toEqual(['volcengine_ha_vip_associate.a_any binds a EcsInstance to a HaVip known only after apply: if it is h1, the HaVip holds another type'])
  })

  it('the same target bound to a HaVip read at apply time may be this binding', () => {
    const s = account([haVip('h1'), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    const f = finding(s, [fromData('a_any', { instance: 'i-2' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })], 'volcengine_ha_vip_associate.b_sure')
    expect(f.unknowns.map((u) => u.reason)).toEqual(['volcengine_ha_vip_associate.a_any binds i-2 to a HaVip known only after apply: it may be h1'])
    // Another target: nothing in doubt.
    expect(finding(s, [fromData('a_any', { instance: 'i-3' }), association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })], 'volcengine_ha_vip_associate.b_sure').verdict).toBe('pass')
  })

  it('an unknown target of the HaVip may be this one; of another HaVip, or another type, it is not', () => {
    const s = account([haVip('h1'), haVip('h2')], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    const b = association('b_sure', ['create'], { haVip: 'h1', instance: 'i-2' })
    expect(finding(s, [fromData('a_any', { haVip: 'h1' }), b], 'volcengine_ha_vip_associate.b_sure').unknowns.map((u) => u.reason)).toEqual([
      'volcengine_ha_vip_associate.a_any binds a target known only after apply to HaVip h1: it may be this one',
    ])
    expect(finding(s, [fromData('a_any', { haVip: 'h2' }), b], 'volcengine_ha_vip_associate.b_sure').verdict).toBe('pass')
    // An ENI: it cannot be this binding, but the HaVip may then hold ENIs.
    expect(finding(s, [fromData('a_any', { haVip: 'h1', type: 'NetworkInterface' }), b], 'volcengine_ha_vip_associate.b_sure').unknowns.map((u) => u.reason)).toEqual([
      'may be refused (Forbidden.MixedInstanceTypes) after changes whose outcome is known only after apply: volcengine_ha_vip_associate.a_any',
    ])
  })
})

describe('a volcenginecc_vpc_ha_vip whose bindings change type', () => {
  const cc = (before: { type: string; ids: ReadonlyArray<string> }, after: { type: string; ids: ReadonlyArray<string> }): ChangeSpec => ({
    type: 'volcenginecc_vpc_ha_vip', name: 'db', actions: ['update'],
    before: { id: 'h1', ha_vip_id: 'h1', subnet_id: 'subnet-a', associated_instance_type: before.type, associated_instance_ids: before.ids },
    after: { id: 'h1', ha_vip_id: 'h1', subnet_id: 'subnet-a', associated_instance_type: after.type, associated_instance_ids: after.ids },
    afterUnknown: { associated_instance_ids: after.ids.map(() => false) },
    expressions: { associated_instance_ids: { constant_value: after.ids }, associated_instance_type: { constant_value: after.type } },
  })

  it('unbinds the old targets as the type they had, after the new ones are bound (a mixed HaVip for a moment)', () => {
    const s = account([haVip('h1', ['i-2'])], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    const findings = report(s, [cc({ type: 'EcsInstance', ids: ['i-2'] }, { type: 'NetworkInterface', ids: ['eni-1'] })]).findings
    expect(findings.map((f) => [f.action, f.instanceId, f.instanceType, f.verdict, f.violations.map((v) => v.id)])).toEqual([
      ['AssociateHaVip', 'eni-1', 'NetworkInterface', 'fail', ['Forbidden.MixedInstanceTypes']],
      ['DisassociateHaVip', 'i-2', 'EcsInstance', 'pass', []],
    ])
  })

  it('a HaVip whose before has no type unbinds as the type of after', () => {
    const s = account([haVip('h1', ['i-2'])], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })
    const findings = report(s, [cc({ type: '', ids: ['i-2'] }, { type: 'EcsInstance', ids: ['i-3'] })]).findings
    expect(findings.map((f) => [f.action, f.instanceId, f.instanceType, f.verdict])).toEqual([
      ['AssociateHaVip', 'i-3', 'EcsInstance', 'pass'],
      ['DisassociateHaVip', 'i-2', 'EcsInstance', 'pass'],
    ])
  })
})

describe('references to a counted resource', () => {
  const vips = (n: number): ReadonlyArray<ChangeSpec> => Array.from({ length: n }, (_, i) => ({
    type: 'volcengine_ha_vip', name: 'db', key: i, actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true }, expressions: { subnet_id: { constant_value: 'subnet-a' } },
  }))
  const bind = (references: ReadonlyArray<string>, key?: number): ChangeSpec => ({
    type: 'volcengine_ha_vip_associate', name: 'web', ...(key === undefined ? {} : { key }), actions: ['create'],
    after: { instance_id: 'i-2', instance_type: 'EcsInstance' }, afterUnknown: { id: true, ha_vip_id: true },
    expressions: { ha_vip_id: { references }, instance_id: { constant_value: 'i-2' } },
  })
  const s = account([], { InstancesPerHaVip: 3, HaVipsPerInstance: 3 })

  it('without an index, of a resource with two instances: unknown, saying which', () => {
    const f = report(s, [...vips(2), bind(['volcengine_ha_vip.db.id', 'volcengine_ha_vip.db'])]).findings[0]
    expect([f?.verdict, f?.haVipId, f?.unknowns]).toEqual(['unknown', undefined, [{ attribute: 'ha_vip_id', reason: 'ha_vip_id of volcengine_ha_vip_associate.web refers to volcengine_ha_vip.db, of which this plan creates 2 instances: which one is not known' }]])
  })

  it('without an index, of a resource with one instance: that instance', () => {
    const f = report(s, [...vips(1), bind(['volcengine_ha_vip.db.id', 'volcengine_ha_vip.db'])]).findings[0]
    expect([f?.verdict, f?.haVipId]).toEqual(['pass', 'volcengine_ha_vip.db[0]'])
  })

  it('by count.index: the instance of the same index; by a literal index: that one', () => {
    const byIndex = report(s, [...vips(2), bind(['volcengine_ha_vip.db', 'count.index'], 1)]).findings[0]
    expect([byIndex?.verdict, byIndex?.haVipId]).toEqual(['pass', 'volcengine_ha_vip.db[1]'])
    const literal = report(s, [...vips(2), bind(['volcengine_ha_vip.db[0].id', 'volcengine_ha_vip.db[0]', 'volcengine_ha_vip.db'], 1)]).findings[0]
    expect(literal?.haVipId).toBe('volcengine_ha_vip.db[0]')
  })

  it('a list element of volcenginecc_vpc_ha_vip referring to every instance of a counted resource is unknown', () => {
    const instances: ReadonlyArray<ChangeSpec> = [0, 1].map((i) => ({ type: 'volcengine_ecs_instance', name: 'app', key: i, actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true }, expressions: { subnet_id: { constant_value: 'subnet-a' } } }))
    const ccCreate = (refs: ReadonlyArray<string>): ChangeSpec => ({
      type: 'volcenginecc_vpc_ha_vip', name: 'db', actions: ['create'], after: { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: [null] },
      afterUnknown: { id: true, associated_instance_ids: [true] }, expressions: { associated_instance_ids: { references: refs }, subnet_id: { constant_value: 'subnet-a' } },
    })
    expect(report(s, [...instances, ccCreate(['volcengine_ecs_instance.app'])]).findings.map((f) => [f.verdict, f.instanceId])).toEqual([['unknown', undefined]])
    expect(report(s, [...instances, ccCreate(['volcengine_ecs_instance.app[1].id', 'volcengine_ecs_instance.app[1]', 'volcengine_ecs_instance.app'])]).findings.map((f) => [f.verdict, f.instanceId])).toEqual([['pass', 'volcengine_ecs_instance.app[1]']])
  })
})

describe('configuration addresses: counted resources inside counted modules', () => {
  it('drops every instance key, numbers and quoted strings alike, in modules and on the resource', () => {
    expect(configAddress('module.db[1].module.net["a.b"].volcengine_ha_vip_associate.web["x[0]"]')).toBe('module.db.module.net.volcengine_ha_vip_associate.web')
    expect(configAddress('module.db["k\\"q"].volcengine_ha_vip_associate.web[10]')).toBe('module.db.volcengine_ha_vip_associate.web')
    expect(configAddress('volcengine_ha_vip_associate.web')).toBe('volcengine_ha_vip_associate.web')
  })

  it('locates every instance of a counted resource in every instance of a counted module at its one block', () => {
    const s = account([haVip('h1')], { InstancesPerHaVip: 9, HaVipsPerInstance: 9 })
    const changes: ReadonlyArray<ChangeSpec> = ['module.db[0]', 'module.db[1]'].flatMap((module) => [0, 1].map((key) => ({ ...association('web', ['create'], { haVip: 'h1', instance: `i-${String(key + 1)}` }), key, module })))
    const located = withLocations(report(s, [...changes, association('top', ['create'], { haVip: 'h1', instance: 'i-3' })]), new Map([
      ['module.db.volcengine_ha_vip_associate.web', { file: 'modules/db/main.tf', line: 4 }],
    ]))
    expect(located.findings.map((f) => [f.address, f.location])).toEqual([
      ['volcengine_ha_vip_associate.top', undefined],
      ['module.db[0].volcengine_ha_vip_associate.web[0]', { file: 'modules/db/main.tf', line: 4 }],
      ['module.db[0].volcengine_ha_vip_associate.web[1]', { file: 'modules/db/main.tf', line: 4 }],
      ['module.db[1].volcengine_ha_vip_associate.web[0]', { file: 'modules/db/main.tf', line: 4 }],
      ['module.db[1].volcengine_ha_vip_associate.web[1]', { file: 'modules/db/main.tf', line: 4 }],
    ])
    expect(located.summary).toEqual(report(s, changes).summary.pass === 4 ? { pass: 5, fail: 0, unknown: 0 } : located.summary)
  })
})

describe('the sample plans', () => {
  it.each(samples)('%s gives its expected findings through checkPlan', (_, sample) => {
    const expected = JSON.parse(readFileSync(`${sample}.expected.json`, 'utf8')) as Expected
    const checked = checkPlan(sampleAccount(), JSON.parse(readFileSync(`${sample}.plan.json`, 'utf8')))
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    const got = checked.right.findings.map((f, i) => asExpected(f, expected.findings[i]?.haVipId !== undefined))
    expect(got).toEqual(expected.findings.map(comparable).map((e) => JSON.parse(JSON.stringify(e)) as unknown))
    const exit = checked.right.summary.fail > 0 ? 1 : checked.right.summary.unknown > 0 ? 3 : 0
    expect(exit).toBe(expected.exit)
  })
})

describe('checkPlan', () => {
  it('is total: a value that is not a snapshot, or a plan that is not an object, is a Left', () => {
    expect(E.isLeft(checkPlan({} as Snapshot, plan([])))).toBe(true)
    for (const bad of [null, 42, 'plan', [], {}]) expect(E.isLeft(checkPlan(sampleAccount(), bad))).toBe(true)
  })

  it('returns the report with every count', () => {
    const checked = checkPlan(sampleAccount(), JSON.parse(readFileSync(join(fixtures, 'p4-replace-and-cc.plan.json'), 'utf8')))
    expect(E.isRight(checked) && (checked.right satisfies PlanReport).summary).toEqual({ pass: 4, fail: 2, unknown: 0 })
  })
})

describe('a delete-first replace: Terraform may apply another change before its delete half', () => {
  const instance = (id: string) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: 'subnet-a', Type: 'primary' }] })
  const haVip = (id: string, type: string, ids: ReadonlyArray<string>) =>
    ({ HaVipId: id, SubnetId: 'subnet-a', Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: type, AssociatedInstanceIds: ids })
  const account = (quotas: { InstancesPerHaVip: number; HaVipsPerInstance: number }, haVips: ReadonlyArray<ReturnType<typeof haVip>>) => load({
    Region: 'cn-beijing',
    HaVips: haVips,
    Instances: ['i-1', 'i-2', 'i-3'].map(instance),
    NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: 'i-3', ServiceManaged: false }],
    Quotas: quotas,
  })
  const verdicts = (s: Snapshot, changes: Parameters<typeof plan>[0]) => {
    const checked = checkPlan(s, plan(changes))
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    return checked.right.findings.map((f) => [f.address, f.action, f.verdict, f.violations.map((v) => v.id)])
  }

  it('a binding that joins the HaVip the replace leaves meets it still full', () => {
    const s = account({ InstancesPerHaVip: 2, HaVipsPerInstance: 2 }, [haVip('h1', 'EcsInstance', ['i-1', 'i-2']), haVip('h2', '', [])])
    const checked = checkPlan(s, plan([association('move', ['delete', 'create'], { haVip: 'h2', instance: 'i-1' }, { haVip: 'h1', instance: 'i-1' }), association('join', ['create'], { haVip: 'h1', instance: 'i-3' })]))
    expect(E.isRight(checked) && checked.right.findings.find((f) => f.address.endsWith('join'))?.violations[0]?.facts).toContain('before the delete half of volcengine_ha_vip_associate.move')
    expect(verdicts(s, [association('move', ['delete', 'create'], { haVip: 'h2', instance: 'i-1' }, { haVip: 'h1', instance: 'i-1' }), association('join', ['create'], { haVip: 'h1', instance: 'i-3' })])).toEqual([
      ['volcengine_ha_vip_associate.join', 'AssociateHaVip', 'fail', ['LimitExceeded.InstancesPerHaVip']],
      ['volcengine_ha_vip_associate.move', 'DisassociateHaVip', 'pass', []],
      ['volcengine_ha_vip_associate.move', 'AssociateHaVip', 'pass', []],
    ])
  })

  it('a binding of the target the replace unbinds meets it still bound', () => {
    const s = account({ InstancesPerHaVip: 2, HaVipsPerInstance: 1 }, [haVip('h1', 'EcsInstance', ['i-1']), haVip('h2', '', [])])
    expect(verdicts(s, [association('move', ['delete', 'create'], { haVip: 'h1', instance: 'i-2' }, { haVip: 'h1', instance: 'i-1' }), association('again', ['create'], { haVip: 'h2', instance: 'i-1' })])).toEqual([
      ['volcengine_ha_vip_associate.again', 'AssociateHaVip', 'fail', ['LimitExceeded.HaVipsPerInstance']],
      ['volcengine_ha_vip_associate.move', 'DisassociateHaVip', 'pass', []],
      ['volcengine_ha_vip_associate.move', 'AssociateHaVip', 'pass', []],
    ])
  })

  it('after the replace in address order, the binding meets the old target instead of the new one', () => {
    const s = account({ InstancesPerHaVip: 4, HaVipsPerInstance: 2 }, [haVip('h3', 'NetworkInterface', ['eni-1'])])
    expect(verdicts(s, [association('a_swap', ['delete', 'create'], { haVip: 'h3', instance: 'i-1' }, { haVip: 'h3', instance: 'eni-1', type: 'NetworkInterface' }), association('b_join', ['create'], { haVip: 'h3', instance: 'i-2' })])).toEqual([
      ['volcengine_ha_vip_associate.a_swap', 'DisassociateHaVip', 'pass', []],
      ['volcengine_ha_vip_associate.a_swap', 'AssociateHaVip', 'pass', []],
      ['volcengine_ha_vip_associate.b_join', 'AssociateHaVip', 'fail', ['Forbidden.MixedInstanceTypes']],
    ])
  })
})

describe('changes of unknown outcome', () => {
  it('never turn a failure into an unknown: Terraform may apply them after it', () => {
    const unknownHaVip: Parameters<typeof plan>[0][number] = {
      ...association('a_unknown', ['create'], { haVip: 'havip-b', instance: 'i-a11' }),
      after: { instance_id: 'i-a11', instance_type: 'EcsInstance' },
      afterUnknown: { id: true, ha_vip_id: true },
      expressions: { ha_vip_id: { references: ['data.volcengine_ha_vips.any.ha_vips'] } },
    }
    const twice = [association('c', ['create'], { haVip: 'havip-b', instance: 'i-a11' }), association('d', ['create'], { haVip: 'havip-b', instance: 'i-a11' })]
    const verdicts = (changes: Parameters<typeof plan>[0]) => {
      const checked = checkPlan(sampleAccount(), plan(changes))
      return E.isRight(checked) ? checked.right.findings.map((f) => [f.address, f.verdict]) : []
    }
    expect(verdicts(twice)).toEqual([['volcengine_ha_vip_associate.c', 'pass'], ['volcengine_ha_vip_associate.d', 'fail']])
    expect(verdicts([unknownHaVip, ...twice])).toEqual([
      ['volcengine_ha_vip_associate.a_unknown', 'unknown'], ['volcengine_ha_vip_associate.c', 'unknown'], ['volcengine_ha_vip_associate.d', 'fail'],
    ])
  })
})

describe('withWaivers, in the test process', () => {
  const s = account([haVip('h1', ['i-1']), haVip('h2')], { InstancesPerHaVip: 1, HaVipsPerInstance: 3 })
  const base = report(s, [
    ...[0, 1].map((key) => ({ ...association('full', ['create'], { haVip: 'h1', instance: 'i-2' }), key, module: 'module.m' })),
    fromData('maybe', { haVip: 'h2' }),
    association('ok', ['create'], { haVip: 'h1', instance: 'i-1' }, undefined),
  ])
  const waiver = (address: string, id: string, scope: 'block' | 'instance', where = 'main.tf:3') => ({ id, reason: 'accepted', address, scope, kind: scope === 'block' ? 'inline' as const : 'baseline' as const, where })

  it('a block waiver covers every instance of its block in every module instance; a baseline entry one instance; KnownAfterApply an unknown', () => {
    expect(base.findings.map((f) => [f.address, f.verdict])).toEqual([
      ['volcengine_ha_vip_associate.maybe', 'unknown'],
      ['volcengine_ha_vip_associate.ok', 'fail'],
      ['module.m.volcengine_ha_vip_associate.full[0]', 'fail'],
      ['module.m.volcengine_ha_vip_associate.full[1]', 'fail'],
    ])
    const block = withWaivers(base, [waiver('module.m.volcengine_ha_vip_associate.full', 'LimitExceeded.InstancesPerHaVip', 'block'), waiver('volcengine_ha_vip_associate.maybe', 'KnownAfterApply', 'instance')])
    expect(block.findings.map((f) => f.waived)).toEqual([true, undefined, true, true])
    expect(block.summary).toEqual({ pass: 0, fail: 1, unknown: 0, waived: 3 })
    expect(block.staleWaivers).toEqual([])
    const one = withWaivers(base, [waiver('module.m.volcengine_ha_vip_associate.full[1]', 'LimitExceeded.InstancesPerHaVip', 'instance')])
    expect(one.findings.map((f) => f.waived)).toEqual([undefined, undefined, undefined, true])
    expect(one.summary).toEqual({ pass: 0, fail: 2, unknown: 1, waived: 1 })
  })

  it('a finding with one violation waived and another not still fails; a waiver that matches nothing is stale', () => {
    const ok = base.findings[1]
    expect(ok?.violations.map((v) => v.id)).toEqual(['Forbidden.InstanceAlreadyAssociated', 'LimitExceeded.InstancesPerHaVip'])
    const stale = waiver('volcengine_ha_vip_associate.ok', 'LimitExceeded.HaVipsPerInstance', 'instance', 'b.json waivers[1]')
    const partly = withWaivers(base, [waiver('volcengine_ha_vip_associate.ok', 'Forbidden.InstanceAlreadyAssociated', 'instance'), stale])
    expect([partly.findings[1]?.waived, partly.findings[1]?.waivers?.map((w) => w.id)]).toEqual([false, ['Forbidden.InstanceAlreadyAssociated']])
    expect(partly.summary.fail).toBe(3)
    expect(partly.staleWaivers).toEqual([stale])
    // A block waiver does not match by an instance's address, nor an instance waiver by its block's.
    expect(withWaivers(base, [waiver('module.m.volcengine_ha_vip_associate.full[0]', 'LimitExceeded.InstancesPerHaVip', 'block')]).summary.waived).toBe(0)
    expect(withWaivers(base, [waiver('module.m.volcengine_ha_vip_associate.full', 'LimitExceeded.InstancesPerHaVip', 'instance')]).summary.waived).toBe(0)
  })

  it('a baseline lists each fail and unknown no inline waiver covers, keeping earlier reasons', () => {
    const inline = [waiver('module.m.volcengine_ha_vip_associate.full', 'LimitExceeded.InstancesPerHaVip', 'block')]
    const earlier = [{ ...waiver('volcengine_ha_vip_associate.maybe', 'KnownAfterApply', 'instance'), reason: 'read at apply time' }]
    expect(baselineOf(base, inline, earlier)).toEqual([
      { address: 'volcengine_ha_vip_associate.maybe', id: 'KnownAfterApply', reason: 'read at apply time' },
      { address: 'volcengine_ha_vip_associate.ok', id: 'Forbidden.InstanceAlreadyAssociated', reason: 'accepted when the baseline was written' },
      { address: 'volcengine_ha_vip_associate.ok', id: 'LimitExceeded.InstancesPerHaVip', reason: 'accepted when the baseline was written' },
    ])
  })
})

describe('what each change of unknown outcome makes of a later one, named in its reasons', () => {
  const s = account([haVip('h1', ['i-1', 'i-2']), haVip('h2')], { InstancesPerHaVip: 5, HaVipsPerInstance: 5 })
  const reasons = (changes: ReadonlyArray<ChangeSpec>, address: string, action = 'AssociateHaVip') => {
    const f = finding(s, changes, address, action)
    return [f.verdict, f.unknowns.map((u) => u.reason)]
  }

  it('an association of a type known only after apply may be of any type', () => {
    const typeless: ChangeSpec = { ...association('a_typeless', ['create'], { haVip: 'h2', instance: 'i-3' }), after: { ha_vip_id: 'h2', instance_id: 'i-3' }, afterUnknown: { id: true, instance_type: true }, expressions: { instance_type: { references: ['var.kind'] } } }
    expect(reasons([typeless, association('b_sure', ['create'], { haVip: 'h2', instance: 'i-4' })], 'volcengine_ha_vip_associate.b_sure')).toEqual(['unknown', [
      'volcengine_ha_vip_associate.a_typeless binds a target of a type known only after apply',
    ]])
  })

  it('a disassociation of a target not known may unbind this binding; of a HaVip not known, too', () => {
    const noTarget: ChangeSpec = { ...association('a_gone', ['delete'], undefined, { haVip: 'h1', instance: 'i-1' }), before: { id: 'x', ha_vip_id: 'h1', instance_type: 'EcsInstance' } }
    const undo = association('b_undo', ['delete'], undefined, { haVip: 'h1', instance: 'i-2' })
    expect(reasons([noTarget, undo], 'volcengine_ha_vip_associate.b_undo', 'DisassociateHaVip')).toEqual(['unknown', [
      'volcengine_ha_vip_associate.a_gone unbinds a target of HaVip h1 known only after apply: it may be this one',
    ]])
    expect(finding(s, [noTarget, association('b_undo', ['delete'], undefined, { haVip: 'h2', instance: 'i-2' })], 'volcengine_ha_vip_associate.b_undo', 'DisassociateHaVip').verdict).toBe('fail')
    const ccNoId: ChangeSpec = {
      type: 'volcenginecc_vpc_ha_vip', name: 'a_cc', actions: ['update'],
      before: { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ['i-2'] },
      after: { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: [] },
      afterUnknown: { associated_instance_ids: [] }, expressions: { associated_instance_ids: { constant_value: [] } },
    }
    // In a module: after the root module's volcenginecc_vpc_ha_vip in address order.
    expect(reasons([ccNoId, { ...undo, module: 'module.z' }], 'module.z.volcengine_ha_vip_associate.b_undo', 'DisassociateHaVip')).toEqual(['unknown', [
      'volcenginecc_vpc_ha_vip.a_cc unbinds i-2 from a HaVip known only after apply: it may be this one',
    ]])
  })

  it('names the first three changes it rests on and counts the rest: one more change, two more changes', () => {
    const before = (n: number) => Array.from({ length: n }, (_, i) => ({ ...fromData('a_any', { haVip: 'h2' }), key: i }))
    const sure = association('b_sure', ['create'], { haVip: 'h2', instance: 'i-4' })
    const why = 'binds a target known only after apply to HaVip h2: it may be this one'
    expect(reasons([...before(3), sure], 'volcengine_ha_vip_associate.b_sure')[1]).toEqual([0, 1, 2].map((i) => `volcengine_ha_vip_associate.a_any[${String(i)}] ${why}`))
    expect(reasons([...before(4), sure], 'volcengine_ha_vip_associate.b_sure')[1]).toContain(`1 more change like volcengine_ha_vip_associate.a_any[0]: each ${why}`)
    expect(reasons([...before(5), sure], 'volcengine_ha_vip_associate.b_sure')[1]).toContain(`2 more changes like volcengine_ha_vip_associate.a_any[0]: each ${why}`)
    expect(reasons([...before(5), sure], 'volcengine_ha_vip_associate.b_sure')[1]).not.toContain(`volcengine_ha_vip_associate.a_any[3] ${why}`)
    expect(finding(s, [...before(5), sure], 'volcengine_ha_vip_associate.b_sure').unknowns.find((u) => u.reason.startsWith('2 more changes'))?.attribute).toBe('order')
  })

  it('an ENI attached or detached by an attachment known only after apply may be the one bound', () => {
    const attach = (name: string): ChangeSpec => ({
      type: 'volcengine_network_interface_attach', name, actions: ['create'], after: { instance_id: 'i-3' }, afterUnknown: { id: true, network_interface_id: true },
      expressions: { network_interface_id: { references: ['data.volcengine_network_interfaces.pool.network_interfaces', 'data.volcengine_network_interfaces.pool'] } },
    })
    const free = load({
      Region: 'cn-beijing', HaVips: [haVip('h1')], Instances: ['i-1', 'i-3'].map((id) => instance(id)),
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-9', SubnetId: 'subnet-a', Status: 'Available', Type: 'secondary', DeviceId: '', ServiceManaged: false }],
      Quotas: { InstancesPerHaVip: 3, HaVipsPerInstance: 3 },
    })
    const bindEni = association('b_eni', ['create'], { haVip: 'h1', instance: 'eni-9', type: 'NetworkInterface' })
    const one = finding(free, [attach('a1'), bindEni], 'volcengine_ha_vip_associate.b_eni')
    expect([one.verdict, one.unknowns]).toEqual(['unknown', [{ attribute: 'network_interface_id', reason: 'volcengine_network_interface_attach.a1 attaches or detaches an ENI known only after apply: it may be this one' }]])
    expect(finding(free, [attach('a1'), attach('a2'), bindEni], 'volcengine_ha_vip_associate.b_eni').unknowns[0]?.reason).toBe('volcengine_network_interface_attach.a1 and volcengine_network_interface_attach.a2 attach or detach an ENI known only after apply: it may be this one')
    expect(finding(free, [bindEni], 'volcengine_ha_vip_associate.b_eni').verdict).toBe('fail')
  })
})
