import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { create } from 'xmlbuilder2'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { sarifValidator } from './support/sarif.js'
import { tempFolder } from './support/temp.js'

/** Waivers: inline `# havip:ignore` comments and baselines, through every format. */

const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

const full = association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' })
const ok = association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })
const maybe: ChangeSpec = {
  ...association('maybe', ['create'], { haVip: 'havip-b', instance: 'x' }),
  after: { ha_vip_id: 'havip-b', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
  expressions: { instance_id: { references: ['var.target'] } },
}

const mainTf = (fullComment: string) => [
  'resource "volcengine_ha_vip_associate" "full" {',
  fullComment,
  '  ha_vip_id = "havip-f"',
  '}',
  '',
  'resource "volcengine_ha_vip_associate" "ok" {',
  '  # havip:ignore InvalidInstance.HaVipMismatch was needed before the subnet moved',
  '}',
  '',
].join('\n')

const repo = (changes: ReadonlyArray<ChangeSpec>, fullComment = '  # havip:ignore LimitExceeded.InstancesPerHaVip havip-f is raised to 20 targets next week') => {
  const root = tempFolder('havip-waivers-')
  mkdirSync(join(root, '.git'))
  writeFileSync(join(root, 'main.tf'), mainTf(fullComment))
  writeFileSync(join(root, 'plan.json'), JSON.stringify(plan(changes)))
  return root
}
const run = (root: string, args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), ...args, join(root, 'plan.json')], { encoding: 'utf8', cwd: root })

interface FindingJson { address: string; verdict: string; waived?: boolean; waivers?: ReadonlyArray<{ id: string; reason: string; kind: string; where: string }> }
interface ReportJson { findings: ReadonlyArray<FindingJson>; summary: Record<string, number>; staleWaivers?: ReadonlyArray<{ id: string; where: string; address: string }> }

describe('inline waivers (# havip:ignore ERROR_ID REASON, read through --config)', () => {
  it('a waived failure does not fail the gate; the waiver that matches nothing is reported where it is written; every format says so', () => {
    const root = repo([full, ok])
    const json = run(root, ['--config', '.', '--format', 'json'])
    expect(json.status).toBe(0)
    expect(json.stderr).toContain('havip plan: stale waiver at main.tf:7: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok matches no finding')
    const report = JSON.parse(json.stdout) as ReportJson
    expect(report.summary).toEqual({ pass: 1, fail: 0, unknown: 0, waived: 1 })
    const waived = report.findings.find((f) => f.address.endsWith('.full'))
    expect(waived).toMatchObject({ verdict: 'fail', waived: true, waivers: [{ id: 'LimitExceeded.InstancesPerHaVip', reason: 'havip-f is raised to 20 targets next week', kind: 'inline', where: 'main.tf:2' }] })
    expect(report.staleWaivers).toEqual([{ id: 'InvalidInstance.HaVipMismatch', reason: 'was needed before the subnet moved', kind: 'inline', where: 'main.tf:7', address: 'volcengine_ha_vip_associate.ok' }])

    const text = run(root, ['--config', '.'])
    expect(text.status).toBe(0)
    expect(text.stdout).toContain('~ waived LimitExceeded.InstancesPerHaVip: havip-f is raised to 20 targets next week (havip:ignore at main.tf:2)')
    expect(text.stdout).toContain('stale waiver at main.tf:7')
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('2 bindings: 1 pass, 0 fail, 0 unknown, 1 waived')

    const sarif = run(root, ['--config', '.', '--format', 'sarif'])
    expect(sarif.status).toBe(0)
    const log = JSON.parse(sarif.stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ ruleId: string; suppressions?: unknown }>; invocations?: ReadonlyArray<{ toolExecutionNotifications: ReadonlyArray<{ locations?: ReadonlyArray<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> }> }
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    expect(log.runs[0]?.results.find((r) => r.ruleId === 'LimitExceeded.InstancesPerHaVip')?.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'havip-f is raised to 20 targets next week (main.tf:2)' }])
    expect(log.runs[0]?.invocations?.[0]?.toolExecutionNotifications[0]?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'main.tf', uriBaseId: 'SRCROOT' }, region: { startLine: 7 } })

    const junit = run(root, ['--config', '.', '--format', 'junit'])
    expect(junit.status).toBe(0)
    const doc = create(junit.stdout).end({ format: 'object' }) as unknown as { testsuites: { testsuite: { '@failures': string; '@skipped': string; testcase: ReadonlyArray<Record<string, unknown>>; 'system-err': unknown } } }
    expect([doc.testsuites.testsuite['@failures'], doc.testsuites.testsuite['@skipped']]).toEqual(['0', '1'])
    expect(junit.stdout).not.toContain('<failure')
    expect(junit.stdout).toContain('<skipped message="waived: LimitExceeded.InstancesPerHaVip: havip-f is raised to 20 targets next week (havip:ignore at main.tf:2)"/>')
    expect(String(doc.testsuites.testsuite['system-err'])).toContain('stale waiver at main.tf:7')
  })

  it.each([
    ['without a reason', '  # havip:ignore LimitExceeded.InstancesPerHaVip', 'main.tf:2: havip:ignore LimitExceeded.InstancesPerHaVip needs a reason'],
    ['without an error id', '  # havip:ignore', 'main.tf:2: havip:ignore needs an error id and a reason'],
    ['naming no error', '  // havip:ignore LimitExceded.InstancesPerHaVip typo', 'main.tf:2: havip:ignore "LimitExceded.InstancesPerHaVip": not an error id'],
  ])('a waiver %s is a usage error naming file and line', (_, comment, message) => {
    const r = run(repo([full, ok], comment), ['--config', '.'])
    expect([r.status, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toContain(message)
  })

  it('a waiver outside a resource block is a usage error naming file and line', () => {
    const root = repo([full, ok])
    writeFileSync(join(root, 'other.tf'), '# havip:ignore LimitExceeded.InstancesPerHaVip not in a block\nvariable "x" {}\n')
    expect(run(root, ['--config', '.']).stderr).toContain('other.tf:1: havip:ignore is outside a resource block')
  })

  it('a failure only partly waived still fails the gate, and unknowns are waived by KnownAfterApply', () => {
    const partly = association('full', ['create'], { haVip: 'havip-f', instance: 'i-b2' })
    const root = repo([partly, maybe], '  # havip:ignore LimitExceeded.InstancesPerHaVip raised next week')
    const r = run(root, ['--config', '.', '--format', 'json'])
    const report = JSON.parse(r.stdout) as ReportJson
    const f = report.findings.find((x) => x.address.endsWith('.full'))
    expect(f?.waived).toBe(false)
    expect(r.status).toBe(1)
  })
})

describe('baselines (--baseline FILE, written by --write-baseline FILE)', () => {
  it('round-trips: written from the findings, read back to waive them, in every format; an entry that matches nothing is stale', () => {
    const root = repo([full, ok, maybe], '')
    writeFileSync(join(root, 'main.tf'), '')
    const written = run(root, ['--write-baseline', 'baseline.json'])
    expect(written.status).toBe(1)
    expect(written.stderr).toContain('havip plan: wrote 2 waivers to baseline.json')
    const baseline = JSON.parse(readFileSync(join(root, 'baseline.json'), 'utf8')) as { havipBaseline: number; waivers: ReadonlyArray<{ address: string; id: string; reason: string }> }
    expect(baseline.waivers.map((w) => [w.address, w.id])).toEqual([
      ['volcengine_ha_vip_associate.full', 'LimitExceeded.InstancesPerHaVip'],
      ['volcengine_ha_vip_associate.maybe', 'KnownAfterApply'],
    ])
    const json = run(root, ['--baseline', 'baseline.json', '--format', 'json'])
    expect(json.status).toBe(0)
    const report = JSON.parse(json.stdout) as ReportJson
    expect(report.summary).toEqual({ pass: 1, fail: 0, unknown: 0, waived: 2 })
    expect(report.findings.filter((f) => f.waived === true).map((f) => f.waivers?.[0]?.where)).toEqual(['baseline.json waivers[0]', 'baseline.json waivers[1]'])
    const sarif = JSON.parse(run(root, ['--baseline', 'baseline.json', '--format', 'sarif']).stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ suppressions?: ReadonlyArray<{ kind: string }> }> }> }
    expect(sarif.runs[0]?.results.map((r) => r.suppressions?.[0]?.kind)).toEqual(['external', 'external'])
    const junit = run(root, ['--baseline', 'baseline.json', '--format', 'junit'])
    expect([junit.status, junit.stdout.match(/<skipped message="waived: /g)?.length]).toEqual([0, 2])
    expect(run(root, ['--baseline', 'baseline.json']).stdout).toContain('3 bindings: 1 pass, 0 fail, 0 unknown, 2 waived')

    // The unknown is gone from the plan: its entry is stale, reported, and the gate still passes.
    writeFileSync(join(root, 'plan.json'), JSON.stringify(plan([full, ok])))
    const stale = run(root, ['--baseline', 'baseline.json', '--format', 'json'])
    expect(stale.status).toBe(0)
    expect(stale.stderr).toContain('stale waiver at baseline.json waivers[1]: KnownAfterApply on volcengine_ha_vip_associate.maybe')
    // Rewritten, the baseline keeps the reason given and drops what is stale.
    const edited = { ...baseline, waivers: baseline.waivers.map((w) => ({ ...w, reason: `reviewed: ${w.id}` })) }
    writeFileSync(join(root, 'baseline.json'), JSON.stringify(edited))
    run(root, ['--baseline', 'baseline.json', '--write-baseline', 'baseline.json'])
    expect((JSON.parse(readFileSync(join(root, 'baseline.json'), 'utf8')) as typeof baseline).waivers).toEqual([
      { address: 'volcengine_ha_vip_associate.full', id: 'LimitExceeded.InstancesPerHaVip', reason: 'reviewed: LimitExceeded.InstancesPerHaVip' },
    ])
  })

  it('a baseline entry without a reason, or a file that is not a baseline, is a usage error naming the path', () => {
    const root = repo([full, ok])
    writeFileSync(join(root, 'b.json'), JSON.stringify({ havipBaseline: 1, waivers: [{ address: 'volcengine_ha_vip_associate.full', id: 'LimitExceeded.InstancesPerHaVip', reason: ' ' }] }))
    const r = run(root, ['--baseline', 'b.json'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('b.json: not a havip plan baseline:\n  waivers[0].reason: expected a non-empty string')
    writeFileSync(join(root, 'b.json'), '[]')
    expect(run(root, ['--baseline', 'b.json']).stderr).toContain('b.json: not a havip plan baseline')
  })
})
