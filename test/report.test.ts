import { readFileSync } from 'node:fs'
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { create } from 'xmlbuilder2'
import type { PlanFinding, PlanReport, Waiver } from 'havip-rules'
import { catalog, checkPlan, endpointErrorIds, errorIds, withLocations, withWaivers } from 'havip-rules'
import { checkQueries } from '../src/cli/queries.js'
import { checkJsonLines, checkSummary, checkText } from '../src/report/check.js'
import { planJunit } from '../src/report/junit.js'
import { planJson, planSummary, planText } from '../src/report/plan.js'
import { maxShown, printable } from '../src/report/printable.js'
import { planSarif } from '../src/report/sarif.js'
import { count, style } from '../src/report/style.js'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { runs } from './support/runs.js'
import { sarifValidator } from './support/sarif.js'
import { load } from './support/snapshots.js'

/**
 * The printers of `havip plan` and `havip check`, called in the test process on reports of plans
 * where failures, unknowns, waived findings and stale waivers meet. What each format must say is
 * written here from docs/terraform.md ("Output", "Waivers", "Exit codes") and docs/cli.md.
 */

const account = load(JSON.parse(readFileSync(new URL('./fixtures/terraform/account.json', import.meta.url), 'utf8')))

const unknownTarget = (name: string, haVip: string): ChangeSpec => ({
  ...association(name, ['create'], { haVip, instance: 'x' }),
  after: { ha_vip_id: haVip, instance_type: 'EcsInstance' },
  afterUnknown: { id: true, instance_id: true },
  expressions: { instance_id: { references: ['var.target'] } },
})
const unknownHaVip = (name: string, instance: string): ChangeSpec => ({
  ...association(name, ['create'], { haVip: 'x', instance }),
  after: { instance_id: instance, instance_type: 'EcsInstance' },
  afterUnknown: { id: true, ha_vip_id: true },
  expressions: { ha_vip_id: { references: ['var.vip'] } },
})

/** Changes whose findings are: a fail with one violation, a fail with two, a fail whose code is not its id, passes of both actions, unknowns of either side. */
const changes: ReadonlyArray<ChangeSpec> = [
  association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' }),
  association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' }),
  unknownTarget('maybe', 'havip-b'),
  association('two', ['create'], { haVip: 'havip-c', instance: 'i-stop' }),
  { ...association('eni', ['create'], { haVip: 'havip-e', instance: 'eni-b2', type: 'NetworkInterface' }), key: 0 },
  association('gone', ['delete'], undefined, { haVip: 'havip-b', instance: 'i-a12' }),
  unknownHaVip('later', 'i-b2'),
]

const inline = (id: string, block: string, reason: string, where: string): Waiver => ({ id, reason, address: `volcengine_ha_vip_associate.${block}`, scope: 'block', kind: 'inline', where })
const baseline = (id: string, address: string, reason: string, n: number): Waiver => ({ id, reason, address: `volcengine_ha_vip_associate.${address}`, scope: 'instance', kind: 'baseline', where: `havip-baseline.json waivers[${String(n)}]` })

/** Waivers of a failure, of an unknown, of one of two violations, of a counted block's instances, and some that match nothing. */
const waivers: ReadonlyArray<Waiver> = [
  inline('LimitExceeded.InstancesPerHaVip', 'full', 'havip-f is raised to 20 targets next week', 'main.tf:2'),
  baseline('KnownAfterApply', 'maybe', 'var.target is checked by the pipeline', 0),
  baseline('InvalidHaVip.InvalidStatus', 'two', 'havip-c is ready by then', 1),
  inline('Forbidden.TwoEnisOfOneInstance', 'eni', 'eni-b1 moves first', 'modules/net work/main.tf:14'),
  inline('InvalidInstance.HaVipMismatch', 'ok', 'was needed before the subnet moved', 'main.tf:17'),
  baseline('LimitExceeded.InstancesPerHaVip', 'removed[3]', 'removed long ago', 2),
  baseline('KnownAfterApply', 'later', 'the HaVip is made in this plan', 3),
]

const locations = new Map([
  ['volcengine_ha_vip_associate.full', { file: 'main.tf', line: 1 }],
  ['volcengine_ha_vip_associate.eni', { file: 'modules/net work/main.tf', line: 12 }],
  ['volcengine_ha_vip_associate.later', { file: 'main.tf', line: 30 }],
])

interface Case { readonly changes: ReadonlyArray<ChangeSpec>; readonly waivers?: ReadonlyArray<Waiver>; readonly located: boolean }

const reportOf = (c: Case): PlanReport => {
  const checked = checkPlan(account, plan(c.changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  const located = c.located ? withLocations(checked.right, locations) : checked.right
  return c.waivers === undefined ? located : withWaivers(located, c.waivers)
}

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  changes: fc.shuffledSubarray([...changes]),
  waivers: fc.option(fc.shuffledSubarray([...waivers]), { nil: undefined }),
  located: fc.boolean(),
})

// What the docs say each finding shows, from the finding alone.

/** `AssociateHaVip havip-f ← (target known after apply) (EcsInstance)`, the change as the text output shows it. */
const changeWords = (f: PlanFinding): string => [
  f.action,
  f.haVipId ?? '(HaVip known after apply)',
  f.action === 'AssociateHaVip' ? '←' : '→',
  f.instanceId ?? '(target known after apply)',
  ...(f.instanceType === undefined ? [] : [`(${f.instanceType})`]),
].join(' ')

/** Whether a finding fails the gate, is unknown at the gate, or neither (passes or is waived). */
const gate = (f: PlanFinding): 'fail' | 'unknown' | 'clear' => (f.waived === true ? 'clear' : f.verdict === 'pass' ? 'clear' : f.verdict)

/** The exit code of docs/terraform.md "Exit codes", from the findings. */
const exitOf = (findings: ReadonlyArray<PlanFinding>): number =>
  findings.some((f) => gate(f) === 'fail') ? 1 : findings.some((f) => gate(f) === 'unknown') ? 3 : 0

const waiverWords = (w: Waiver): string => `${w.id}: ${w.reason} (${w.kind === 'inline' ? 'havip:ignore at' : 'baseline'} ${w.where})`
const staleWords = (w: Waiver): string => `stale waiver at ${w.where}: ${w.id} on ${w.address} matches no finding of this plan; remove it`

const summaryWords = (r: PlanReport): string => {
  const n = r.findings.length
  const waived = r.findings.filter((f) => f.waived === true).length
  const of = (v: string) => r.findings.filter((f) => f.waived !== true && f.verdict === v).length
  return `${String(n)} ${n === 1 ? 'binding' : 'bindings'}: ${String(of('pass'))} pass, ${String(of('fail'))} fail, ${String(of('unknown'))} unknown${r.summary.waived === undefined ? '' : `, ${String(waived)} waived`}`
}

// SARIF

interface SarifResult {
  ruleId: string
  ruleIndex: number
  level: string
  message: { text: string }
  locations: ReadonlyArray<{ physicalLocation?: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } }; logicalLocations: ReadonlyArray<{ fullyQualifiedName: string; kind: string }> }>
  suppressions?: ReadonlyArray<{ kind: string; status: string; justification: string }>
}
interface SarifRule { id: string; name: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string }; helpUri: string; defaultConfiguration: { level: string } }
interface SarifLog {
  $schema: string
  version: string
  runs: ReadonlyArray<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: ReadonlyArray<SarifRule> } }
    originalUriBaseIds?: Record<string, { uri: string }>
    results: ReadonlyArray<SarifResult>
    invocations?: ReadonlyArray<{ executionSuccessful: boolean; toolExecutionNotifications: ReadonlyArray<{ level: string; message: { text: string }; locations?: SarifResult['locations'] }> }>
  }>
}

const validSarif = sarifValidator()
const sarifOf = (r: PlanReport, root?: string): SarifLog => {
  const log = JSON.parse(planSarif(r, '9.8.7', root)) as SarifLog
  expect(validSarif(log), JSON.stringify(validSarif.errors)).toBe(true)
  return log
}

/** What docs/terraform.md says of each finding's results: an error per violation, a warning per unknown, suppressed when waived. */
const expectedResults = (f: PlanFinding) => [
  ...f.violations.map((v) => ({ ruleId: v.id, level: 'error' })),
  ...f.unknowns.map(() => ({ ruleId: 'KnownAfterApply', level: 'warning' })),
].map((x) => {
  const w = f.waivers?.find((y) => y.id === x.ruleId)
  return { ...x, address: f.address, location: f.location, suppression: w === undefined ? undefined : { kind: w.kind === 'inline' ? 'inSource' : 'external', status: 'accepted', reason: w.reason, where: w.where } }
})

const checkSarif = (r: PlanReport, root?: string): void => {
  const log = sarifOf(r, root)
  expect([log.version, log.runs.length]).toEqual(['2.1.0', 1])
  const [run] = log.runs
  if (run === undefined) throw new Error('no run')
  expect(run.tool.driver).toMatchObject({ name: 'havip-rules', version: '9.8.7' })
  const { rules } = run.tool.driver
  // One rule per error id a planned binding change can meet, and KnownAfterApply.
  expect(rules.map((x) => x.id)).toEqual([...errorIds.filter((id) => !endpointErrorIds.includes(id)), 'KnownAfterApply'])
  expect(new Set(rules.map((x) => x.defaultConfiguration.level))).toEqual(new Set(['error', 'warning']))
  expect(rules.filter((x) => x.defaultConfiguration.level === 'warning').map((x) => x.id)).toEqual(['KnownAfterApply'])
  const got = run.results.map((x) => {
    expect(rules[x.ruleIndex]?.id).toBe(x.ruleId)
    const [loc] = x.locations
    expect(x.locations).toHaveLength(1)
    expect(loc?.logicalLocations).toEqual([{ fullyQualifiedName: loc?.logicalLocations[0]?.fullyQualifiedName, kind: 'resource' }])
    const s = x.suppressions?.[0]
    expect(x.suppressions?.length ?? 1).toBe(1)
    return {
      ruleId: x.ruleId,
      level: x.level,
      address: loc?.logicalLocations[0]?.fullyQualifiedName,
      location: loc?.physicalLocation === undefined ? undefined : { file: decodeURI(loc.physicalLocation.artifactLocation.uri), line: loc.physicalLocation.region.startLine, base: loc.physicalLocation.artifactLocation.uriBaseId },
      suppression: s === undefined ? undefined : { kind: s.kind, status: s.status, justification: s.justification },
    }
  })
  expect(got).toEqual(r.findings.flatMap(expectedResults).map((x) => ({
    ...x,
    location: x.location === undefined ? undefined : { ...x.location, base: 'SRCROOT' },
    suppression: x.suppression === undefined ? undefined : { kind: x.suppression.kind, status: x.suppression.status, justification: expect.stringMatching(new RegExp(`${escape(x.suppression.reason)}.*${escape(x.suppression.where)}`)) as unknown },
  })))
  // Each result's message names its change.
  for (const [i, x] of run.results.entries()) expect(x.message.text).toContain(got[i]?.address)
  // Stale waivers: a warning notification of the run each, at the comment's line for an inline one.
  const stale = r.staleWaivers ?? []
  if (stale.length === 0) expect(run.invocations).toBeUndefined()
  else {
    expect(run.invocations).toHaveLength(1)
    expect(run.invocations?.[0]?.executionSuccessful).toBe(true)
    expect(run.invocations?.[0]?.toolExecutionNotifications.map((n) => ({
      level: n.level, text: n.message.text,
      at: n.locations?.map((l) => `${decodeURI(l.physicalLocation?.artifactLocation.uri ?? '')}:${String(l.physicalLocation?.region.startLine)} ${String(l.physicalLocation?.artifactLocation.uriBaseId)}`),
    }))).toEqual(stale.map((w) => ({ level: 'warning', text: staleWords(w), at: w.kind === 'inline' ? [`${w.where} SRCROOT`] : undefined })))
  }
  expect(run.originalUriBaseIds).toEqual(root === undefined ? undefined : { SRCROOT: { uri: `file://${root.replace(/\/$/, '')}/` } })
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// JUnit

type XmlNode = Record<string, unknown>
const many = (x: unknown): ReadonlyArray<XmlNode> => (x === undefined ? [] : Array.isArray(x) ? x as ReadonlyArray<XmlNode> : [x as XmlNode])

/** The characters XML 1.0 does not allow, even escaped. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const notXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

// xmlbuilder2's object form leaves the quotes of attribute values as entities.
const entitiesDecoded = (x: unknown): unknown =>
  typeof x === 'string' ? x.replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    : Array.isArray(x) ? x.map(entitiesDecoded)
      : typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, entitiesDecoded(v)])) : x

const junitOf = (r: PlanReport) => {
  const xml = planJunit(r)
  expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /)
  expect(xml.endsWith('</testsuites>\n') || xml.endsWith('/>\n')).toBe(true)
  expect(xml).not.toMatch(notXml)
  const doc = entitiesDecoded(create(xml).end({ format: 'object' })) as { testsuites: XmlNode & { testsuite: XmlNode } }
  return { xml, suites: doc.testsuites, suite: doc.testsuites.testsuite, cases: many(doc.testsuites.testsuite.testcase) }
}

const checkJunit = (r: PlanReport): void => {
  const { suites, suite, cases } = junitOf(r)
  const fails = r.findings.filter((f) => gate(f) === 'fail').length
  const skipped = r.findings.filter((f) => f.waived === true || f.verdict === 'unknown').length
  for (const s of [suites, suite]) {
    expect({ name: s['@name'], tests: s['@tests'], failures: s['@failures'], skipped: s['@skipped'], errors: s['@errors'] })
      .toEqual({ name: 'havip plan', tests: String(r.findings.length), failures: String(fails), skipped: String(skipped), errors: '0' })
  }
  expect(cases).toHaveLength(r.findings.length)
  expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(fails)
  expect(cases.filter((c) => c.skipped !== undefined)).toHaveLength(skipped)
  r.findings.forEach((f, i) => {
    const c = cases[i] ?? {}
    expect(c['@classname']).toBe(f.address.replace(/\[.*$/, ''))
    expect(c['@name']).toBe(`${f.address} ${changeWords(f)}`)
    expect([c['@file'], c['@line']]).toEqual(f.location === undefined ? [undefined, undefined] : [f.location.file, String(f.location.line)])
    const failure = c.failure as XmlNode | undefined
    if (gate(f) === 'fail') {
      expect(failure?.['@type']).toBe(f.violations[0]?.id)
      expect(failure?.['@message']).toBe(f.violations.map((v) => v.id).join(', '))
      for (const v of f.violations) for (const part of [v.id, `HTTP ${String(v.status)}`, v.message, v.messageZh, v.facts]) expect(failure?.['#']).toContain(part)
    } else expect(failure).toBeUndefined()
    const skip = c.skipped as XmlNode | undefined
    if (f.waived === true) {
      expect(skip?.['@message']).toBe(`waived: ${(f.waivers ?? []).map(waiverWords).join('; ')}`)
    } else if (f.verdict === 'unknown') {
      expect(skip?.['@message']).toBe(f.unknowns.map((u) => `${u.attribute}: ${u.reason}`).join('; '))
    } else expect(skip).toBeUndefined()
  })
  const stale = r.staleWaivers ?? []
  expect(suite['system-err']).toEqual(stale.length === 0 ? undefined : stale.map(staleWords).join('\n'))
}

// text and JSON

// eslint-disable-next-line no-control-regex -- the ANSI escapes of a terminal
const withoutColour = (text: string): string => text.replace(/\u001b\[\d+m/g, '')

const checkPlanText = (r: PlanReport): void => {
  const text = planText(r, style(false))
  expect(`\n${text}`.endsWith(`\n\n${summaryWords(r)}\n`)).toBe(true)
  expect(text).toBe(withoutColour(planText(r, style(true))))
  const lines = text.split('\n')
  // One block per finding, each starting with its address and change; then the stale waivers.
  const heads = lines.filter((l) => !l.startsWith(' ') && l !== '' && !l.startsWith('stale waiver') && l !== summaryWords(r))
  expect(heads).toEqual(r.findings.map((f) => `${f.address}  ${changeWords(f)}`))
  const blocks = text.split(/\n(?=[^ \n])/)
  r.findings.forEach((f, i) => {
    const block = blocks[i] ?? ''
    if (f.verdict === 'pass') expect(block).toContain('\n   ✓ pass')
    else expect(block).not.toContain('✓ pass')
    for (const v of f.violations) {
      expect(block).toContain(`   ✗ ${v.id} (HTTP ${String(v.status)}${v.code === v.id ? '' : `, Code ${v.code}`})\n       ${v.message}\n       ${v.messageZh}\n       because ${v.facts}`)
    }
    for (const u of f.unknowns) expect(block).toContain(`   ? unknown: ${u.attribute}: ${u.reason}`)
    for (const w of f.waivers ?? []) expect(block).toContain(`   ~ waived ${waiverWords(w)}`)
    expect(block.includes('~ waived')).toBe((f.waivers ?? []).length > 0)
    if (f.location !== undefined) expect(block).toContain(`   at ${f.location.file}:${String(f.location.line)}`)
    else expect(block).not.toContain('   at ')
  })
  expect(lines.filter((l) => l.startsWith('stale waiver'))).toEqual((r.staleWaivers ?? []).map(staleWords))
}

interface ReportJson {
  findings: ReadonlyArray<Record<string, unknown> & { waivers?: ReadonlyArray<Record<string, unknown>> }>
  summary: Record<string, number>
  staleWaivers?: ReadonlyArray<Record<string, unknown>>
}

const checkJson = (r: PlanReport): void => {
  const text = planJson(r)
  expect(text.endsWith('}\n')).toBe(true)
  const json = JSON.parse(text) as ReportJson
  const waiverJson = (w: Waiver, address: boolean) => ({ id: w.id, reason: w.reason, kind: w.kind, where: w.where, ...(address ? { address: w.address } : {}) })
  // The keys docs/terraform.md lists, those a finding has; waivers without their address.
  const keys = ['address', 'action', 'haVipId', 'instanceId', 'instanceType', 'verdict', 'violations', 'unknowns', 'location', 'waived', 'waivers'] as const
  const violationKeys = ['id', 'code', 'status', 'codeN', 'message', 'messageZh', 'facts'] as const
  const picked = (o: object, ks: ReadonlyArray<string>): Record<string, unknown> =>
    Object.fromEntries(ks.flatMap((k) => ((o as Record<string, unknown>)[k] === undefined ? [] : [[k, (o as Record<string, unknown>)[k]]])))
  expect(json.findings).toEqual(r.findings.map((f) => ({
    ...picked(f, keys),
    violations: f.violations.map((v) => picked(v, violationKeys)),
    ...(f.waivers === undefined ? {} : { waivers: f.waivers.map((w) => waiverJson(w, false)) }),
  })))
  const of = (v: string) => r.findings.filter((f) => f.waived !== true && f.verdict === v).length
  expect(json.summary).toEqual({ pass: of('pass'), fail: of('fail'), unknown: of('unknown'), ...(r.staleWaivers === undefined ? {} : { waived: r.findings.filter((f) => f.waived === true).length }) })
  expect(json.staleWaivers).toEqual(r.staleWaivers?.map((w) => waiverJson(w, true)))
  // The gate (docs/terraform.md, Exit codes) reads the summary.
  expect((json.summary.fail ?? 0) > 0 ? 1 : (json.summary.unknown ?? 0) > 0 ? 3 : 0).toBe(exitOf(r.findings))
  expect(planSummary(r.summary)).toBe(summaryWords(r))
}

describe('the plan printers, on plans where failures, unknowns, waivers and stale waivers meet', () => {
  test.prop([caseArbitrary], { numRuns: runs(60) })('every format says what docs/terraform.md says of each finding, and counts alike', (c) => {
    const r = reportOf(c)
    checkSarif(r, c.located ? '/work/repo' : undefined)
    checkJunit(r)
    checkPlanText(r)
    checkJson(r)
  })

  const all = reportOf({ changes, waivers, located: true })
  const find = (name: string) => all.findings.find((f) => f.address.startsWith(`volcengine_ha_vip_associate.${name}`))

  it('the example plan has every kind of finding', () => {
    expect(all.findings.map((f) => [f.address, f.verdict, f.waived ?? false, f.violations.length, f.unknowns.length])).toEqual([
      ['volcengine_ha_vip_associate.eni[0]', 'fail', true, 1, 0],
      ['volcengine_ha_vip_associate.full', 'fail', true, 1, 0],
      ['volcengine_ha_vip_associate.gone', 'pass', false, 0, 0],
      ['volcengine_ha_vip_associate.later', 'unknown', true, 0, 1],
      ['volcengine_ha_vip_associate.maybe', 'unknown', true, 0, 1],
      ['volcengine_ha_vip_associate.ok', 'pass', false, 0, 0],
      ['volcengine_ha_vip_associate.two', 'fail', false, 2, 0],
    ])
    expect(all.summary).toEqual({ pass: 2, fail: 1, unknown: 0, waived: 4 })
    expect(all.staleWaivers?.map((w) => w.where)).toEqual(['main.tf:17', 'havip-baseline.json waivers[2]'])
  })

  it('sarif: an error per violation and a warning per unknown, waived ones suppressed (inSource for a comment, external for a baseline)', () => {
    const run = sarifOf(all, '/work/repo').runs[0]
    const brief = run?.results.map((x) => [x.ruleId, x.level, x.locations[0]?.logicalLocations[0]?.fullyQualifiedName, x.suppressions?.map((s) => s.kind).join() ?? '-'])
    expect(brief).toEqual([
      ['Forbidden.TwoEnisOfOneInstance', 'error', 'volcengine_ha_vip_associate.eni[0]', 'inSource'],
      ['LimitExceeded.InstancesPerHaVip', 'error', 'volcengine_ha_vip_associate.full', 'inSource'],
      ['KnownAfterApply', 'warning', 'volcengine_ha_vip_associate.later', 'external'],
      ['KnownAfterApply', 'warning', 'volcengine_ha_vip_associate.maybe', 'external'],
      ['InvalidHaVip.InvalidStatus', 'error', 'volcengine_ha_vip_associate.two', 'external'],
      ['InvalidInstance.InvalidStatus', 'error', 'volcengine_ha_vip_associate.two', '-'],
    ])
    const eni = run?.results[0]
    expect(eni?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'modules/net%20work/main.tf', uriBaseId: 'SRCROOT' }, region: { startLine: 12 } })
    expect(eni?.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'eni-b1 moves first (modules/net work/main.tf:14)' }])
    expect(eni?.message.text).toBe(`volcengine_ha_vip_associate.eni[0]: AssociateHaVip havip-e ← eni-b2 (NetworkInterface) would be refused: ${find('eni')?.violations[0]?.message ?? ''} (HaVip havip-e is bound to ENI eni-b1, which is attached to i-b1 like ENI eni-b2)`)
    expect(run?.results[2]?.message.text).toBe('volcengine_ha_vip_associate.later: AssociateHaVip (HaVip known after apply) ← i-b2 (EcsInstance) is unknown until apply: ha_vip_id: ha_vip_id of volcengine_ha_vip_associate.later is computed from var.vip')
    expect(run?.results[3]?.locations[0]?.physicalLocation).toBeUndefined()
    expect(run?.invocations?.[0]?.toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: 'stale waiver at main.tf:17: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok matches no finding of this plan; remove it' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'main.tf', uriBaseId: 'SRCROOT' }, region: { startLine: 17 } } }] },
      { level: 'warning', message: { text: 'stale waiver at havip-baseline.json waivers[2]: LimitExceeded.InstancesPerHaVip on volcengine_ha_vip_associate.removed[3] matches no finding of this plan; remove it' } },
    ])
    expect(run?.originalUriBaseIds).toEqual({ SRCROOT: { uri: 'file:///work/repo/' } })
    expect(sarifOf(all, '/work/repo/').runs[0]?.originalUriBaseIds).toEqual({ SRCROOT: { uri: 'file:///work/repo/' } })
  })

  it('sarif: each rule has the vendor\'s texts and a link to the docs of this version', () => {
    const rules = sarifOf(all).runs[0]?.tool.driver.rules ?? []
    const limit = rules.find((x) => x.id === 'LimitExceeded.InstancesPerHaVip')
    const { en, zh, code, status } = catalog['LimitExceeded.InstancesPerHaVip']
    expect(limit).toMatchObject({ name: 'LimitExceededInstancesPerHaVip', shortDescription: { text: en }, helpUri: 'https://unpkg.com/havip-rules@9.8.7/docs/errors.md', defaultConfiguration: { level: 'error' } })
    for (const part of [en, zh, code, `HTTP ${String(status)}`]) expect(limit?.fullDescription.text).toContain(part)
    expect(limit?.help.text).toContain(`${code} (HTTP ${String(status)})`)
    expect(rules.at(-1)).toMatchObject({ id: 'KnownAfterApply', name: 'KnownAfterApply', helpUri: 'https://unpkg.com/havip-rules@9.8.7/docs/terraform.md', defaultConfiguration: { level: 'warning' } })
    expect(rules.map((x) => x.id)).not.toContain('SignatureDoesNotMatch')
    const log = sarifOf(all)
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    expect(log.runs[0]?.tool.driver.informationUri).toBe('https://www.npmjs.com/package/havip-rules')
  })

  it('sarif: a plan without stale waivers has no invocations, and a report without waivers no suppressions', () => {
    const run = sarifOf(reportOf({ changes, located: false })).runs[0]
    expect(run?.invocations).toBeUndefined()
    expect(run?.results.filter((x) => x.suppressions !== undefined)).toEqual([])
    expect(run?.results.map((x) => x.level)).toEqual(['error', 'error', 'warning', 'warning', 'error', 'error'])
    expect(sarifOf(withWaivers(reportOf({ changes, located: false }), [])).runs[0]?.invocations).toBeUndefined()
  })

  it('junit: one failure per unwaived fail, skipped per unknown and per waived finding, stale waivers in system-err', () => {
    const { xml } = junitOf(all)
    for (const part of [
      '<testsuites name="havip plan" tests="7" failures="1" skipped="4" errors="0">',
      '<testsuite name="havip plan" tests="7" failures="1" skipped="4" errors="0">',
      '<testcase classname="volcengine_ha_vip_associate.eni" name="volcengine_ha_vip_associate.eni[0] AssociateHaVip havip-e ← eni-b2 (NetworkInterface)" file="modules/net work/main.tf" line="12">',
      '<skipped message="waived: Forbidden.TwoEnisOfOneInstance: eni-b1 moves first (havip:ignore at modules/net work/main.tf:14)"/>',
      '<skipped message="waived: KnownAfterApply: var.target is checked by the pipeline (baseline havip-baseline.json waivers[0])"/>',
      '<failure type="InvalidHaVip.InvalidStatus" message="InvalidHaVip.InvalidStatus, InvalidInstance.InvalidStatus">',
      '<system-err>stale waiver at main.tf:17: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok matches no finding of this plan; remove it\nstale waiver at havip-baseline.json waivers[2]: LimitExceeded.InstancesPerHaVip on volcengine_ha_vip_associate.removed[3] matches no finding of this plan; remove it</system-err>',
    ]) expect(xml).toContain(part)
    const plain = junitOf(reportOf({ changes, located: false }))
    expect(plain.xml).toContain('<testsuites name="havip plan" tests="7" failures="3" skipped="2" errors="0">')
    expect(plain.xml).toContain('<skipped message="instance_id: instance_id of volcengine_ha_vip_associate.maybe is computed from var.target"/>')
    expect(plain.xml).not.toContain('system-err')
    expect(plain.xml).not.toContain(' file=')
    const failure = plain.cases.find((c) => c['@classname'] === 'volcengine_ha_vip_associate.two')?.failure as XmlNode | undefined
    const [a, b] = find('two')?.violations ?? []
    expect(failure?.['#']).toBe([a, b].map((v) => `${v?.id ?? ''} (HTTP 400): ${v?.message ?? ''}\n${v?.messageZh ?? ''}\nbecause ${v?.facts ?? ''}`).join('\n\n'))
    expect(junitOf(reportOf({ changes: [], located: false })).xml).toContain('tests="0" failures="0" skipped="0" errors="0"')
  })

  it('text: the blocks, the waivers with where they are written, the stale waivers, and the summary with the waived count', () => {
    const text = planText(all, style(false))
    expect(text).toContain([
      'volcengine_ha_vip_associate.full  AssociateHaVip havip-f ← i-a12 (EcsInstance)',
      '   ✗ LimitExceeded.InstancesPerHaVip (HTTP 400)',
      `       ${catalog['LimitExceeded.InstancesPerHaVip'].en}`,
      `       ${catalog['LimitExceeded.InstancesPerHaVip'].zh}`,
      '       because HaVip havip-f is bound to 10 targets; InstancesPerHaVip is 10',
      '   ~ waived LimitExceeded.InstancesPerHaVip: havip-f is raised to 20 targets next week (havip:ignore at main.tf:2)',
      '   at main.tf:1',
      'volcengine_ha_vip_associate.gone  DisassociateHaVip havip-b → i-a12 (EcsInstance)',
      '   ✓ pass',
      'volcengine_ha_vip_associate.later  AssociateHaVip (HaVip known after apply) ← i-b2 (EcsInstance)',
      '   ? unknown: ha_vip_id: ha_vip_id of volcengine_ha_vip_associate.later is computed from var.vip',
      '   ~ waived KnownAfterApply: the HaVip is made in this plan (baseline havip-baseline.json waivers[3])',
      '   at main.tf:30',
    ].join('\n'))
    expect(text).toContain('   ✗ Forbidden.TwoEnisOfOneInstance (HTTP 403, Code Forbidden)\n')
    expect(text.endsWith([
      'stale waiver at main.tf:17: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok matches no finding of this plan; remove it',
      'stale waiver at havip-baseline.json waivers[2]: LimitExceeded.InstancesPerHaVip on volcengine_ha_vip_associate.removed[3] matches no finding of this plan; remove it',
      '',
      '7 bindings: 2 pass, 1 fail, 0 unknown, 4 waived',
      '',
    ].join('\n'))).toBe(true)
    expect(planText(reportOf({ changes: changes.slice(1, 2), located: false }), style(false))).toBe('volcengine_ha_vip_associate.ok  AssociateHaVip havip-x ← i-b1 (EcsInstance)\n   ✓ pass\n\n1 binding: 1 pass, 0 fail, 0 unknown\n')
    expect(planText(reportOf({ changes: [], located: false }), style(false))).toBe('\n0 bindings: 0 pass, 0 fail, 0 unknown\n')
  })

  it('text: on a terminal, a pass is green, a failure red, an unknown and a stale waiver yellow, the address bold, the facts faint', () => {
    const text = planText(all, style(true))
    for (const part of [
      '\u001b[1mvolcengine_ha_vip_associate.gone\u001b[22m  DisassociateHaVip',
      '   \u001b[32m✓\u001b[39m pass',
      '   \u001b[31m✗\u001b[39m \u001b[1mInvalidHaVip.InvalidStatus\u001b[22m (HTTP 400)',
      '       \u001b[2mbecause HaVip havip-c is Creating; it must be Available or InUse\u001b[22m',
      '   \u001b[33m?\u001b[39m unknown: ',
      '   \u001b[2m~\u001b[22m waived ',
      '   \u001b[2mat main.tf:1\u001b[22m',
      '\u001b[33mstale waiver at main.tf:17: ',
    ]) expect(text).toContain(part)
  })

  it('json: the findings with their waivers, the summary with waived, and the stale waivers with their addresses', () => {
    const json = JSON.parse(planJson(all)) as ReportJson
    expect(json.summary).toEqual({ pass: 2, fail: 1, unknown: 0, waived: 4 })
    expect(json.findings.find((f) => f.address === 'volcengine_ha_vip_associate.two')).toMatchObject({ verdict: 'fail', waived: false, waivers: [{ id: 'InvalidHaVip.InvalidStatus', reason: 'havip-c is ready by then', kind: 'baseline', where: 'havip-baseline.json waivers[1]' }] })
    expect(json.findings.find((f) => f.address === 'volcengine_ha_vip_associate.later')).toEqual({
      address: 'volcengine_ha_vip_associate.later', action: 'AssociateHaVip', instanceId: 'i-b2', instanceType: 'EcsInstance', verdict: 'unknown', violations: [],
      unknowns: [{ attribute: 'ha_vip_id', reason: 'ha_vip_id of volcengine_ha_vip_associate.later is computed from var.vip' }],
      location: { file: 'main.tf', line: 30 }, waived: true,
      waivers: [{ id: 'KnownAfterApply', reason: 'the HaVip is made in this plan', kind: 'baseline', where: 'havip-baseline.json waivers[3]' }],
    })
    expect(json.staleWaivers?.[1]).toEqual({ id: 'LimitExceeded.InstancesPerHaVip', reason: 'removed long ago', kind: 'baseline', where: 'havip-baseline.json waivers[2]', address: 'volcengine_ha_vip_associate.removed[3]' })
    const plain = JSON.parse(planJson(reportOf({ changes, located: false }))) as ReportJson
    expect(plain.summary).toEqual({ pass: 2, fail: 3, unknown: 2 })
    expect('staleWaivers' in plain).toBe(false)
    expect(plain.findings.every((f) => !('waived' in f) && !('waivers' in f) && !('location' in f))).toBe(true)
  })
})

describe('the printers make a plan\'s texts safe (text and junit), and keep them as they are in json and sarif', () => {
  const hostile = `i-\u001b[2J\n\u2028\u202e\u0085\ud800x\ufffe`
  const long = `${'a'.repeat(maxShown - 1)}😀${'b'.repeat(500)}`
  const report = reportOf({ changes: [association('h', ['create'], { haVip: 'havip-x', instance: hostile }), association('l', ['create'], { haVip: long, instance: 'i-b1' })], waivers: [inline('InvalidInstance.HaVipMismatch', 'ok', 'reason', 'ma\u001bin.tf:7')], located: false })
  const shown = 'i-\\u001b[2J\\u000a\\u2028\\u202e\\u0085\\ud800x\\ufffe'

  it('writes control, separator, bidirectional and non-XML characters as \\uXXXX text, and cuts a long value without splitting a character', () => {
    expect(printable(hostile)).toBe(shown)
    const cut = `${'a'.repeat(maxShown - 1)}… (502 more characters)`
    expect(printable(long)).toBe(cut)
    expect(printable('x'.repeat(maxShown))).toBe('x'.repeat(maxShown))
    expect(printable('x'.repeat(maxShown + 1))).toBe(`${'x'.repeat(maxShown)}… (1 more characters)`)
    expect(printable('\ud83d\ude00 \udc00\ud800')).toBe('\ud83d\ude00 \\udc00\\ud800')
    const text = planText(report, style(false))
    expect(text).toContain(`AssociateHaVip havip-x ← ${shown} (EcsInstance)`)
    expect(text).toContain(`AssociateHaVip ${cut} ← i-b1`)
    expect(text).toContain('stale waiver at ma\\u001bin.tf:7: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok')
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)
    const { xml } = junitOf(report)
    expect(xml).toContain(shown)
    expect(xml).toContain(cut)
    expect(xml).toContain('ma\\u001bin.tf:7')
    const json = JSON.parse(planJson(report)) as ReportJson
    expect(json.findings.map((f) => f.instanceId)).toContain(hostile)
    const sarif = sarifOf(report)
    expect(sarif.runs[0]?.results.map((x) => x.message.text).join()).toContain(hostile)
  })
})

describe('printable, at the edges of what it writes as \\uXXXX', () => {
  it('escapes exactly the C0 and C1 controls, DEL, the separators, the bidirectional controls, U+FFFE, U+FFFF and lone surrogates', () => {
    const escapedOnes = [0x0, 0x9, 0xa, 0x1f, 0x7f, 0x85, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069, 0xfffe, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff]
    const keptOnes = [0x20, 0x7e, 0xa0, 0x2027, 0x202f, 0x2065, 0x206a, 0xfffd, 0xe000]
    for (const c of escapedOnes) expect(printable(`a${String.fromCharCode(c)}b`), c.toString(16)).toBe(`a\\u${c.toString(16).padStart(4, '0')}b`)
    for (const c of keptOnes) expect(printable(`a${String.fromCharCode(c)}b`), c.toString(16)).toBe(`a${String.fromCharCode(c)}b`)
    for (const pair of ['\ud800\udc00', '\udbff\udfff', '\ud83d\ude00']) expect(printable(`a${pair}b`)).toBe(`a${pair}b`)
    expect(printable('\udc00\ud800\udc00\ud800')).toBe('\\udc00\ud800\udc00\\ud800')
  })

  it('cuts after max characters, one fewer when the last would be half a pair, and counts what it left out', () => {
    expect(printable('abcdef', 3)).toBe('abc… (3 more characters)')
    expect(printable('abc', 3)).toBe('abc')
    expect(printable('ab\ud800\udc00c', 3)).toBe('ab… (3 more characters)')
    expect(printable('ab\udbff\udfffc', 3)).toBe('ab… (3 more characters)')
    expect(printable('a\ud800\udc00bc', 3)).toBe('a\ud800\udc00… (2 more characters)')
    expect(printable('\u0000bcdef', 3)).toBe('\\u0… (8 more characters)')
  })
})

describe('the plan printers, on a finding that knows nothing but its address and action', () => {
  const bare: PlanFinding = {
    address: 'module.m["k"].volcengine_ha_vip_associate.x[2]', action: 'DisassociateHaVip', verdict: 'unknown', violations: [],
    unknowns: [{ attribute: 'ha_vip_id', reason: 'r1' }, { attribute: 'instance_id', reason: 'r2' }],
  }
  const report: PlanReport = { findings: [bare], summary: { pass: 0, fail: 0, unknown: 1 }, ignored: [], localModules: [] }

  it('says what is known after apply, in every format', () => {
    expect(planText(report, style(false))).toBe([
      'module.m["k"].volcengine_ha_vip_associate.x[2]  DisassociateHaVip (HaVip known after apply) → (target known after apply)',
      '   ? unknown: ha_vip_id: r1',
      '   ? unknown: instance_id: r2',
      '',
      '1 binding: 0 pass, 0 fail, 1 unknown',
      '',
    ].join('\n'))
    const { cases } = junitOf(report)
    expect(cases).toEqual([{ '@classname': 'module.m', '@name': 'module.m["k"].volcengine_ha_vip_associate.x[2] DisassociateHaVip (HaVip known after apply) → (target known after apply)', skipped: { '@message': 'ha_vip_id: r1; instance_id: r2' } }])
    expect(JSON.parse(planJson(report))).toEqual({ findings: [{ address: bare.address, action: 'DisassociateHaVip', verdict: 'unknown', violations: [], unknowns: bare.unknowns }], summary: { pass: 0, fail: 0, unknown: 1 } })
    const results = sarifOf(report).runs[0]?.results ?? []
    expect(results.map((x) => [x.level, x.message.text])).toEqual([
      ['warning', `${bare.address}: DisassociateHaVip (HaVip known after apply) → (target known after apply) is unknown until apply: ha_vip_id: r1`],
      ['warning', `${bare.address}: DisassociateHaVip (HaVip known after apply) → (target known after apply) is unknown until apply: instance_id: r2`],
    ])
    checkSarif(report)
    checkJunit(report)
    checkPlanText(report)
    checkJson(report)
  })

  it('names every rule by its id without dots', () => {
    const rules = sarifOf(report).runs[0]?.tool.driver.rules ?? []
    expect(rules.map((x) => x.name)).toEqual(rules.map((x) => x.id.split('').filter((c) => /[a-z0-9]/i.test(c)).join('')))
  })
})

describe('the havip check printers (docs/cli.md)', () => {
  const queries = [
    'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-x&InstanceId=i-b1',
    'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-c&InstanceId=i-stop',
    'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-e&InstanceId=eni-b2&InstanceType=NetworkInterface',
    'Action=Nothing&Version=2020-04-01',
  ]
  const checks = checkQueries(account, queries, true)

  it('text: each query numbered, the answered violation marked, every other listed, then the summary', () => {
    const text = checkText(checks, style(false))
    const [stop, other] = checks[1]?.violations ?? []
    expect(text).toContain([
      `2. ${queries[1] ?? ''}`,
      '   ✗ InvalidHaVip.InvalidStatus (HTTP 400)  ← the API answers this',
      `       ${stop?.message ?? ''}`,
      `       ${stop?.messageZh ?? ''}`,
      `       because ${stop?.facts ?? ''}`,
      '   ✗ InvalidInstance.InvalidStatus (HTTP 400)',
      `       ${other?.message ?? ''}`,
    ].join('\n'))
    expect(text.startsWith(`1. ${queries[0] ?? ''}\n   ✓ would succeed\n2. `)).toBe(true)
    expect(text).toContain(`3. ${queries[2] ?? ''}\n   ✗ Forbidden.TwoEnisOfOneInstance (HTTP 403, Code Forbidden)  ← the API answers this\n`)
    expect(text).toContain('4. Action=Nothing&Version=2020-04-01\n   ✗ InvalidActionOrVersion (HTTP 404)  ← the API answers this\n')
    expect(text.endsWith('\n\n4 queries: 1 would succeed, 3 would fail\n')).toBe(true)
    expect(checkSummary(checks.slice(0, 1))).toBe('1 query: 1 would succeed, 0 would fail')
    expect(checkSummary([])).toBe('0 queries: 0 would succeed, 0 would fail')
    const colour = checkText(checks, style(true))
    expect(colour).toContain('   \u001b[32m✓\u001b[39m would succeed')
    expect(colour).toContain('\u001b[2m  ← the API answers this\u001b[22m')
    expect(withoutColour(colour)).toBe(text)
  })

  it('json: one object a line, ok, and answered on the first violation only; codeN for gateway errors', () => {
    const lines = checkJsonLines(checks)
    expect(lines.endsWith('\n')).toBe(true)
    const objects = lines.trimEnd().split('\n').map((l) => JSON.parse(l) as { query: string; ok: boolean; violations: ReadonlyArray<Record<string, unknown>> })
    expect(objects.map((o) => [o.query, o.ok, o.violations.map((v) => [v.id, v.answered])])).toEqual([
      [queries[0], true, []],
      [queries[1], false, [['InvalidHaVip.InvalidStatus', true], ['InvalidInstance.InvalidStatus', false]]],
      [queries[2], false, [['Forbidden.TwoEnisOfOneInstance', true]]],
      [queries[3], false, [['InvalidActionOrVersion', true]]],
    ])
    const v = checks[2]?.violations[0]
    expect(objects[2]?.violations[0]).toEqual({ id: v?.id, code: 'Forbidden', status: 403, message: v?.message, messageZh: v?.messageZh, facts: v?.facts, answered: true })
    expect(objects[3]?.violations[0]).toMatchObject({ code: 'InvalidActionOrVersion', codeN: 100008, status: 404 })
    expect('codeN' in (objects[1]?.violations[0] ?? {})).toBe(false)
    expect(checkJsonLines([])).toBe('')
  })

  it('counts a word as one or many', () => {
    expect([count(0, 'query', 'queries'), count(1, 'query', 'queries'), count(2, 'query', 'queries')]).toEqual(['0 queries', '1 query', '2 queries'])
  })
})
