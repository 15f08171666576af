import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanFinding, PlanReport, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * Named examples for how checkPlan reads Terraform addresses (issue 22, the plan mutation set):
 * instance keys in HCL's quoted-string syntax, in references and in module paths; the addresses it
 * refuses, each at its JSON path; the order it takes and reports changes in (Terraform's address
 * order); the lists of addresses its messages hold; and the account the plan leaves before its
 * bindings change (created instances and ENIs, attachments and detachments).
 */

const account = (): Snapshot => load({
  Region: 'cn-beijing',
  HaVips: ['h1', 'h2'].map((id) => ({ HaVipId: id, SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })),
  Instances: ['i-1', 'i-2'].map((id) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p-${id}`, SubnetId: 'subnet-a', Type: 'primary' }] })),
  NetworkInterfaces: [
    { NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: 'i-1', ServiceManaged: false },
    { NetworkInterfaceId: 'eni-2', SubnetId: 'subnet-a', Status: 'Available', Type: 'secondary', DeviceId: '', ServiceManaged: false },
  ],
  Quotas: { InstancesPerHaVip: 10, HaVipsPerInstance: 5 },
})

const checked = (p: unknown): PlanReport => {
  const result = checkPlan(account(), p)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const problems = (p: unknown): ReadonlyArray<{ path: string; message: string }> => {
  const result = checkPlan(account(), p)
  return E.isLeft(result) ? result.left.problems : []
}

const only = (p: unknown): PlanFinding => {
  const [f, ...rest] = checked(p).findings
  if (f === undefined || rest.length > 0) throw new Error('expected one finding')
  return f
}

/** A HaVip the plan creates, one instance per key (for_each). */
const createdHaVip = (key: number | string): ChangeSpec => ({ type: 'volcengine_ha_vip', name: 'h', key, actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true } })

/** An association of i-1 whose HaVip comes from these references. */
const boundTo = (references: ReadonlyArray<string>, extra: Partial<ChangeSpec> = {}): ChangeSpec => ({
  ...association('web', ['create'], { haVip: 'x', instance: 'i-1' }),
  after: { instance_id: 'i-1', instance_type: 'EcsInstance' },
  afterUnknown: { id: true, ha_vip_id: true },
  expressions: { ha_vip_id: { references } },
  ...extra,
})

/** The references Terraform writes for `volcengine_ha_vip.h[KEY].id`, the key as Terraform quotes it. */
const toKey = (quoted: string): ReadonlyArray<string> => [`volcengine_ha_vip.h[${quoted}].id`, `volcengine_ha_vip.h[${quoted}]`, 'volcengine_ha_vip.h']

describe('instance keys as Terraform quotes them, in a reference to one instance of a for_each resource', () => {
  // [the key, as Terraform writes it between the quotes]
  const keys: ReadonlyArray<readonly [string, string]> = [
    ['plain', 'plain'],
    ['a\nb\tc\rd"e\\f', 'a\\nb\\tc\\rd\\"e\\\\f'],
    ['${v}', '$${v}'],
    ['%{w}', '%%{w}'],
    ['$$x %%y $x{ %x{ aa{ ab{', '$$x %%y $x{ %x{ aa{ ab{'],
    ['éz É', '\\u00e9z \\u00C9'],
    ['😀!', '\\U0001F600!'],
    ['\u{10ffff}', '\\U0010FFFF'],
    ['\ud7ff\ue000', '\\uD7FF\\uE000'],
    ['k\u{e0001}é\n${x}', 'k\\U000e0001\\u00e9\\n$${x}'],
  ]

  it.each(keys)('the key %j, written "%s", names that instance: the binding is to the HaVip the plan creates, and passes', (key, quoted) => {
    const f = only(plan([createdHaVip('other'), createdHaVip(key), boundTo(toKey(`"${quoted}"`))]))
    expect([f.address, f.haVipId, f.instanceId, f.verdict]).toEqual(['volcengine_ha_vip_associate.web', `volcengine_ha_vip.h[${JSON.stringify(key)}]`, 'i-1', 'pass'])
  })

  it('a key that names no instance the plan creates leaves the HaVip unknown', () => {
    const f = only(plan([createdHaVip('other'), createdHaVip('a'), boundTo(toKey('"b"'))]))
    expect([f.verdict, f.unknowns]).toEqual(['unknown', [{ attribute: 'ha_vip_id', reason: 'ha_vip_id of volcengine_ha_vip_associate.web refers to volcengine_ha_vip.h, of which this plan creates 2 instances: which one is not known' }]])
  })

  // Escapes Terraform never writes: the reference is refused at its path.
  const bad: ReadonlyArray<readonly [string, string]> = [
    ['an unknown escape', '\\x'],
    ['\\u with two digits', '\\u12'],
    ['\\u with letters that are not hex digits', '\\uZZZZ'],
    ['\\U with four digits', '\\U00e9'],
    ['\\U past U+10FFFF', '\\U00110000'],
    ['the first surrogate', '\\uD800'],
    ['the last surrogate', '\\uDFFF'],
    ['a good escape, then a bad one', '\\u00e9\\n\\q'],
  ]

  it.each(bad)('%s (%s) is refused at the reference\'s JSON path', (_, quoted) => {
    const [ref0 = '', ref1 = ''] = toKey(`"${quoted}"`)
    const message = (ref: string) => `the reference ${JSON.stringify(ref)} has a key that is not quoted as Terraform quotes it (a bad escape)`
    expect(problems(plan([createdHaVip('a'), boundTo(toKey(`"${quoted}"`))]))).toEqual([
      { path: 'configuration.root_module.resources[1].expressions.ha_vip_id.references[0]', message: message(ref0) },
      { path: 'configuration.root_module.resources[1].expressions.ha_vip_id.references[1]', message: message(ref1) },
    ])
  })

  it('an address whose module key is good and whose own key is not is refused at the address', () => {
    const p = plan([{ ...association('web', ['create'], { haVip: 'h1', instance: 'i-1' }), module: 'module.m["ok"]', key: 'x' }])
    const changes = (p.resource_changes as Array<Record<string, unknown>>)
    changes[0] = { ...changes[0], address: 'module.m["ok"].volcengine_ha_vip_associate.web["\\q"]' }
    expect(problems(p)).toEqual([{ path: 'resource_changes[0].address', message: 'the address "module.m[\\"ok\\"].volcengine_ha_vip_associate.web[\\"\\\\q\\"]" has a key that is not quoted as Terraform quotes it (a bad escape)' }])
  })
})

describe('module paths: instance keys, and what is not a module path', () => {
  /**
   * An association inside `module.m[KEY]` whose HaVip is the module's input `havip`, given as
   * `volcengine_ha_vip.h[each.key].id`: the module path's key names the root instance.
   */
  const inModule = (moduleAddress: string, key: number | string) => {
    const p = plan([createdHaVip('other'), createdHaVip(key), boundTo(['var.havip'], { module: moduleAddress })])
    const root = (p.configuration as { root_module: { module_calls: Record<string, Record<string, unknown>> } }).root_module
    root.module_calls.m = { ...root.module_calls.m, expressions: { havip: { references: ['volcengine_ha_vip.h', 'each.key'] } } }
    return p
  }

  it.each([
    ['a\n${b}é', 'module.m["a\\n$${b}\\u00e9"]'],
    ['%{c}"', 'module.m["%%{c}\\""]'],
    [12, 'module.m[12]'],
  ] as const)('the key %j of %s is the instance key each.key stands for', (key, moduleAddress) => {
    const f = only(inModule(moduleAddress, key))
    expect([f.address, f.haVipId, f.verdict]).toEqual([`${moduleAddress}.volcengine_ha_vip_associate.web`, `volcengine_ha_vip.h[${JSON.stringify(key)}]`, 'pass'])
  })

  it('through two module calls: module.a["x"].module.b[3] reads var.havip from b\'s call, and that from a\'s, keyed by a\'s key', () => {
    const p = plan([createdHaVip('other'), createdHaVip('x'), boundTo(['var.havip'], { module: 'module.a["x"].module.b[3]' })])
    const a = (p.configuration as { root_module: { module_calls: Record<string, { module: { module_calls: Record<string, Record<string, unknown>> } } & Record<string, unknown>> } }).root_module.module_calls
    const callA = a.a
    if (callA === undefined) throw new Error('no module a')
    callA.expressions = { havip: { references: ['volcengine_ha_vip.h', 'each.key'] } }
    callA.module.module_calls.b = { ...callA.module.module_calls.b, expressions: { havip: { references: ['var.havip'] } } }
    const f = only(p)
    expect([f.address, f.haVipId, f.verdict]).toEqual(['module.a["x"].module.b[3].volcengine_ha_vip_associate.web', 'volcengine_ha_vip.h["x"]', 'pass'])
  })

  const refused = (moduleAddress: string) => `${JSON.stringify(moduleAddress)} is not a module address such as module.a["x"].module.b[0]`
  const withModuleAddress = (moduleAddress: string) => {
    const p = plan([association('web', ['create'], { haVip: 'h1', instance: 'i-1' })])
    const changes = p.resource_changes as Array<Record<string, unknown>>
    changes[0] = { ...changes[0], module_address: moduleAddress }
    return p
  }

  it.each(['module.a["\\x"]', 'module.1a', 'mod.a', 'module.a[x]', 'module.a[1', 'module.a.module', 'module.a["\\uD800"].module.b'])('%s is refused at module_address', (moduleAddress) => {
    expect(problems(withModuleAddress(moduleAddress))).toEqual([{ path: 'resource_changes[0].module_address', message: refused(moduleAddress) }])
  })

  it('a bad key in both the address and the module path is refused at both', () => {
    const p = plan([{ ...association('web', ['create'], { haVip: 'h1', instance: 'i-1' }), module: 'module.a["\\x"]' }])
    expect(problems(p)).toEqual([
      { path: 'resource_changes[0].address', message: 'the address "module.a[\\"\\\\x\\"].volcengine_ha_vip_associate.web" has a key that is not quoted as Terraform quotes it (a bad escape)' },
      { path: 'resource_changes[0].module_address', message: refused('module.a["\\x"]') },
    ])
  })

  it('an empty module_address is the root module', () => {
    const f = only(withModuleAddress(''))
    expect([f.address, f.haVipId, f.verdict]).toEqual(['volcengine_ha_vip_associate.web', 'h1', 'pass'])
  })
})

describe('Terraform\'s address order, whatever order the plan lists changes in', () => {
  const at = (name: string, key?: number | string, module?: string): ChangeSpec => ({
    ...association(name, ['create'], { haVip: 'h1', instance: 'i-1' }),
    ...(key === undefined ? {} : { key }),
    ...(module === undefined ? {} : { module }),
  })
  const orderOf = (changes: ReadonlyArray<ChangeSpec>) => checked(plan(changes)).findings.map((f) => f.address)
  const shuffles = <T>(xs: ReadonlyArray<T>): ReadonlyArray<ReadonlyArray<T>> => [
    [...xs].reverse(),
    [...xs.slice(3), ...xs.slice(0, 3)],
    xs.flatMap((x, i) => (i % 2 === 0 ? [x] : [])).concat(xs.flatMap((x, i) => (i % 2 === 1 ? [x] : []))).reverse(),
  ]

  it('within a resource: no key first, then numbers as numbers, then keys as strings', () => {
    const sorted = [at('x'), at('x', 0), at('x', 2), at('x', 10), at('x', '1'), at('x', 'B'), at('x', 'a'), at('x', 'b')]
    const expected = ['x', 'x[0]', 'x[2]', 'x[10]', 'x["1"]', 'x["B"]', 'x["a"]', 'x["b"]'].map((a) => `volcengine_ha_vip_associate.${a}`)
    for (const changes of shuffles(sorted)) expect(orderOf(changes)).toEqual(expected)
  })

  it('string keys alone, and a number with a string that reads as a smaller number', () => {
    expect(orderOf([at('x', 'b'), at('x', 'a')])).toEqual(['volcengine_ha_vip_associate.x["a"]', 'volcengine_ha_vip_associate.x["b"]'])
    expect(orderOf([at('x', 'a'), at('x', 'b')])).toEqual(['volcengine_ha_vip_associate.x["a"]', 'volcengine_ha_vip_associate.x["b"]'])
    expect(orderOf([at('x', '1'), at('x', 5)])).toEqual(['volcengine_ha_vip_associate.x[5]', 'volcengine_ha_vip_associate.x["1"]'])
    expect(orderOf([at('x', 5), at('x', '1')])).toEqual(['volcengine_ha_vip_associate.x[5]', 'volcengine_ha_vip_associate.x["1"]'])
    expect(orderOf([at('x', 0), at('x')])).toEqual(['volcengine_ha_vip_associate.x', 'volcengine_ha_vip_associate.x[0]'])
    expect(orderOf([at('x'), at('x', 0)])).toEqual(['volcengine_ha_vip_associate.x', 'volcengine_ha_vip_associate.x[0]'])
  })

  it('the root module first, then module paths step by step (a path before the paths that extend it)', () => {
    const modules = ['', 'module.a', 'module.a.module.b', 'module.a.module.c', 'module.a[0]', 'module.a[0].module.b', 'module.a[1]', 'module.a["k"]', 'module.b']
    const sorted = modules.map((m) => at('x', undefined, m === '' ? undefined : m))
    const expected = modules.map((m) => `${m === '' ? '' : `${m}.`}volcengine_ha_vip_associate.x`)
    for (const changes of shuffles(sorted)) expect(orderOf(changes)).toEqual(expected)
  })

  it('paths that differ only in a later step', () => {
    const expected = ['module.a.module.b.volcengine_ha_vip_associate.x', 'module.a.module.c.volcengine_ha_vip_associate.x']
    expect(orderOf([at('x', undefined, 'module.a.module.c'), at('x', undefined, 'module.a.module.b')])).toEqual(expected)
    expect(orderOf([at('x', undefined, 'module.a.module.b'), at('x', undefined, 'module.a.module.c')])).toEqual(expected)
  })
})

describe('lists of addresses in a reason: a, a and b, a, b and c, a, b, c and N more', () => {
  /** An attachment of an ENI read from a data source at apply time. */
  const attach = (name: string): ChangeSpec => ({
    type: 'volcengine_network_interface_attach', name, actions: ['create'],
    after: { instance_id: 'i-1' }, afterUnknown: { id: true, network_interface_id: true },
    expressions: { network_interface_id: { references: ['data.volcengine_network_interfaces.pool.network_interfaces', 'data.volcengine_network_interfaces.pool'] } },
  })
  const bindEni2 = association('bind', ['create'], { haVip: 'h1', instance: 'eni-2', type: 'NetworkInterface' })
  const reason = (n: number) => {
    const f = only(plan([...Array.from({ length: n }, (_, i) => attach(`a${String(i + 1)}`)), bindEni2]))
    expect(f.verdict).toBe('unknown')
    return f.unknowns
  }
  const a = (i: number) => `volcengine_network_interface_attach.a${String(i)}`

  it.each([
    [1, `${a(1)} attaches or detaches`],
    [2, `${a(1)} and ${a(2)} attach or detach`],
    [3, `${a(1)}, ${a(2)} and ${a(3)} attach or detach`],
    [4, `${a(1)}, ${a(2)}, ${a(3)} and 1 more attach or detach`],
    [6, `${a(1)}, ${a(2)}, ${a(3)} and 3 more attach or detach`],
  ] as const)('%i attachments of an unknown ENI: "%s …"', (n, named) => {
    expect(reason(n)).toEqual([{ attribute: 'network_interface_id', reason: `${named} an ENI known only after apply: it may be this one` }])
  })

  it('without them, binding an ENI attached to nothing fails', () => {
    const f = only(plan([bindEni2]))
    expect([f.verdict, f.violations.map((v) => [v.id, v.facts])]).toEqual(['fail', [['Forbidden.EniNotAttachedToEcs', 'ENI eni-2 is attached to no instance']]])
  })
})

describe('the account as the plan leaves it before its bindings change', () => {
  it('an instance the plan creates is an ECS instance: bound twice to one HaVip, the second is refused as already bound', () => {
    const created: ChangeSpec = { type: 'volcengine_ecs_instance', name: 'vm', actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true } }
    const toVm = (name: string): ChangeSpec => ({
      ...association(name, ['create'], { haVip: 'h1', instance: 'x' }),
      after: { ha_vip_id: 'h1', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
      expressions: { ha_vip_id: { constant_value: 'h1' }, instance_id: { references: ['volcengine_ecs_instance.vm.id', 'volcengine_ecs_instance.vm'] } },
    })
    const findings = checked(plan([created, toVm('a'), toVm('b')])).findings
    expect(findings.map((f) => [f.address, f.instanceId, f.verdict, f.violations.map((v) => v.id)])).toEqual([
      ['volcengine_ha_vip_associate.a', 'volcengine_ecs_instance.vm', 'pass', []],
      ['volcengine_ha_vip_associate.b', 'volcengine_ecs_instance.vm', 'fail', ['Forbidden.InstanceAlreadyAssociated']],
    ])
  })

  it('an ENI the plan detaches is attached to no instance', () => {
    const detach: ChangeSpec = { type: 'volcengine_network_interface_attach', name: 'old', actions: ['delete'], before: { network_interface_id: 'eni-1', instance_id: 'i-1' } }
    const f = only(plan([detach, association('bind', ['create'], { haVip: 'h1', instance: 'eni-1', type: 'NetworkInterface' })]))
    expect([f.verdict, f.violations.map((v) => [v.id, v.facts])]).toEqual(['fail', [['Forbidden.EniNotAttachedToEcs', 'ENI eni-1 is attached to no instance']]])
  })

  it('attaching an ENI that does not exist adds no ENI: binding it is refused as not found', () => {
    const ghost: ChangeSpec = { type: 'volcengine_network_interface_attach', name: 'ghost', actions: ['create'], after: { network_interface_id: 'eni-ghost', instance_id: 'i-1' }, afterUnknown: { id: true } }
    const f = only(plan([ghost, association('bind', ['create'], { haVip: 'h1', instance: 'eni-ghost', type: 'NetworkInterface' })]))
    expect([f.verdict, f.violations.map((v) => v.id)]).toEqual(['fail', ['InvalidEniId.NotFound']])
  })

  it('a HaVip the plan creates is Available and bound to nothing: an ENI binds to it once', () => {
    const created: ChangeSpec = { type: 'volcengine_ha_vip', name: 'new', actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true } }
    const f = only(plan([created, boundTo(['volcengine_ha_vip.new.id', 'volcengine_ha_vip.new'])]))
    expect([f.haVipId, f.verdict]).toEqual(['volcengine_ha_vip.new', 'pass'])
  })
})
