import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanReport, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * Where the plan check finds the values of a binding's attributes (src/plan/values.ts), as the
 * findings show them: a module's input (`var.`) and output (`module.NAME.OUTPUT`), data sources
 * read at apply time, locals, `each.value`, counted and keyed resources by literal key, by
 * `count.index` or by `each.key`, attributes other than `id`, chains of references past the
 * depth limit, list elements of a volcenginecc_vpc_ha_vip, and the local module calls the report
 * lists — each with the exact value or reason a user reads.
 */

const instance = (id: string) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: 'subnet-a', Type: 'primary' }] })

const account: Snapshot = load({
  Region: 'cn-beijing',
  HaVips: [{ HaVipId: 'h1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
  Instances: ['i-1', 'i-2', 'i-3', 'i-4'].map(instance),
  NetworkInterfaces: [],
  Quotas: { InstancesPerHaVip: 9, HaVipsPerInstance: 9 },
})

type Json = Record<string, unknown>

const checked = (p: unknown): PlanReport => {
  const r = checkPlan(account, p)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** An association of h1 with an instance the plan leaves unknown, found from this expression. */
const bind = (instanceId: Json, more: Partial<ChangeSpec> = {}): ChangeSpec => ({
  type: 'volcengine_ha_vip_associate', name: 'bind', actions: ['create'],
  after: { ha_vip_id: 'h1', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
  expressions: { ha_vip_id: { constant_value: 'h1' }, instance_id: instanceId },
  ...more,
})

const refs = (...references: ReadonlyArray<string>): Json => ({ references })

/** An ECS instance this plan creates, in subnet-a. */
const created = (name: string, more: Partial<ChangeSpec> = {}): ChangeSpec => ({
  type: 'volcengine_ecs_instance', name, actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true },
  expressions: { subnet_id: { constant_value: 'subnet-a' } }, ...more,
})

/** What the finding of the association at this address says of its instance. */
const seen = (report: PlanReport, address = 'volcengine_ha_vip_associate.bind') => {
  const f = report.findings.find((x) => x.address === address)
  if (f === undefined) throw new Error(`no finding for ${address}`)
  return { verdict: f.verdict, instanceId: f.instanceId, unknowns: f.unknowns }
}

const symbolic = (address: string) => ({ verdict: 'pass', instanceId: address, unknowns: [] })
const unknown = (reason: string, attribute = 'instance_id') => ({ verdict: 'unknown', instanceId: undefined, unknowns: [{ attribute, reason }] })
const what = 'instance_id of volcengine_ha_vip_associate.bind'

/** The module call at this path of a plan's configuration (`['a', 'b']` is module.a.module.b). */
const callAt = (p: Json, path: ReadonlyArray<string>): Json => {
  let module = (p.configuration as { root_module: Json }).root_module
  let call: Json = {}
  for (const name of path) {
    call = (module.module_calls as Record<string, Json>)[name] as Json
    module = call.module as Json
  }
  return call
}

/** Sets the inputs a module call passes. */
const withInputs = (p: Json, path: ReadonlyArray<string>, expressions: Json): Json => {
  callAt(p, path).expressions = expressions
  return p
}

/** Sets a module's outputs. */
const withOutputs = (p: Json, path: ReadonlyArray<string>, outputs: Record<string, Json>): Json => {
  ;(callAt(p, path).module as Json).outputs = Object.fromEntries(Object.entries(outputs).map(([k, expression]) => [k, { expression }]))
  return p
}

describe('var. inside a module: what the module call passes, resolved in the calling module', () => {
  const inA = (expression: Json) => bind(expression, { module: 'module.a' })
  const address = 'module.a.volcengine_ha_vip_associate.bind'

  it('a constant the call passes is the value', () => {
    expect(seen(checked(withInputs(plan([inA(refs('var.target'))]), ['a'], { target: { constant_value: 'i-2' } })), address)).toEqual({ verdict: 'pass', instanceId: 'i-2', unknowns: [] })
  })

  it('a resource the call passes is looked up in the calling module, not in the module itself', () => {
    const p = withInputs(plan([created('web'), created('web', { module: 'module.a' }), inA(refs('var.target'))]), ['a'], { target: refs('volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web') })
    expect(seen(checked(p), address)).toEqual(symbolic('volcengine_ecs_instance.web'))
  })

  it('an input the call does not pass is unknown, naming the variable', () => {
    expect(seen(checked(plan([inA(refs('var.target'))])), address)).toEqual(unknown('instance_id of module.a.volcengine_ha_vip_associate.bind is computed from var.target'))
    expect(seen(checked(withInputs(plan([inA(refs('var.target'))]), ['a'], { other: { constant_value: 'i-2' } })), address)).toEqual(unknown('instance_id of module.a.volcengine_ha_vip_associate.bind is computed from var.target'))
  })

  it('an input passed as neither a constant nor references is known only after apply', () => {
    expect(seen(checked(withInputs(plan([inA(refs('var.target'))]), ['a'], { target: {} })), address)).toEqual(unknown('instance_id of module.a.volcengine_ha_vip_associate.bind is known only after apply'))
  })

  it('an input passed a number is followed, not taken as the value', () => {
    expect(seen(checked(withInputs(plan([inA(refs('var.target'))]), ['a'], { target: { constant_value: 7 } })), address)).toEqual(unknown('instance_id of module.a.volcengine_ha_vip_associate.bind is known only after apply'))
  })

  it('through two modules: each var. is what the call one level up passes', () => {
    const p = plan([bind(refs('var.x'), { module: 'module.a.module.b' })])
    withInputs(p, ['a', 'b'], { x: refs('var.y') })
    withInputs(p, ['a'], { y: { constant_value: 'i-3' } })
    expect(seen(checked(p), 'module.a.module.b.volcengine_ha_vip_associate.bind')).toEqual({ verdict: 'pass', instanceId: 'i-3', unknowns: [] })
  })

  it('in a keyed module instance: the calling module instance resolves the reference by the key', () => {
    const p = plan([created('web', { key: 0 }), created('web', { key: 1 }), bind(refs('var.target'), { module: 'module.a[1]' })])
    withInputs(p, ['a'], { target: refs('volcengine_ecs_instance.web', 'count.index') })
    expect(seen(checked(p), 'module.a[1].volcengine_ha_vip_associate.bind')).toEqual(symbolic('volcengine_ecs_instance.web[1]'))
  })

  it('var. in the root module is unknown, naming the variable', () => {
    expect(seen(checked(plan([bind(refs('var.target'))])))).toEqual(unknown(`${what} is computed from var.target`))
  })
})

describe('module.NAME.OUTPUT: the output, resolved inside that module', () => {
  it('a constant output is the value', () => {
    expect(seen(checked(withOutputs(plan([created('web', { module: 'module.net' }), bind(refs('module.net.target', 'module.net'))]), ['net'], { target: { constant_value: 'i-4' } })))).toEqual({ verdict: 'pass', instanceId: 'i-4', unknowns: [] })
  })

  it('an output of a resource is that resource in the module', () => {
    const p = withOutputs(plan([created('web'), created('web', { module: 'module.net' }), bind(refs('module.net.target', 'module.net'))]), ['net'], { target: refs('volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web') })
    expect(seen(checked(p))).toEqual(symbolic('module.net.volcengine_ecs_instance.web'))
  })

  it('an output of neither a constant nor references, or of a number, is known only after apply', () => {
    for (const expression of [{}, { constant_value: 5 }]) {
      const p = withOutputs(plan([created('web', { module: 'module.net' }), bind(refs('module.net.target'))]), ['net'], { target: expression })
      expect(seen(checked(p))).toEqual(unknown(`${what} is known only after apply`))
    }
  })

  it('an output the module does not have, or a module the configuration does not have: unknown, naming the output', () => {
    const p = withOutputs(plan([created('web', { module: 'module.net' }), bind(refs('module.net.target'))]), ['net'], { other: { constant_value: 'i-4' } })
    expect(seen(checked(p))).toEqual(unknown(`${what} refers to module.net.target`))
    const noOutputs = plan([created('web', { module: 'module.net' }), bind(refs('module.net.target'))])
    expect(seen(checked(noOutputs))).toEqual(unknown(`${what} refers to module.net.target`))
    expect(seen(checked(plan([bind(refs('module.gone.target'))])))).toEqual(unknown(`${what} refers to module.gone.target`))
  })

  it('a module reference without an output is unknown, naming it', () => {
    expect(seen(checked(plan([created('web', { module: 'module.net' }), bind(refs('module.net'))])))).toEqual(unknown(`${what} refers to module.net`))
    const p = withOutputs(plan([created('web', { module: 'module.net' }), bind(refs('module.-.module.net.target'))]), ['net'], { target: { constant_value: 'i-4' } })
    expect(seen(checked(p))).toEqual(unknown(`${what} refers to module.-.module.net.target`))
  })

  it('of a keyed module instance, by a literal key: that instance', () => {
    const changes = ['module.net[1]', 'module.net[12]', 'module.net["ab"]', 'module.net["b"]'].map((module) => created('web', { module }))
    const output = (ref: string) => withOutputs(plan([...changes, bind(refs(ref))]), ['net'], { target: refs('volcengine_ecs_instance.web.id') })
    expect(seen(checked(output('module.net[12].target')))).toEqual(symbolic('module.net[12].volcengine_ecs_instance.web'))
    expect(seen(checked(output('module.net[1].target')))).toEqual(symbolic('module.net[1].volcengine_ecs_instance.web'))
    expect(seen(checked(output('module.net["ab"].target')))).toEqual(symbolic('module.net["ab"].volcengine_ecs_instance.web'))
    expect(seen(checked(output('module.net["b"].target')))).toEqual(symbolic('module.net["b"].volcengine_ecs_instance.web'))
  })

  it('of a counted module, by count.index or each.key: the instance of the same key', () => {
    const changes = [...['module.net[0]', 'module.net[1]', 'module.net["x"]', 'module.net["y"]'].map((module) => created('web', { module }))]
    const p = (key: number | string, ...references: ReadonlyArray<string>) => withOutputs(plan([...changes, bind(refs(...references), { key })]), ['net'], { target: refs('volcengine_ecs_instance.web.id') })
    expect(seen(checked(p(1, 'module.net.target', 'count.index')), 'volcengine_ha_vip_associate.bind[1]')).toEqual(symbolic('module.net[1].volcengine_ecs_instance.web'))
    expect(seen(checked(p('y', 'each.key', 'module.net.target')), 'volcengine_ha_vip_associate.bind["y"]')).toEqual(symbolic('module.net["y"].volcengine_ecs_instance.web'))
  })

  it('of a module without keys, from a counted resource: the module itself', () => {
    const p = withOutputs(plan([created('web', { module: 'module.net' }), bind(refs('module.net.target'), { key: 1 })]), ['net'], { target: refs('volcengine_ecs_instance.web.id') })
    expect(seen(checked(p), 'volcengine_ha_vip_associate.bind[1]')).toEqual(symbolic('module.net.volcengine_ecs_instance.web'))
  })
})

describe('a module input and output that refer to each other, and long chains of references', () => {
  it('a cycle through a module output and its input stops at the depth limit', () => {
    const p = plan([created('web', { module: 'module.a' }), bind(refs('module.a.target'))])
    withOutputs(p, ['a'], { target: refs('var.v') })
    withInputs(p, ['a'], { v: refs('module.a.target') })
    expect(seen(checked(p))).toEqual(unknown(`${what} refers through too many levels`))
  })

  /** volcengine_vpc.r0.x refers to r1.x, … to r(n-1).x, whose x the plan knows: i-2. */
  const chain = (n: number): ReadonlyArray<ChangeSpec> => Array.from({ length: n }, (_, i): ChangeSpec => (i === n - 1
    ? { type: 'volcengine_vpc', name: `r${String(i)}`, actions: ['create'], after: { x: 'i-2' }, afterUnknown: { id: true } }
    : { type: 'volcengine_vpc', name: `r${String(i)}`, actions: ['create'], after: {}, afterUnknown: { id: true, x: true }, expressions: { x: refs(`volcengine_vpc.r${String(i + 1)}.x`) } }))

  it('an attribute other than id is followed to its value, to 16 levels', () => {
    expect(seen(checked(plan([...chain(17), bind(refs('volcengine_vpc.r0.x'))])))).toEqual({ verdict: 'pass', instanceId: 'i-2', unknowns: [] })
  })

  it('one level more is unknown: it refers through too many levels', () => {
    expect(seen(checked(plan([...chain(18), bind(refs('volcengine_vpc.r0.x'))])))).toEqual(unknown('x of volcengine_vpc.r16 refers through too many levels'))
  })
})

describe('data sources, locals, each.value and the references that name no value', () => {
  const pool = (more: Partial<ChangeSpec> = {}): ChangeSpec => ({ type: 'volcengine_ecs_instances', name: 'pool', mode: 'data', actions: ['read'], after: {}, afterUnknown: { instances: true }, ...more })
  const fromPool = bind(refs('data.volcengine_ecs_instances.pool.instances', 'data.volcengine_ecs_instances.pool'))

  it('a data source the plan reads at apply time: unknown, saying so', () => {
    expect(seen(checked(plan([pool(), fromPool])))).toEqual(unknown(`${what} is read from data.volcengine_ecs_instances.pool at apply time`))
  })

  it('a data source the plan does not read at apply time: unknown, depending on it', () => {
    expect(seen(checked(plan([pool({ actions: ['no-op'] }), fromPool])))).toEqual(unknown(`${what} depends on data.volcengine_ecs_instances.pool`))
    expect(seen(checked(plan([fromPool])))).toEqual(unknown(`${what} depends on data.volcengine_ecs_instances.pool`))
  })

  it('a data source is one by its mode, or by its address when the plan gives no mode', () => {
    const p = plan([pool(), fromPool])
    const rc = (p.resource_changes as Array<Json>)[0] as Json
    delete rc.mode
    expect(seen(checked(p))).toEqual(unknown(`${what} is read from data.volcengine_ecs_instances.pool at apply time`))
    rc.mode = 'data'
    rc.address = 'volcengine_ecs_instances.pool'
    expect(seen(checked(p))).toEqual(unknown(`${what} is read from data.volcengine_ecs_instances.pool at apply time`))
    expect(checked(p).ignored).toEqual([])
  })

  it('a data source in a module, read at apply time, and its address without a mode', () => {
    const p = plan([pool({ module: 'module.m' }), bind(refs('data.volcengine_ecs_instances.pool.instances'), { module: 'module.m' })])
    const rc = (p.resource_changes as Array<Json>)[0] as Json
    delete rc.mode
    expect(seen(checked(p), 'module.m.volcengine_ha_vip_associate.bind')).toEqual(unknown(`instance_id of module.m.volcengine_ha_vip_associate.bind is read from data.volcengine_ecs_instances.pool at apply time`))
  })

  it('a keyed data source is named with its key; a data reference without a name names what it has', () => {
    expect(seen(checked(plan([bind(refs('data.volcengine_ecs_instances.pool["k"].instances'))])))).toEqual(unknown(`${what} depends on data.volcengine_ecs_instances.pool`))
    expect(seen(checked(plan([bind(refs('data.volcengine_ecs_instances'))])))).toEqual(unknown(`${what} depends on data.volcengine_ecs_instances.`))
    expect(seen(checked(plan([bind(refs('data.volcengine_ecs_instances.1x'))])))).toEqual(unknown(`${what} depends on data.volcengine_ecs_instances.1x`))
  })

  it('a local is unknown, naming it', () => {
    expect(seen(checked(plan([bind(refs('local.target'))])))).toEqual(unknown(`${what} is computed from local.target`))
    expect(seen(checked(plan([bind(refs('local'))])))).toEqual(unknown(`${what} is computed from local.`))
  })

  it('each.value is unknown, saying so', () => {
    expect(seen(checked(plan([bind(refs('each.value.id', 'each.value'), { key: 'a' })])), 'volcengine_ha_vip_associate.bind["a"]')).toEqual(unknown(`instance_id of volcengine_ha_vip_associate.bind["a"] is computed from each.value`))
  })

  it('path., terraform., self. and a reference that is no address are passed over', () => {
    for (const first of ['path.module', 'terraform.workspace', 'self.id', 'x']) {
      expect(seen(checked(plan([created('web'), bind(refs(first, 'volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web'))])))).toEqual(symbolic('volcengine_ecs_instance.web'))
    }
    expect(seen(checked(plan([created('web'), bind(refs('path.module'))])))).toEqual(unknown(`${what} is known only after apply`))
  })

  it('a resource this plan does not create, or only updates: unknown, naming it', () => {
    const updated = created('web', { actions: ['update'], before: { id: 'i-1', subnet_id: 'subnet-a' }, after: { id: 'i-1', subnet_id: 'subnet-a' }, afterUnknown: {} })
    for (const changes of [[], [updated]]) {
      expect(seen(checked(plan([...changes, bind(refs('volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web'))])))).toEqual(unknown(`${what} refers to volcengine_ecs_instance.web, which this plan does not create`))
    }
  })
})

describe('counted and keyed resources', () => {
  const webs = [created('web', { key: 0 }), created('web', { key: 1 }), created('web', { key: 'a' }), created('web', { key: 'b' })]

  it('by a literal key, a number or a string: that instance', () => {
    expect(seen(checked(plan([...webs, bind(refs('volcengine_ecs_instance.web[1].id'))])))).toEqual(symbolic('volcengine_ecs_instance.web[1]'))
    expect(seen(checked(plan([...webs, bind(refs('volcengine_ecs_instance.web["b"].id'))])))).toEqual(symbolic('volcengine_ecs_instance.web["b"]'))
    expect(seen(checked(plan([...webs, bind(refs('volcengine_ecs_instance.web["c"].id'))])))).toEqual(unknown(`${what} refers to volcengine_ecs_instance.web, of which this plan creates 4 instances: which one is not known`))
  })

  it('by count.index or each.key, wherever it is in the references: the instance of the same key', () => {
    expect(seen(checked(plan([...webs, bind(refs('count.index', 'volcengine_ecs_instance.web'), { key: 1 })])), 'volcengine_ha_vip_associate.bind[1]')).toEqual(symbolic('volcengine_ecs_instance.web[1]'))
    expect(seen(checked(plan([...webs, bind(refs('each.key', 'volcengine_ecs_instance.web'), { key: 'b' })])), 'volcengine_ha_vip_associate.bind["b"]')).toEqual(symbolic('volcengine_ecs_instance.web["b"]'))
  })

  it('of two changes of one instance, the first is read', () => {
    const p = plan([created('web', { key: 1 }), created('web', { key: 1 }), bind(refs('volcengine_ecs_instance.web[1].id'))])
    ;((p.resource_changes as Array<Json>)[1] as Json).address = 'volcengine_ecs_instance.web[01]'
    expect(seen(checked(p))).toEqual(symbolic('volcengine_ecs_instance.web[1]'))
  })

  it('a counted association referring to a resource of one instance, without an index: that instance', () => {
    expect(seen(checked(plan([created('one'), bind(refs('volcengine_ecs_instance.one.id'), { key: 1 })])), 'volcengine_ha_vip_associate.bind[1]')).toEqual(symbolic('volcengine_ecs_instance.one'))
  })
})

describe('what the plan itself says of a value', () => {
  it('a number or a boolean in after is the value, as text', () => {
    expect(seen(checked(plan([bind(refs('var.x'), { after: { ha_vip_id: 'h1', instance_id: 12345, instance_type: 'EcsInstance' }, afterUnknown: { id: true } })]))).instanceId).toBe('12345')
    expect(seen(checked(plan([bind(refs('var.x'), { after: { ha_vip_id: 'h1', instance_id: true, instance_type: 'EcsInstance' }, afterUnknown: { id: true } })]))).instanceId).toBe('true')
  })

  it('an attribute neither in after nor unknown is not set, whatever its expression', () => {
    const f = seen(checked(plan([created('web'), bind(refs('volcengine_ecs_instance.web.id'), { afterUnknown: { id: true } })])))
    expect(f.instanceId).toBe(undefined)
    expect(f.unknowns).toEqual([{ attribute: 'instance_id', reason: `${what} is not set` }])
  })

  it('a create whose after is null sets nothing', () => {
    const f = seen(checked(plan([bind(refs('volcengine_ecs_instance.web.id'), { after: null, afterUnknown: {} })])))
    expect(f.instanceId).toBe(undefined)
  })

  it('a plan without configuration: every unknown is known only after apply', () => {
    const p = plan([bind(refs('volcengine_ecs_instance.web.id'))])
    delete p.configuration
    expect(seen(checked(p))).toEqual(unknown(`${what} is known only after apply`))
    expect(checked(p).localModules).toEqual([])
  })

  it('a resource in a module the configuration does not have: its values are known only after apply', () => {
    const p = plan([bind(refs('var.target'), { module: 'module.ghost' })])
    ;(p.configuration as { root_module: Json }).root_module = {}
    expect(seen(checked(p), 'module.ghost.volcengine_ha_vip_associate.bind')).toEqual(unknown('instance_id of module.ghost.volcengine_ha_vip_associate.bind is known only after apply'))
  })

  it('a plan without resource changes has no findings', () => {
    expect(checked({ format_version: '1.2', planned_values: {} }).findings).toEqual([])
  })

  it('of two blocks of one address in the configuration, the first is read', () => {
    const p = plan([bind(refs('local.first'))])
    const root = (p.configuration as { root_module: { resources: Array<Json> } }).root_module
    root.resources.push({ ...root.resources[0], expressions: { instance_id: refs('local.second') } })
    expect(seen(checked(p))).toEqual(unknown(`${what} is computed from local.first`))
  })
})

describe('a volcenginecc_vpc_ha_vip whose list of instances has elements known only after apply', () => {
  /** Created with one unknown element, found from these references (no expression at all when undefined). */
  const cc = (references?: ReadonlyArray<string>): ChangeSpec => ({
    type: 'volcenginecc_vpc_ha_vip', name: 'db', actions: ['create'], after: { subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: [null] },
    afterUnknown: { id: true, associated_instance_ids: [true] },
    expressions: { subnet_id: { constant_value: 'subnet-a' }, ...(references === undefined ? {} : { associated_instance_ids: { references } }) },
  })
  const element = (changes: ReadonlyArray<ChangeSpec>) => seen(checked(plan(changes)), 'volcenginecc_vpc_ha_vip.db')
  const listed = 'associated_instance_ids of volcenginecc_vpc_ha_vip.db'
  const unknownElement = (reason: string) => unknown(reason, 'associated_instance_ids')

  it('references naming exactly one instance this plan creates: that instance', () => {
    expect(element([created('web'), cc(['volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.web'])])).toEqual(symbolic('volcengine_ecs_instance.web'))
    expect(element([created('gone', { actions: ['update'] }), created('web'), cc(['volcengine_ecs_instance.gone.id', 'volcengine_ecs_instance.web.id'])])).toEqual(symbolic('volcengine_ecs_instance.web'))
  })

  it('references naming two instances: what the expression says, from its first reference', () => {
    expect(element([created('web'), created('app'), cc(['var.ids', 'volcengine_ecs_instance.web.id', 'volcengine_ecs_instance.app.id'])])).toEqual(unknownElement(`${listed} is computed from var.ids`))
  })

  it('by a literal key: that instance; by a key it does not create: what the expression says', () => {
    const webs = [created('web', { key: 0 }), created('web', { key: 1 })]
    expect(element([...webs, cc(['var.ids', 'volcengine_ecs_instance.web[1].id'])])).toEqual(symbolic('volcengine_ecs_instance.web[1]'))
    expect(element([...webs, cc(['volcengine_ecs_instance.web[7].id'])])).toEqual(unknownElement(`${listed} refers to volcengine_ecs_instance.web, of which this plan creates 2 instances: which one is not known`))
  })

  it('no expression, or references to no resource: unknown, with the reason of the expression', () => {
    expect(element([cc()])).toEqual(unknownElement(`${listed} is known only after apply`))
    expect(element([created('web'), cc(['var.ids'])])).toEqual(unknownElement(`${listed} is computed from var.ids`))
    expect(element([created('web'), cc(['x', 'local.ids'])])).toEqual(unknownElement(`${listed} is computed from local.ids`))
  })

  it('references whose first word Terraform reserves name no resource, even one the plan says it creates of that type', () => {
    const reserved = ['data', 'var', 'local', 'module', 'each', 'count'].map((type) => created('ids', { type, mode: 'managed' }))
    const p = plan([...reserved, created('web'), cc(['data.ids', 'var.ids', 'local.ids', 'module.ids', 'each.ids', 'count.ids', 'volcengine_ecs_instance.web.id'])])
    // A managed resource's address does not start with data. in a plan Terraform writes.
    ;((p.resource_changes as Array<Json>)[0] as Json).address = 'reserved.data_ids'
    expect(seen(checked(p), 'volcenginecc_vpc_ha_vip.db')).toEqual(symbolic('volcengine_ecs_instance.web'))
  })
})

describe('the local module calls the report lists, for finding the configuration files', () => {
  it('every call of a ./ or ../ source, nested ones by their full path, in the order of the configuration', () => {
    const p = plan([])
    ;(p.configuration as { root_module: Json }).root_module = {
      module_calls: {
        a: { source: './modules/a', module: { module_calls: { b: { source: '../b', module: {} }, reg: { source: 'registry.example/x/y', module: { module_calls: { c: { source: './c' } } } } } } },
        remote: { source: 'git::https://example.com/x.git' },
        bare: {},
        up: { source: '../common', module: { module_calls: { d: { source: './d', module: {} } } } },
      },
    }
    expect(checked(p).localModules).toEqual([
      { path: 'module.a', source: './modules/a' },
      { path: 'module.a.module.b', source: '../b' },
      { path: 'module.a.module.reg.module.c', source: './c' },
      { path: 'module.up', source: '../common' },
      { path: 'module.up.module.d', source: './d' },
    ])
  })
})
