import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { create } from 'xmlbuilder2'
import { association, plan } from './support/plans.js'
import { baseJson, load } from './support/snapshots.js'
import { knownViolations } from '../src/engine/evaluate.js'
import { operations } from '../src/engine/operations.js'
import type { PartialBinding } from '../src/rules/context.js'
import type { SnapshotState } from '../src/model/snapshot.js'
import type { Expected } from './support/plan-samples.js'
import { asExpected, comparable, fixtures, samples } from './support/plan-samples.js'
import { sarifValidator } from './support/sarif.js'
import { tempFolder } from './support/temp.js'

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

describe('the sample plans', () => {
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
