import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { create } from 'xmlbuilder2'
import type { PlanReport, Snapshot } from 'havip-rules'
import { checkPlan } from 'havip-rules'
import { association, plan } from './support/plans.js'
import { baseJson, load } from './support/snapshots.js'
import { knownViolations } from '../src/engine/evaluate.js'
import { operations } from '../src/engine/operations.js'
import type { PartialBinding } from '../src/rules/context.js'
import type { SnapshotState } from '../src/model/snapshot.js'
import { sarifValidator } from './support/sarif.js'
import { tempFolder } from './support/temp.js'

const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
const account = (): Snapshot => load(JSON.parse(readFileSync(join(fixtures, 'account.json'), 'utf8')))

interface Expected {
  readonly exit: number
  readonly findings: ReadonlyArray<{ address: string; action: string; instanceId?: string; haVipId?: string; verdict: string; violations: ReadonlyArray<string>; unknownAttributes?: ReadonlyArray<string> }>
}

/** The vendored samples, then our own (same account, same expected-file format): [name, path without suffix]. */
const samples = [fixtures, new URL('./fixtures/plans/', import.meta.url).pathname].flatMap((folder) =>
  readdirSync(folder).filter((f) => f.endsWith('.plan.json')).sort().map((f) => f.replace(/\.plan\.json$/, '')).map((name) => [name, join(folder, name)] as const))

/** A finding in the terms of the expected files. */
const asExpected = (f: { address: string; action: string; instanceId?: string; haVipId?: string; verdict: string; violations: ReadonlyArray<{ id: string }>; unknowns: ReadonlyArray<{ attribute: string }> }, withHaVip: boolean) => ({
  address: f.address,
  action: f.action,
  ...(f.instanceId === undefined ? {} : { instanceId: f.instanceId }),
  ...(withHaVip && f.haVipId !== undefined ? { haVipId: f.haVipId } : {}),
  verdict: f.verdict,
  violations: f.violations.map((v) => v.id),
  ...(f.verdict === 'unknown' ? { unknownAttributes: f.unknowns.map((u) => u.attribute) } : {}),
})

const comparable = (e: Expected['findings'][number]) => ({ ...e, ...(e.verdict === 'unknown' ? {} : { unknownAttributes: undefined }) })

describe('the sample plans', () => {
  it.each(samples)('%s gives its expected findings through checkPlan', (_, sample) => {
    const expected = JSON.parse(readFileSync(`${sample}.expected.json`, 'utf8')) as Expected
    const checked = checkPlan(account(), JSON.parse(readFileSync(`${sample}.plan.json`, 'utf8')))
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    const got = checked.right.findings.map((f, i) => asExpected(f, expected.findings[i]?.haVipId !== undefined))
    expect(got).toEqual(expected.findings.map(comparable).map((e) => JSON.parse(JSON.stringify(e)) as unknown))
    const exit = checked.right.summary.fail > 0 ? 1 : checked.right.summary.unknown > 0 ? 3 : 0
    expect(exit).toBe(expected.exit)
  })

  it.each(samples)('%s gives its expected findings and exit code through havip plan --format json', (_, sample) => {
    const expected = JSON.parse(readFileSync(`${sample}.expected.json`, 'utf8')) as Expected
    const r = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--format', 'json', `${sample}.plan.json`], { encoding: 'utf8' })
    expect(r.status).toBe(expected.exit)
    const report = JSON.parse(r.stdout) as { findings: ReadonlyArray<Parameters<typeof asExpected>[0]>; summary: Record<string, number> }
    expect(report.findings.map((f, i) => asExpected(f, expected.findings[i]?.haVipId !== undefined))).toEqual(expected.findings.map(comparable).map((e) => JSON.parse(JSON.stringify(e)) as unknown))
    expect(Object.keys(report.findings[0] ?? {})).toEqual(expect.arrayContaining(['address', 'action', 'verdict', 'violations', 'unknowns']))
  })
})

describe('havip plan, its input', () => {
  const run = (args: ReadonlyArray<string>, input?: string) => spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), ...args], { encoding: 'utf8', input })

  it('refuses a format version it does not read, naming format_version (exit 2)', () => {
    for (const version of ['0.9', '2.0', '1']) {
      const r = run(['-'], JSON.stringify(plan([], version)))
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(`format_version: is "${version}"`)
    }
    for (const version of ['0.1', '0.2', '1.0', '1.2', '1.10']) expect(run(['-'], JSON.stringify(plan([], version))).status).toBe(0)
  })

  it('refuses a plan of the wrong shape, naming the JSON path of each problem', () => {
    const bad = { format_version: '1.2', resource_changes: [{ address: 'x.y', type: 'x', name: 'y', change: { actions: 'create' } }, { type: 7 }] }
    const r = run(['-'], JSON.stringify(bad))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('resource_changes[0].change.actions: expected an array of actions, got string "create"')
    expect(r.stderr).toContain('resource_changes[1].address: required string is missing')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses what is not JSON, and a missing PLAN, with exit 2', () => {
    expect(run(['-'], '{ not json').stderr).toMatch(/^havip: standard input: not JSON/)
    expect(run([]).status).toBe(2)
  })

  it('reads an empty plan (Terraform leaves empty parts out) and passes it', () => {
    const r = run(['-'], JSON.stringify({ format_version: '1.2', planned_values: { root_module: {} } }))
    expect([r.status, r.stdout.trim()]).toEqual([0, '0 bindings: 0 pass, 0 fail, 0 unknown'])
  })

  it('ignores resource types it does not read, and lists them with --verbose', () => {
    const p = plan([{ type: 'volcengine_vpc', name: 'main', actions: ['create'], after: { cidr_block: '10.0.0.0/16' } }, association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })])
    const r = run(['--verbose', '-'], JSON.stringify(p))
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('havip plan: not read: volcengine_vpc.main (volcengine_vpc)\n')
  })

  it('exits 3 when none fails and one is unknown', () => {
    const r = run(['--format', 'json', join(fixtures, 'p3-unknowns.plan.json')])
    expect(r.status).toBe(1)
    const onlyUnknown = plan([{
      type: 'volcengine_ha_vip_associate', name: 'maybe', actions: ['create'], after: { ha_vip_id: 'havip-x', instance_type: 'EcsInstance' }, afterUnknown: { instance_id: true, id: true },
      expressions: { ha_vip_id: { constant_value: 'havip-x' }, instance_id: { references: ['var.target'] } },
    }])
    const u = run(['-'], JSON.stringify(onlyUnknown))
    expect(u.status).toBe(3)
    expect(u.stdout).toContain('instance_id of volcengine_ha_vip_associate.maybe is computed from var.target')
  })
})

describe('havip plan --format', () => {
  const planFile = join(fixtures, 'p1-known-ids.plan.json')
  const run = (format: string, extra: ReadonlyArray<string> = []) =>
    spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--format', format, ...extra, planFile], { encoding: 'utf8' })

  it('sarif: validates against the SARIF 2.1.0 schema, a rule per error id, an error per violation', () => {
    const validate = sarifValidator()
    for (const [, sample] of samples) {
      const r = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--format', 'sarif', `${sample}.plan.json`], { encoding: 'utf8' })
      const log = JSON.parse(r.stdout) as { runs: ReadonlyArray<{ tool: { driver: { name: string; version: string; rules: ReadonlyArray<{ id: string; helpUri: string }> } }; results: ReadonlyArray<{ ruleId: string; level: string; locations: ReadonlyArray<unknown> }> }> }
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
      const [runLog] = log.runs
      expect(runLog?.tool.driver).toMatchObject({ name: 'havip-rules', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown })
      expect(runLog?.tool.driver.rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(['LimitExceeded.InstancesPerHaVip', 'Forbidden.MixedInstanceTypes', 'KnownAfterApply']))
      for (const result of runLog?.results ?? []) expect(result.locations.length).toBeGreaterThan(0)
    }
    const p1 = JSON.parse(run('sarif').stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ ruleId: string; level: string }> }> }
    expect(p1.runs[0]?.results.map((result) => [result.ruleId, result.level])).toEqual([
      ['LimitExceeded.InstancesPerHaVip', 'error'], ['InvalidInstance.HaVipMismatch', 'error'], ['Forbidden.ServiceManagedEni', 'error'],
      ['Forbidden.EniNotAttachedToEcs', 'error'], ['InvalidInstance.InvalidStatus', 'error'],
    ])
  })

  it('junit: well-formed XML, one test case per planned binding change, failures and skipped', () => {
    const xml = run('junit').stdout
    const doc = create(xml).end({ format: 'object' }) as unknown as { testsuites: { testsuite: { testcase: ReadonlyArray<Record<string, unknown>> } } }
    const cases = doc.testsuites.testsuite.testcase
    expect(cases).toHaveLength(5)
    expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(4)
    expect(xml.match(/<failure /g)).toHaveLength(4)
    expect(xml).toContain('<testsuites name="havip plan" tests="5" failures="4" skipped="0" errors="0">')
    expect(xml).toContain('<failure type="Forbidden.ServiceManagedEni" message="Forbidden.ServiceManagedEni, Forbidden.EniNotAttachedToEcs">')
    const p3 = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--format', 'junit', join(fixtures, 'p3-unknowns.plan.json')], { encoding: 'utf8' }).stdout
    expect(p3).toContain('<skipped message="instance_id: instance_id of volcengine_ha_vip_associate.maybe is read from data.volcengine_ecs_instances.pick at apply time"/>')
  })

  it('text: one block per change and the summary line last', () => {
    const text = run('text').stdout.trimEnd().split('\n')
    expect(text.at(-1)).toBe('5 bindings: 1 pass, 4 fail, 0 unknown')
    expect(text[0]).toBe('volcengine_ha_vip_associate.app["a10"]  AssociateHaVip havip-a ← i-a10 (EcsInstance)')
  })
})

describe('havip plan --config', () => {
  it('locates each finding at its resource block, in the root and in local modules', () => {
    const folder = tempFolder('havip-tf-')
    writeFileSync(join(folder, 'main.tf'), 'terraform {}\n\nresource "volcengine_ha_vip_associate" "web" {\n  ha_vip_id = "havip-x"\n}\n\nmodule "db" {\n  source = "./modules/db"\n}\n')
    mkdirSync(join(folder, 'modules', 'db'), { recursive: true })
    writeFileSync(join(folder, 'modules', 'db', 'vips.tf'), '# the database VIP\nresource "volcengine_ha_vip_associate" "primary" {}\n')
    const p = plan([
      association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }),
      { ...association('primary', ['create'], { haVip: 'havip-x', instance: 'i-b1' }), module: 'module.db' },
    ])
    const planPath = join(folder, 'plan.json')
    writeFileSync(planPath, JSON.stringify(p))
    const r = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--config', folder, '--format', 'json', planPath], { encoding: 'utf8' })
    const report = JSON.parse(r.stdout) as { findings: ReadonlyArray<{ address: string; location?: { file: string; line: number } }> }
    expect(report.findings.map((f) => [f.address, f.location])).toEqual([
      ['volcengine_ha_vip_associate.web', { file: 'main.tf', line: 3 }],
      ['module.db.volcengine_ha_vip_associate.primary', { file: 'modules/db/vips.tf', line: 2 }],
    ])
    const sarif = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--config', folder, '--format', 'sarif', planPath], { encoding: 'utf8' }).stdout
    expect(sarif).toContain('"uri": "main.tf"')
    expect(sarif).toContain('"startLine": 3')
  })
})

describe('checkPlan', () => {
  it('is total: a value that is not a snapshot, or a plan that is not an object, is a Left', () => {
    expect(E.isLeft(checkPlan({} as Snapshot, plan([])))).toBe(true)
    for (const bad of [null, 42, 'plan', [], {}]) expect(E.isLeft(checkPlan(account(), bad))).toBe(true)
  })

  it('returns the report with every count', () => {
    const checked = checkPlan(account(), JSON.parse(readFileSync(join(fixtures, 'p4-replace-and-cc.plan.json'), 'utf8')))
    expect(E.isRight(checked) && (checked.right satisfies PlanReport).summary).toEqual({ pass: 4, fail: 2, unknown: 0 })
  })
})

describe('the rules on a binding known only in part (what a plan leaves unknown)', () => {
  it('lets only the rules whose inputs are known speak: an unknown InstanceType or target id decides nothing', () => {
    const s = load(baseJson()) as unknown as SnapshotState
    const ids = (r: Partial<PartialBinding>) =>
      knownViolations(operations.AssociateHaVip, s, { haVipId: undefined, instanceId: undefined, instanceType: undefined, ...r }).map((v) => v.id)
    // havip-2 holds instance i-1: without the type, neither A7 nor a lookup of the target can speak.
    expect(ids({ haVipId: 'havip-2', instanceId: 'eni-3' })).toEqual([])
    expect(ids({ haVipId: 'havip-1', instanceId: 'i-1' })).toEqual([])
    expect(ids({ haVipId: 'havip-2', instanceType: 'NetworkInterface' })).toEqual(['Forbidden.MixedInstanceTypes'])
    expect(ids({ instanceId: 'i-4', instanceType: 'EcsInstance' })).toEqual(['InvalidInstance.InvalidStatus'])
    expect(ids({ haVipId: 'havip-4' })).toEqual(['InvalidHaVip.InvalidStatus'])
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
      const checked = checkPlan(account(), plan(changes))
      return E.isRight(checked) ? checked.right.findings.map((f) => [f.address, f.verdict]) : []
    }
    expect(verdicts(twice)).toEqual([['volcengine_ha_vip_associate.c', 'pass'], ['volcengine_ha_vip_associate.d', 'fail']])
    expect(verdicts([unknownHaVip, ...twice])).toEqual([
      ['volcengine_ha_vip_associate.a_unknown', 'unknown'], ['volcengine_ha_vip_associate.c', 'unknown'], ['volcengine_ha_vip_associate.d', 'fail'],
    ])
  })
})
