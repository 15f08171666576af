import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanReport, Snapshot, Waiver } from 'havip-rules'
import { checkPlan, withLocations, withWaivers } from 'havip-rules'
import { baselineOf } from '../src/plan/waivers.js'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * Reading a plan, exactly: each Left's problems (JSON path and message) and its message, the
 * bounds on depth and on quoted text, and what waivers make of a report. In the test process, so
 * that the plan mutation set sees them.
 */

const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
const account = (): Snapshot => load(JSON.parse(readFileSync(join(fixtures, 'account.json'), 'utf8')))

const checked = (planJson: unknown) => checkPlan(account(), planJson)
const problems = (planJson: unknown): unknown => {
  const c = checked(planJson)
  return E.isLeft(c) ? c.left.problems : 'a Right'
}
const report = (planJson: unknown): PlanReport => {
  const c = checked(planJson)
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
}

const full = association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' })
const ok = association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })
// An association whose instance is known after apply: unknown.
const maybe: ChangeSpec = { ...full, name: 'maybe', after: { ha_vip_id: 'havip-b', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true }, expressions: { instance_id: { references: ['var.target'] } } }
const okPlan = (): Record<string, unknown> => plan([ok])
const withRoot = (rootModule: unknown): Record<string, unknown> => ({ ...okPlan(), configuration: { root_module: rootModule } })
const hint = 'give the output of terraform show -json PLANFILE'

describe('what checkPlan is given', () => {
  it('a snapshot that loadSnapshot did not make is a Left at the root', () => {
    const c = checkPlan({} as Snapshot, okPlan())
    expect(c).toEqual(E.left({ problems: [{ path: '', message: 'the snapshot argument was not made by loadSnapshot' }], message: '(root): the snapshot argument was not made by loadSnapshot' }))
  })

  it('a string is not a plan object', () => {
    expect(problems('x')).toEqual([{ path: '', message: 'expected a plan object, got string "x"' }])
  })

  it('a plan without a format version: the version is required', () => {
    const { format_version: _, ...rest } = okPlan()
    expect(problems(rest)).toEqual([{ path: 'format_version', message: 'required string is missing' }])
  })

  it('a format version it does not read is a Left naming the versions it reads', () => {
    expect(problems({ ...okPlan(), format_version: '2.0' })).toEqual([{
      path: 'format_version',
      message: 'is "2.0"; havip plan reads plans of format 0.1 and 0.2 (Terraform 1.0) and 1.x (Terraform 1.1 and later, OpenTofu)',
    }])
  })

  it('a state and an object with nothing of a plan: the exact words', () => {
    expect(problems({ format_version: '1.0', values: { root_module: {} } })).toEqual([{
      path: '', message: `is a Terraform state (it has values, and neither planned_values nor resource_changes), not a plan: ${hint}`,
    }])
    expect(problems({ format_version: '1.2' })).toEqual([{ path: '', message: `is not a Terraform plan: it has neither planned_values nor resource_changes; ${hint}` }])
  })
})

describe('the configuration module, part by part', () => {
  it.each([
    ['resources', { resources: 'x' }, 'configuration.root_module.resources', 'expected an array of resources, got string "x"'],
    ['module calls', { module_calls: 'x' }, 'configuration.root_module.module_calls', 'expected an object of module calls, got string "x"'],
    ['outputs', { outputs: 'x' }, 'configuration.root_module.outputs', 'expected an object of outputs, got string "x"'],
    ['an output', { outputs: { o: 'x' } }, 'configuration.root_module.outputs.o', 'expected an output, got string "x"'],
    ["an output's expression", { outputs: { o: { expression: 5 } } }, 'configuration.root_module.outputs.o.expression', 'expected an expression object, got number 5'],
    ['a module', { module_calls: { a: { source: './a', module: 'x' } } }, 'configuration.root_module.module_calls.a.module', 'expected a configuration module, got string "x"'],
  ])('%s of the wrong type is a Left at its path', (_, rootModule, path, message) => {
    expect(problems(withRoot(rootModule))).toEqual([{ path, message }])
  })

  it('null and numbers where the configuration holds any JSON are read', () => {
    const p = plan([{ ...ok, expressions: { ha_vip_id: { constant_value: 'havip-x', references: [5] }, instance_id: { constant_value: 'i-b1' }, tags: { constant_value: null } } }])
    expect(report(p).findings.map((f) => [f.address, f.verdict])).toEqual([['volcengine_ha_vip_associate.ok', 'pass']])
  })
})

describe('depth: the first value deeper than 256 levels, its path shortened to its first 80 and last 60 characters', () => {
  const deepArray = (levels: number): unknown => {
    let value: unknown = []
    for (let i = 1; i < levels; i++) value = [value]
    return value
  }
  const withDeep = (levels: number): Record<string, unknown> => ({ format_version: '1.2', planned_values: {}, x: deepArray(levels) })

  it('module calls nested 1,200 deep', () => {
    let module: unknown = {}
    for (let i = 0; i < 1200; i++) module = { module_calls: { a: { source: './a', module } } }
    expect(problems({ format_version: '1.2', planned_values: {}, configuration: { root_module: module } })).toEqual([{
      path: 'configuration.root_module.module_calls.a.module.module_calls.a.module.module_cal…e.module_calls.a.module.module_calls.a.module.module_calls.a',
      message: 'nests deeper than 256 levels: this is not a plan Terraform writes',
    }])
  })

  it('arrays: an array 256 levels deep is refused at its index path, one 255 deep is read', () => {
    expect(problems(withDeep(256))).toEqual([{
      path: `x${'[0]'.repeat(26)}[…${'[0]'.repeat(20)}`,
      message: 'nests deeper than 256 levels: this is not a plan Terraform writes',
    }])
    expect(report(withDeep(255)).findings).toEqual([])
  })
})

describe('addresses and references must quote their keys as Terraform does', () => {
  const badModule = (): Record<string, unknown> => plan([{ ...association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }), module: 'module.a["\\x"]' }])

  it('a bad resource address and module address: each problem exactly, and the message has one line each', () => {
    const address = 'module.a["\\x"].volcengine_ha_vip_associate.web'
    const expected = [
      { path: 'resource_changes[0].address', message: `the address ${JSON.stringify(address)} has a key that is not quoted as Terraform quotes it (a bad escape)` },
      { path: 'resource_changes[0].module_address', message: `${JSON.stringify('module.a["\\x"]')} is not a module address such as module.a["x"].module.b[0]` },
    ]
    const c = checked(badModule())
    expect(c).toEqual(E.left({ problems: expected, message: expected.map((p) => `${p.path}: ${p.message}`).join('\n') }))
  })

  it('a bad reference', () => {
    const p = plan([{ ...ok, afterUnknown: { ha_vip_id: true }, expressions: { ha_vip_id: { references: ['h["\\q"].id', 'h'] } } }])
    expect(problems(p)).toEqual([{
      path: 'configuration.root_module.resources[0].expressions.ha_vip_id.references[0]',
      message: `the reference ${JSON.stringify('h["\\q"].id')} has a key that is not quoted as Terraform quotes it (a bad escape)`,
    }])
  })

  const withAddress = (address: string): Record<string, unknown> => {
    const p = okPlan()
    const [rc] = p.resource_changes as Array<Record<string, unknown>>
    return { ...p, resource_changes: [{ ...rc, address }] }
  }
  const badText = (length: number): string => `h["\\x${'a'.repeat(length - 7)}"]`

  it('a text of 120 characters is quoted whole; one of 121 is cut to 117 and "..."', () => {
    const at120 = badText(120)
    const at121 = badText(121)
    expect(at120).toHaveLength(120)
    expect(problems(withAddress(at120))).toEqual([{ path: 'resource_changes[0].address', message: `the address ${JSON.stringify(at120)} has a key that is not quoted as Terraform quotes it (a bad escape)` }])
    expect(problems(withAddress(at121))).toEqual([{ path: 'resource_changes[0].address', message: `the address ${JSON.stringify(`${at121.slice(0, 117)}...`)} has a key that is not quoted as Terraform quotes it (a bad escape)` }])
  })
})

describe('withLocations', () => {
  it('a finding with no location gets no location key', () => {
    const located = withLocations(report(plan([full, ok])), new Map([['volcengine_ha_vip_associate.full', { file: 'main.tf', line: 1 }]]))
    expect(located.findings.map((f) => Object.hasOwn(f, 'location'))).toEqual([true, false])
  })
})

describe('waivers', () => {
  const waiver = (address: string, id: string, where: string, scope: Waiver['scope'] = 'instance'): Waiver =>
    ({ id, reason: `because ${where}`, address, scope, kind: scope === 'block' ? 'inline' : 'baseline', where })
  const limit = 'LimitExceeded.InstancesPerHaVip'

  it('the summary counts a pass as pass, a waived fail as waived', () => {
    const w = withWaivers(report(plan([full, ok])), [waiver('volcengine_ha_vip_associate.full', limit, 'main.tf:2', 'block')])
    expect(w.summary).toEqual({ pass: 1, fail: 0, unknown: 0, waived: 1 })
    expect(w.staleWaivers).toEqual([])
  })

  it('KnownAfterApply on a pass waives nothing and is stale', () => {
    const stale = waiver('volcengine_ha_vip_associate.ok', 'KnownAfterApply', 'b.json waivers[0]')
    const w = withWaivers(report(plan([ok])), [stale])
    expect(w.findings.map((f) => [f.verdict, f.waived, f.waivers])).toEqual([['pass', undefined, undefined]])
    expect(w.summary).toEqual({ pass: 1, fail: 0, unknown: 0, waived: 0 })
    expect(w.staleWaivers).toEqual([stale])
  })

  it('two waivers of the same finding and id: the first is listed, neither is stale', () => {
    const first = waiver('volcengine_ha_vip_associate.full', limit, 'b.json waivers[0]')
    const second = waiver('volcengine_ha_vip_associate.full', limit, 'b.json waivers[1]')
    const w = withWaivers(report(plan([full])), [first, second])
    expect(w.findings.map((f) => [f.waived, f.waivers])).toEqual([[true, [first]]])
    expect(w.staleWaivers).toEqual([])
  })

  it('a baseline lists each fail and unknown once by address and id, and no pass', () => {
    const accepted = 'accepted when the baseline was written'
    expect(baselineOf(report(plan([full, ok, maybe])), [], [])).toEqual([
      { address: 'volcengine_ha_vip_associate.full', id: limit, reason: accepted },
      { address: 'volcengine_ha_vip_associate.maybe', id: 'KnownAfterApply', reason: accepted },
    ])
    // One resource, two binding changes that meet the same error: one entry.
    const twoMissing = plan([{
      type: 'volcenginecc_vpc_ha_vip', name: 'db', actions: ['update'],
      before: { id: 'havip-x', subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: [] },
      after: { id: 'havip-x', subnet_id: 'subnet-a', associated_instance_type: 'EcsInstance', associated_instance_ids: ['i-zz1', 'i-zz2'] },
      afterUnknown: { associated_instance_ids: [false, false] },
      expressions: { associated_instance_ids: { constant_value: ['i-zz1', 'i-zz2'] } },
    }])
    const r = report(twoMissing)
    expect(r.findings.map((f) => [f.address, f.verdict])).toEqual([['volcenginecc_vpc_ha_vip.db', 'fail'], ['volcenginecc_vpc_ha_vip.db', 'fail']])
    expect(baselineOf(r, [], [])).toEqual([{ address: 'volcenginecc_vpc_ha_vip.db', id: 'InvalidInstance.NotFound', reason: accepted }])
  })
})
