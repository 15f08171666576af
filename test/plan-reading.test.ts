import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import { association, nestedModules, plan } from './support/plans.js'
import { load } from './support/snapshots.js'
import { runs } from './support/runs.js'

/**
 * What a user may hand `checkPlan` by mistake, and what an attacker may: each is a Left naming its
 * path, never a throw. In the test process, so that a mutation run sees it; what `havip plan` makes
 * of the same inputs is in plan-inputs.test.ts.
 */

const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
const account = (): Snapshot => load(JSON.parse(readFileSync(join(fixtures, 'account.json'), 'utf8')))

const problems = (planJson: unknown): ReadonlyArray<{ path: string; message: string }> => {
  const checked = checkPlan(account(), planJson)
  return E.isLeft(checked) ? checked.left.problems : []
}

describe('what is not a plan', () => {
  const state = { format_version: '1.0', terraform_version: '1.9.8', values: { root_module: { resources: [{ address: 'volcengine_ha_vip.db', mode: 'managed', type: 'volcengine_ha_vip', name: 'db', values: { id: 'havip-1' } }] } } }

  it('a Terraform state is a Left that says so and names the command to run', () => {
    const [problem] = problems(state)
    expect(problem?.path).toBe('')
    expect(problem?.message).toContain('is a Terraform state')
    expect(problem?.message).toContain('terraform show -json PLANFILE')
  })

  it('an object with a format version and nothing of a plan is a Left; a plan with nothing to change is read', () => {
    expect(problems({ format_version: '1.2' })[0]?.message).toContain('neither planned_values nor resource_changes')
    expect(problems({ format_version: '1.0' })).toHaveLength(1)
    const nothing = checkPlan(account(), { format_version: '1.2', terraform_version: '1.9.8', planned_values: { root_module: {} }, configuration: { root_module: {} } })
    expect(E.isRight(nothing) && nothing.right.summary).toEqual({ pass: 0, fail: 0, unknown: 0 })
  })

})

describe('hostile plans: a Left naming the path, never a throw', () => {

  it('module_calls nested 1,200 deep', () => {
    const [problem] = problems(nestedModules(1200))
    expect(problem?.path).toMatch(/^configuration\.root_module\.module_calls\.a\.module\.module_calls/)
    expect(problem?.message).toContain('nests deeper than 256 levels')
    // 80 modules deep is still a plan.
    expect(E.isRight(checkPlan(account(), nestedModules(80)))).toBe(true)
  })

  it('a bad escape in a module address, a resource address and a reference', () => {
    const badModule = plan([{ ...association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }), module: 'module.a["\\x"]' }])
    expect(problems(badModule).map((p) => p.path)).toEqual(['resource_changes[0].address', 'resource_changes[0].module_address'])
    const badReference = plan([{
      ...association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }),
      afterUnknown: { ha_vip_id: true }, expressions: { ha_vip_id: { references: ['h["\\q"].id', 'h'] } },
    }])
    const [problem] = problems(badReference)
    expect(problem?.path).toBe('configuration.root_module.resources[0].expressions.ha_vip_id.references[0]')
    expect(problem?.message).toContain('a bad escape')
  })

  it('reads the escapes Terraform writes: \\U000e0001, \\u00e9, \\n, $${', () => {
    const key = 'k\u{e0001}é\n${x}'
    const quoted = '"k\\U000e0001\\u00e9\\n$${x}"'
    const p = plan([
      { type: 'volcengine_ha_vip', name: 'h', key, actions: ['create'], after: { subnet_id: 'subnet-a' }, afterUnknown: { id: true } },
      {
        ...association('web', ['create'], { haVip: 'x', instance: 'i-a1' }), key,
        after: { instance_id: 'i-a1', instance_type: 'EcsInstance' }, afterUnknown: { id: true, ha_vip_id: true },
        expressions: { ha_vip_id: { references: [`volcengine_ha_vip.h[${quoted}].id`, `volcengine_ha_vip.h[${quoted}]`, 'volcengine_ha_vip.h'] } },
      },
    ])
    const checked = checkPlan(account(), p)
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    expect(checked.right.findings.map((f) => f.haVipId)).toEqual([`volcengine_ha_vip.h[${JSON.stringify(key)}]`])
  })

  // JSON-ish values a hostile plan may hold where the check reads: addresses, module paths, keys,
  // references, actions, values of every type, and deep nesting.
  const hostileText = fc.oneof(
    fc.string(),
    fc.constantFrom('module.a["\\x"]', 'h["\\q"].id', 'module.a["\\U000e0001"]', 'module.', 'module.a[', 'x["', '["\\', '__proto__', 'constructor', 'data.x.y[0]', 'volcengine_ha_vip.h["\\uD800"]', 'var.x', 'module.m.out', 'count.index', 'each.value'),
    fc.string().map((s) => `module.${s}`),
    fc.string().map((s) => `volcengine_ha_vip.h[${JSON.stringify(s)}].id`),
  )
  const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, hostileText, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(hostileText, tie('value'), { maxKeys: 3 })),
  })).value
  const hostileChange = fc.record({
    address: hostileText, module_address: fc.option(hostileText, { nil: undefined }), mode: fc.constantFrom('managed', 'data', 'x'),
    type: fc.constantFrom('volcengine_ha_vip_associate', 'volcenginecc_vpc_ha_vip', 'volcengine_ha_vip', 'volcengine_network_interface_attach', 'volcengine_ecs_instance', 'x'),
    name: hostileText, index: fc.option(fc.oneof(fc.integer(), hostileText), { nil: undefined }),
    change: fc.record({ actions: fc.array(fc.constantFrom('create', 'delete', 'update', 'read', 'no-op', 'forget')), before: hostileValue, after: hostileValue, after_unknown: hostileValue }),
  }, { requiredKeys: ['address', 'type', 'name', 'change'] })
  const hostileModule: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    module: fc.record({
      resources: fc.array(fc.record({ address: hostileText, mode: fc.constantFrom('managed', 'data'), type: fc.constantFrom('volcengine_ha_vip_associate', 'volcengine_ha_vip'), name: hostileText, expressions: fc.dictionary(fc.constantFrom('ha_vip_id', 'instance_id', 'subnet_id', 'associated_instance_ids'), fc.record({ references: fc.array(hostileText, { maxLength: 3 }), constant_value: hostileValue }, { requiredKeys: [] })) }), { maxLength: 3 }),
      module_calls: fc.dictionary(hostileText, fc.record({ source: hostileText, expressions: hostileValue, module: tie('module') }, { requiredKeys: [] }), { maxKeys: 2 }),
      outputs: hostileValue,
    }, { requiredKeys: [] }),
  })).module

  test.prop([fc.oneof(
    hostileValue,
    fc.record({ format_version: fc.constantFrom('1.2', '0.1', '2.0'), planned_values: hostileValue, resource_changes: fc.array(hostileChange, { maxLength: 6 }), configuration: fc.record({ root_module: hostileModule }) }, { requiredKeys: ['format_version'] }),
    fc.nat({ max: 2000 }).map(nestedModules),
  )], { numRuns: runs(300) })('checkPlan never throws on hostile JSON-ish input', (input) => {
    const checked = checkPlan(account(), input)
    expect(E.isLeft(checked) || Array.isArray(checked.right.findings)).toBe(true)
  })
})

describe('the id of the HaVip a volcenginecc_vpc_ha_vip updates', () => {
  const update = (before: Readonly<Record<string, unknown>>) => plan([{
    type: 'volcenginecc_vpc_ha_vip', name: 'db', actions: ['update'],
    before: { ...before, subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: [] },
    after: { ...before, subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ['i-a1'] },
    afterUnknown: { associated_instance_ids: [false] },
    expressions: { associated_instance_ids: { constant_value: ['i-a1'] } },
  }])
  const finding = (p: unknown) => {
    const checked = checkPlan(account(), p)
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    return checked.right.findings[0]
  }

  it('is ha_vip_id, else id: a plan with id alone is read', () => {
    expect(finding(update({ id: 'havip-x' }))?.haVipId).toBe('havip-x')
    expect(finding(update({ id: 'havip-other', ha_vip_id: 'havip-x' }))?.haVipId).toBe('havip-x')
  })

  it('without either, the unknown says which attributes are read', () => {
    const f = finding(update({}))
    expect(f?.verdict).toBe('unknown')
    expect(f?.unknowns[0]).toEqual({ attribute: 'ha_vip_id', reason: "neither ha_vip_id nor id of volcenginecc_vpc_ha_vip.db is set in the plan's before (the HaVip's id is read from ha_vip_id, else id)" })
  })
})

describe('unknowns are summarised: a report grows with the plan, not with its square', () => {
  const n = 40
  const twoFree = (i: number) => ({ HaVipId: `havip-${String(i)}`, SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })
  const s = load({
    Region: 'cn-beijing',
    HaVips: Array.from({ length: n }, (_, i) => twoFree(i)),
    Instances: Array.from({ length: 2 * n }, (_, i) => ({ InstanceId: `i-${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }] })),
  })
  const shaped = (unknown: 'instance_type' | 'ha_vip_id') => plan([
    ...Array.from({ length: n }, (_, i) => ({
      ...association('maybe', ['create'], { haVip: `havip-${String(i)}`, instance: `i-${String(i)}` }), key: i,
      after: unknown === 'instance_type' ? { ha_vip_id: `havip-${String(i)}`, instance_id: `i-${String(i)}` } : { instance_id: `i-${String(i)}`, instance_type: 'EcsInstance' },
      afterUnknown: { id: true, [unknown]: true }, expressions: { [unknown]: { references: ['var.x'] } },
    })),
    ...Array.from({ length: n }, (_, i) => ({ ...association('sure', ['create'], { haVip: `havip-${String(i)}`, instance: `i-${String(n + i)}` }), key: i })),
  ])

  it.each(['instance_type', 'ha_vip_id'] as const)('after 40 changes with an unknown %s, each later change names the first three and counts the rest', (unknown) => {
    const checked = checkPlan(s, shaped(unknown))
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    const later = checked.right.findings.filter((f) => f.address.includes('.sure['))
    expect(later).toHaveLength(n)
    for (const f of later) {
      expect(f.verdict).toBe('unknown')
      expect(f.unknowns.length).toBeLessThanOrEqual(5)
    }
    expect(later[0]?.unknowns.map((u) => u.reason).join('\n')).toContain(`${String(n - 3)} more changes like volcengine_ha_vip_associate.maybe[0]: each`)
  })
})
