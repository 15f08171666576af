import { create } from 'xmlbuilder2'
import type { PlanReport } from '../plan/check-plan.js'
import { changeText, staleText, waiverText } from './plan.js'
import { printableFinding, printableWaiver } from './printable.js'

/** A plan's findings as JUnit XML: one test case per planned binding change; a failure per fail, skipped (with why) per unknown and per waived finding. */
export const planJunit = (r: PlanReport): string => {
  const total = r.findings.length
  const doc = create({ version: '1.0', encoding: 'UTF-8' })
  const skipped = r.summary.unknown + (r.summary.waived ?? 0)
  const suites = doc.ele('testsuites', { name: 'havip plan', tests: total, failures: r.summary.fail, skipped, errors: 0 })
  const suite = suites.ele('testsuite', { name: 'havip plan', tests: total, failures: r.summary.fail, skipped, errors: 0 })
  for (const f of r.findings.map(printableFinding)) {
    const testcase = suite.ele('testcase', {
      classname: f.address.replace(/\[.*$/, ''),
      name: `${f.address} ${changeText(f)}`,
      ...(f.location === undefined ? {} : { file: f.location.file, line: f.location.line }),
    })
    // One failure element, as JUnit readers expect: the API's answer names it, the text lists every violation.
    // A waived finding is skipped with its waivers, so that the report shows what was accepted and why.
    if (f.waived === true) {
      testcase.ele('skipped', { message: `waived: ${(f.waivers ?? []).map(waiverText).join('; ')}` })
      continue
    }
    const [first] = f.violations
    if (first !== undefined) {
      testcase.ele('failure', { type: first.id, message: f.violations.map((v) => v.id).join(', ') })
        .txt(f.violations.map((v) => `${v.id} (HTTP ${String(v.status)}): ${v.message}\n${v.messageZh}\nbecause ${v.facts}`).join('\n\n'))
    }
    if (f.verdict === 'unknown') testcase.ele('skipped', { message: f.unknowns.map((u) => `${u.attribute}: ${u.reason}`).join('; ') })
  }
  const stale = (r.staleWaivers ?? []).map(printableWaiver)
  if (stale.length > 0) suite.ele('system-err').txt(stale.map(staleText).join('\n'))
  return `${doc.end({ prettyPrint: true })}\n`
}
