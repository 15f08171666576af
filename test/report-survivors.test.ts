import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { PlanReport, SourceLocation, Waiver } from 'havip-rules'
import { checkPlan, withLocations, withWaivers } from 'havip-rules'
import { planJunit } from '../src/report/junit.js'
import { planText } from '../src/report/plan.js'
import { planSarif } from '../src/report/sarif.js'
import { style } from '../src/report/style.js'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'

/**
 * Named examples for what the report set's mutation run left alive (docs/testing.md, "Mutation
 * score"): the exact text, JUnit XML and SARIF a user reads when a plan's instance type, a
 * configuration file's name or a waiver's reason holds control characters, when one finding is
 * waived twice, when a `.tf` file's name holds a newline, and the texts of the KnownAfterApply rule.
 */

const account = load(JSON.parse(readFileSync(new URL('./fixtures/terraform/account.json', import.meta.url), 'utf8')))

const reportOf = (changes: ReadonlyArray<ChangeSpec>, locations?: ReadonlyMap<string, SourceLocation>, waivers?: ReadonlyArray<Waiver>): PlanReport => {
  const checked = checkPlan(account, plan(changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  const located = locations === undefined ? checked.right : withLocations(checked.right, locations)
  return waivers === undefined ? located : withWaivers(located, waivers)
}

const inline = (id: string, block: string, reason: string, where: string): Waiver => ({ id, reason, address: `volcengine_ha_vip_associate.${block}`, scope: 'block', kind: 'inline', where })

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const control = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

describe('the text and JUnit printers write a plan\'s hostile texts as \\uXXXX', () => {
  it('an instance type with an escape sequence is shown escaped in the change, in text and JUnit', () => {
    const r = reportOf([association('t', ['create'], { haVip: 'havip-x', instance: 'i-b1', type: 'Ecs\u001b[2JInstance' })])
    const [f] = r.findings
    expect(f?.instanceType).toBe('Ecs\u001b[2JInstance')
    const text = planText(r, style(false))
    expect(text.split('\n')[0]).toBe('volcengine_ha_vip_associate.t  AssociateHaVip havip-x ← i-b1 (Ecs\\u001b[2JInstance)')
    expect(text).not.toMatch(control)
    const xml = planJunit(r)
    expect(xml).toContain('name="volcengine_ha_vip_associate.t AssociateHaVip havip-x ← i-b1 (Ecs\\u001b[2JInstance)"')
    expect(xml).not.toMatch(control)
  })

  it('a configuration file whose name holds control characters is shown escaped where the block is', () => {
    const file = 'mod\u001b]0;pwned\u0007/main.tf'
    const r = reportOf([association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })], new Map([['volcengine_ha_vip_associate.ok', { file, line: 3 }]]))
    const text = planText(r, style(false))
    expect(text).toBe([
      'volcengine_ha_vip_associate.ok  AssociateHaVip havip-x ← i-b1 (EcsInstance)',
      '   ✓ pass',
      '   at mod\\u001b]0;pwned\\u0007/main.tf:3',
      '',
      '1 binding: 1 pass, 0 fail, 0 unknown',
      '',
    ].join('\n'))
    const xml = planJunit(r)
    expect(xml).toContain('file="mod\\u001b]0;pwned\\u0007/main.tf" line="3"')
    expect(xml).not.toMatch(control)
  })

  it('a waiver whose reason holds an escape sequence is shown escaped under its finding, in text and JUnit', () => {
    const waiver = inline('LimitExceeded.InstancesPerHaVip', 'full', 'raised\u001b[8m next week', 'main.tf:2')
    const r = reportOf([association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' })], undefined, [waiver])
    expect(r.findings[0]?.waived).toBe(true)
    const text = planText(r, style(false))
    expect(text).toContain('\n   ~ waived LimitExceeded.InstancesPerHaVip: raised\\u001b[8m next week (havip:ignore at main.tf:2)\n')
    expect(text).not.toMatch(control)
    const xml = planJunit(r)
    expect(xml).toContain('<skipped message="waived: LimitExceeded.InstancesPerHaVip: raised\\u001b[8m next week (havip:ignore at main.tf:2)"/>')
    expect(xml).not.toMatch(control)
  })
})

describe('junit: a finding waived for each of its two violations', () => {
  it('lists both waivers in the skipped message, separated by "; "', () => {
    const r = reportOf([association('two', ['create'], { haVip: 'havip-c', instance: 'i-stop' })], undefined, [
      inline('InvalidHaVip.InvalidStatus', 'two', 'havip-c is ready by then', 'main.tf:5'),
      inline('InvalidInstance.InvalidStatus', 'two', 'i-stop starts first', 'main.tf:6'),
    ])
    expect(r.findings.map((f) => [f.verdict, f.waived, f.waivers?.length])).toEqual([['fail', true, 2]])
    expect(planJunit(r)).toContain('<skipped message="waived: InvalidHaVip.InvalidStatus: havip-c is ready by then (havip:ignore at main.tf:5); InvalidInstance.InvalidStatus: i-stop starts first (havip:ignore at main.tf:6)"/>')
  })
})

interface Notification { readonly level: string; readonly message: { readonly text: string }; readonly locations?: ReadonlyArray<unknown> }
interface Rule { readonly id: string; readonly shortDescription: { readonly text: string }; readonly fullDescription: { readonly text: string }; readonly help: { readonly text: string } }
interface Log { readonly runs: ReadonlyArray<{ readonly tool: { readonly driver: { readonly rules: ReadonlyArray<Rule> } }; readonly invocations?: ReadonlyArray<{ readonly toolExecutionNotifications: ReadonlyArray<Notification> }> }> }
const sarifOf = (r: PlanReport): Log => JSON.parse(planSarif(r, '9.8.7')) as Log

describe('sarif: the KnownAfterApply rule and stale waivers in oddly named files', () => {
  it('the KnownAfterApply rule says what an unknown is and what to do', () => {
    const rule = sarifOf(reportOf([])).runs[0]?.tool.driver.rules.find((x) => x.id === 'KnownAfterApply')
    expect(rule).toMatchObject({
      shortDescription: { text: 'A binding change rests on a value known only after apply.' },
      fullDescription: { text: 'The plan does not say a value this binding change needs (a data source read at apply time, a function of unknown values), or earlier changes of unknown outcome may change its answer. No failure was found that does not depend on it.' },
      help: { text: 'Make the value known at plan time, or check again after apply. See docs/terraform.md of havip-rules.' },
    })
  })

  it('a stale inline waiver in a file whose name holds a newline and a `:N` gets no location (it names no one line of a file)', () => {
    // `where` is `FILE:LINE`; a file named `x.tf:7⏎y` gives `x.tf:7⏎y.tf:4`, whose last or first `NAME:N` part alone is no file.
    const waiver = inline('InvalidInstance.HaVipMismatch', 'ok', 'was needed once', 'x.tf:7\ny.tf:4')
    const notifications = sarifOf(reportOf([association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })], undefined, [waiver])).runs[0]?.invocations?.[0]?.toolExecutionNotifications
    expect(notifications).toEqual([{
      level: 'warning',
      message: { text: 'stale waiver at x.tf:7\ny.tf:4: InvalidInstance.HaVipMismatch on volcengine_ha_vip_associate.ok matches no finding of this plan; remove it' },
    }])
  })
})
