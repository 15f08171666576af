import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect } from 'vitest'
import type { InstanceType, PlanFinding, SnapshotJson } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import type { ChangeSpec } from './support/plans.js'
import { plan } from './support/plans.js'
import { runs } from './support/runs.js'
import type { Binding, Call, Candidates, Created, Val } from './spec/plan.js'
import { accountWith, documentedOrder, enumerate, refusedIn, resolutions } from './spec/plan.js'

/**
 * The plan check where unknown and certain changes meet, against the brute-force reference of
 * test/spec/plan.ts: every way the plan's unknowns can turn out, each applied in every order
 * Terraform may choose. What docs/terraform.md promises of the verdicts:
 * - fail: the API refuses it whatever the unknowns are (an unknown never hides a known failure),
 *   so in every resolution some order refuses it;
 * - pass: the API accepts it, so it is never refused in every order of every resolution; and a
 *   change of known values that passes is accepted in the worst order the document names (the
 *   changes judged fail leave nothing) however the changes of unknown outcome before it turn out
 *   ("a later change fails only if it fails both ways", and is unknown when it fails one way);
 * - with every value known the answer is exact: no unknown, and a failure exactly when some order
 *   meets a refusal.
 */

const subnets = ['subnet-a', 'subnet-b'] as const
const instances = ['i-1', 'i-2', 'i-3'] as const
const enis = ['eni-1', 'eni-2'] as const
const haVips = ['havip-1', 'havip-2'] as const

/** What a data source may return at apply time, by what the slot is. */
const pools = {
  haVip: [...haVips],
  EcsInstance: [...instances],
  NetworkInterface: [...enis],
  subnet: [...subnets, 'subnet-c'],
} as const

interface Account { readonly json: SnapshotJson; readonly bindings: ReadonlyArray<{ haVip: string; instance: string; type: InstanceType }> }

/** A small account near its limits: quotas of 1 to 3, HaVips partly full, targets in two subnets. */
const accountArbitrary: fc.Arbitrary<Account> = fc.record({
  instanceSubnets: fc.tuple(...instances.map(() => fc.constantFrom(...subnets))),
  eniSubnets: fc.tuple(...enis.map(() => fc.constantFrom(...subnets))),
  haVipSubnets: fc.tuple(...haVips.map(() => fc.constantFrom(...subnets))),
  haVipTypes: fc.tuple(...haVips.map(() => fc.constantFrom<InstanceType>('EcsInstance', 'EcsInstance', 'NetworkInterface'))),
  wanted: fc.tuple(...haVips.map(() => fc.subarray([0, 1, 2]))),
  perHaVip: fc.integer({ min: 1, max: 3 }),
  perInstance: fc.integer({ min: 1, max: 2 }),
}).map(({ instanceSubnets, eniSubnets, haVipSubnets, haVipTypes, wanted, perHaVip, perInstance }) => {
  const count = new Map<string, number>()
  const bindings: Array<{ haVip: string; instance: string; type: InstanceType }> = []
  const held = haVips.map((h, i) => {
    const type = haVipTypes[i] ?? 'EcsInstance'
    const pool: ReadonlyArray<string> = type === 'EcsInstance' ? instances : enis
    const ids = (wanted[i] ?? []).flatMap((k) => {
      const id = pool[k]
      return id === undefined ? [] : [id]
    }).filter((id) => {
      const n = count.get(id) ?? 0
      if (n >= perInstance) return false
      count.set(id, n + 1)
      return true
    }).slice(0, perHaVip)
    for (const id of ids) bindings.push({ haVip: h, instance: id, type })
    return { HaVipId: h, SubnetId: haVipSubnets[i] ?? 'subnet-a', Status: ids.length > 0 ? 'InUse' : 'Available', AssociatedInstanceType: ids.length > 0 ? type : ('' as const), AssociatedInstanceIds: ids }
  })
  const json: SnapshotJson = {
    Region: 'cn-beijing',
    HaVips: held,
    Instances: instances.map((id, i) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: instanceSubnets[i] ?? 'subnet-a', Type: 'primary' }] })),
    NetworkInterfaces: enis.map((id, i) => ({ NetworkInterfaceId: id, SubnetId: eniSubnets[i] ?? 'subnet-a', Status: 'InUse', Type: 'secondary', DeviceId: instances[i] ?? 'i-1', ServiceManaged: false })),
    Quotas: { InstancesPerHaVip: perHaVip, HaVipsPerInstance: perInstance },
  }
  return { json, bindings }
})

type Kind = 'create' | 'delete' | 'delete-then-create' | 'create-then-delete'

interface RawResource {
  readonly kind: Kind
  readonly haVip: 'known' | 'unknown' | 'planned'
  readonly target: 'known' | 'unknown' | 'planned'
  readonly type: InstanceType
  readonly pick: number
  readonly old: number
}

/** A generated plan: what it creates, its association resources' calls, the candidates of each slot. */
interface Generated {
  readonly account: Account
  readonly created: Created
  readonly calls: ReadonlyArray<Call>
  readonly lists: ReadonlyArray<ReadonlyArray<number>>
  readonly candidates: Candidates
  readonly changes: ReadonlyArray<ChangeSpec>
}

const reference = (v: Val, what: 'haVip' | 'instance'): Readonly<Record<string, unknown>> =>
  'slot' in v
    ? what === 'haVip' ? { references: ['data.volcengine_ha_vips.pool.ha_vips', 'data.volcengine_ha_vips.pool'] } : { references: ['data.volcengine_ecs_instances.pool.instances', 'data.volcengine_ecs_instances.pool'] }
    : 'created' in v
      ? v.created === 'haVip' ? { references: ['volcengine_ha_vip.planned.id', 'volcengine_ha_vip.planned'] } : { references: ['volcengine_ecs_instance.planned.id', 'volcengine_ecs_instance.planned'] }
      : { constant_value: v.known }

/** The plan of a created resource: its subnet known or read from a data source. */
const creator = (type: string, subnet: Val): ChangeSpec => ({
  type, name: 'planned', actions: ['create'],
  after: 'known' in subnet ? { subnet_id: subnet.known } : {},
  afterUnknown: 'known' in subnet ? { id: true } : { id: true, subnet_id: true },
  expressions: { subnet_id: 'known' in subnet ? { constant_value: subnet.known } : { references: ['data.volcengine_subnets.pool.subnets', 'data.volcengine_subnets.pool'] } },
})

const association = (name: string, actions: ReadonlyArray<string>, after: Binding | undefined, before: { haVip: string; instance: string; type: InstanceType } | undefined): ChangeSpec => {
  const known = (v: Val | undefined): v is { known: string } => v !== undefined && 'known' in v
  return {
    type: 'volcengine_ha_vip_associate', name, actions,
    before: before === undefined ? null : { id: `${before.haVip}:${before.instance}`, ha_vip_id: before.haVip, instance_id: before.instance, instance_type: before.type },
    after: after === undefined ? null : { instance_type: after.type, ...(known(after.haVip) ? { ha_vip_id: after.haVip.known } : {}), ...(known(after.instance) ? { instance_id: after.instance.known } : {}) },
    afterUnknown: after === undefined ? {} : { id: true, ...(known(after.haVip) ? {} : { ha_vip_id: true }), ...(known(after.instance) ? {} : { instance_id: true }) },
    expressions: after === undefined ? {} : { ha_vip_id: reference(after.haVip, 'haVip'), instance_id: reference(after.instance, 'instance'), instance_type: { constant_value: after.type } },
  }
}

const subnetArbitrary = fc.constantFrom<'none' | 'subnet-a' | 'subnet-b' | 'unknown'>('none', 'none', 'subnet-a', 'subnet-b', 'unknown')

const generatedArbitrary = (maxResources: number, maxCalls: number, maxSlots: number): fc.Arbitrary<Generated> => fc.record({
  account: accountArbitrary,
  instance: subnetArbitrary,
  haVip: subnetArbitrary,
  raw: fc.array(fc.record({
    kind: fc.constantFrom<Kind>('create', 'create', 'create', 'delete', 'delete-then-create', 'create-then-delete'),
    haVip: fc.constantFrom<RawResource['haVip']>('known', 'known', 'known', 'unknown', 'planned'),
    target: fc.constantFrom<RawResource['target']>('known', 'known', 'known', 'unknown', 'planned'),
    type: fc.constantFrom<InstanceType>('EcsInstance', 'EcsInstance', 'NetworkInterface'),
    pick: fc.nat(),
    old: fc.nat(),
  }), { minLength: 1, maxLength: maxResources }),
  names: fc.shuffledSubarray(['a', 'b', 'c', 'd', 'e', 'f'], { minLength: 6, maxLength: 6 }),
}).map(({ account, instance, haVip, raw, names }): Generated => {
  const candidates: Array<ReadonlyArray<string>> = []
  const slot = (pool: ReadonlyArray<string>): Val => {
    candidates.push(pool)
    return { slot: candidates.length - 1 }
  }
  const createdSubnet = (s: typeof instance): Val | undefined => (s === 'none' ? undefined : s === 'unknown' ? slot(pools.subnet) : { known: s })
  const created: Created = { ...(instance === 'none' ? {} : { instance: createdSubnet(instance) }), ...(haVip === 'none' ? {} : { haVip: createdSubnet(haVip) }) }
  const changes: Array<ChangeSpec> = []
  if (created.instance !== undefined) changes.push(creator('volcengine_ecs_instance', created.instance))
  if (created.haVip !== undefined) changes.push(creator('volcengine_ha_vip', created.haVip))
  const calls: Array<Call> = []
  const lists: Array<ReadonlyArray<number>> = []
  const usedOld = new Set<number>()
  for (const [i, r] of raw.entries()) {
    const name = names[i] ?? `z${String(i)}`
    const address = `volcengine_ha_vip_associate.${name}`
    const oldIndex = r.kind === 'create' || account.bindings.length === 0 ? undefined : r.old % account.bindings.length
    if (r.kind !== 'create' && (oldIndex === undefined || usedOld.has(oldIndex))) continue
    const old = oldIndex === undefined ? undefined : account.bindings[oldIndex]
    const n = r.kind === 'create' || r.kind === 'delete' ? 1 : 2
    const wantsSlots = r.kind === 'delete' ? 0 : Number(r.haVip === 'unknown') + Number(r.target === 'unknown')
    if (calls.length + n > maxCalls || candidates.length + wantsSlots > maxSlots) continue
    if (oldIndex !== undefined) usedOld.add(oldIndex)
    const pool: ReadonlyArray<string> = r.type === 'EcsInstance' ? pools.EcsInstance : pools.NetworkInterface
    const after: Binding | undefined = r.kind === 'delete' ? undefined : {
      haVip: r.haVip === 'unknown' ? slot(pools.haVip) : r.haVip === 'planned' && created.haVip !== undefined ? { created: 'haVip' } : { known: haVips[r.pick % haVips.length] ?? 'havip-1' },
      instance: r.target === 'unknown' ? slot(pool) : r.target === 'planned' && created.instance !== undefined && r.type === 'EcsInstance' ? { created: 'instance' } : { known: pool[r.pick % pool.length] ?? 'i-1' },
      type: r.type,
    }
    changes.push(association(name, r.kind === 'create' ? ['create'] : r.kind === 'delete' ? ['delete'] : r.kind === 'delete-then-create' ? ['delete', 'create'] : ['create', 'delete'], after, old))
    const A = after === undefined ? undefined : { address, action: 'AssociateHaVip' as const, binding: after, deleteFirst: false }
    const D = old === undefined ? undefined : { address, action: 'DisassociateHaVip' as const, binding: { haVip: { known: old.haVip }, instance: { known: old.instance }, type: old.type }, deleteFirst: r.kind === 'delete-then-create' }
    const own = r.kind === 'create-then-delete' ? [A, D] : [D, A]
    const indices: Array<number> = []
    for (const c of own) {
      if (c === undefined) continue
      indices.push(calls.length)
      calls.push(c)
    }
    lists.push(indices)
  }
  return { account, created, calls, lists, candidates, changes }
})

const keyOf = (address: string, action: string): string => `${address} ${action}`

/** The findings, one per call of the reference. */
const findingsOf = (g: Generated): ReadonlyArray<PlanFinding> => {
  const checked = checkPlan(accountWith(g.account.json, {}, []), plan(g.changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  const byKey = new Map(checked.right.findings.map((f) => [keyOf(f.address, f.action), f]))
  expect(checked.right.findings).toHaveLength(g.calls.length)
  return g.calls.map((c) => {
    const f = byKey.get(keyOf(c.address, c.action))
    if (f === undefined) throw new Error(`no finding for ${keyOf(c.address, c.action)}`)
    return f
  })
}

/** A call whose own values the plan says: known ids, or resources it creates in a known subnet. */
const certain = (g: Generated, c: Call): boolean => [c.binding.haVip, c.binding.instance].every((v) =>
  'known' in v || ('created' in v && g.created[v.created] !== undefined && 'known' in (g.created[v.created] ?? { slot: 0 })))

const describeCase = (g: Generated, findings: ReadonlyArray<PlanFinding>): string =>
  JSON.stringify({ account: g.account.json, created: g.created, calls: g.calls, candidates: g.candidates, verdicts: findings.map((f) => [f.address, f.action, f.verdict, f.violations.map((v) => v.id)]) })

describe('the plan check against every resolution of its unknowns and every order', () => {
  test.prop([generatedArbitrary(4, 5, 2)], { numRuns: runs(400) })('fail: refused in every resolution; pass: never refused everywhere, and accepted both ways in the worst order', (g) => {
    const findings = findingsOf(g)
    const cases = enumerate(g.account.json, g.created, g.calls, g.lists, g.candidates)
    const context = describeCase(g, findings)
    findings.forEach((f, i) => {
      if (f.verdict === 'fail') expect(cases.refusedSomewhere[i], `${f.address} ${f.action} fails, but some resolution is never refused: ${context}`).toBe(cases.resolutions)
      if (cases.refusedEverywhere[i] === true) expect(f.verdict, `${f.address} ${f.action} is refused in every case: ${context}`).not.toBe('pass')
    })
    // Judged on what the changes before it leave, both ways: the changes judged fail leave nothing.
    const order = documentedOrder(g.calls)
    const failed = new Set(findings.flatMap((f, i) => (f.verdict === 'fail' ? [i] : [])))
    for (const resolution of resolutions(g.candidates)) {
      const refused = refusedIn(accountWith(g.account.json, g.created, resolution), g.calls, order, resolution, failed)
      findings.forEach((f, i) => {
        const c = g.calls[i]
        if (c !== undefined && f.verdict === 'pass' && certain(g, c)) expect(refused.has(i), `${f.address} ${f.action} passes, but is refused when the unknowns are ${JSON.stringify(resolution)}: ${context}`).toBe(false)
      })
    }
  })

  test.prop([generatedArbitrary(4, 5, 0)], { numRuns: runs(400) })('with every value known or planned in a known subnet: no unknown, and a failure exactly when some order is refused', (g) => {
    const findings = findingsOf(g)
    const cases = enumerate(g.account.json, g.created, g.calls, g.lists, g.candidates)
    const context = describeCase(g, findings)
    expect(findings.filter((f) => f.verdict === 'unknown'), context).toEqual([])
    expect(findings.some((f) => f.verdict === 'fail'), context).toBe(cases.refusedSomewhere.some((n) => n > 0))
  })
})
