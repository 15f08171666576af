import type { PlanFinding } from '../plan/check.js'
import type { PlanReport, PlanSummary } from '../plan/check-plan.js'
import { printableFinding } from './printable.js'
import type { Style } from './style.js'
import { count } from './style.js'
import type { ViolationJson } from './violation.js'
import { violationJson, violationText } from './violation.js'

/** `5 bindings: 1 pass, 3 fail, 1 unknown`. */
export const planSummary = (s: PlanSummary): string =>
  `${count(s.pass + s.fail + s.unknown, 'binding', 'bindings')}: ${String(s.pass)} pass, ${String(s.fail)} fail, ${String(s.unknown)} unknown`

/** What a finding binds or unbinds, in words: `AssociateHaVip havip-a ← i-a11 (EcsInstance)`. */
export const changeText = (f: PlanFinding): string =>
  `${f.action} ${f.haVipId ?? '(HaVip known after apply)'} ${f.action === 'AssociateHaVip' ? '←' : '→'} ${f.instanceId ?? '(target known after apply)'}${f.instanceType === undefined ? '' : ` (${f.instanceType})`}`

const findingText = (f: PlanFinding, st: Style): string => {
  const head = `${st.strong(f.address)}  ${changeText(f)}`
  const where = f.location === undefined ? [] : [`   ${st.faint(`at ${f.location.file}:${String(f.location.line)}`)}`]
  if (f.verdict === 'pass') return [head, `   ${st.good('✓')} pass`, ...where].join('\n')
  if (f.verdict === 'fail') return [head, ...f.violations.map((v) => violationText(v, st, '   ')), ...where].join('\n')
  return [head, ...f.unknowns.map((u) => `   ${st.warn('?')} unknown: ${u.attribute}: ${u.reason}`), ...where].join('\n')
}

/** For a person: one block per planned binding change, by address, then the summary line. */
export const planText = (r: PlanReport, st: Style): string =>
  `${[...r.findings.map((f) => findingText(printableFinding(f), st)), '', planSummary(r.summary)].join('\n')}\n`

/** The JSON of one finding. */
export interface PlanFindingJson {
  readonly address: string
  readonly action: string
  readonly haVipId?: string
  readonly instanceId?: string
  readonly instanceType?: string
  readonly verdict: string
  readonly violations: ReadonlyArray<ViolationJson>
  readonly unknowns: ReadonlyArray<{ readonly attribute: string; readonly reason: string }>
  readonly location?: { readonly file: string; readonly line: number }
}

/** For a program: one JSON document, `{ findings, summary }`. */
export const planJson = (r: PlanReport): string =>
  `${JSON.stringify({
    findings: r.findings.map((f): PlanFindingJson => ({
      address: f.address,
      action: f.action,
      ...(f.haVipId === undefined ? {} : { haVipId: f.haVipId }),
      ...(f.instanceId === undefined ? {} : { instanceId: f.instanceId }),
      ...(f.instanceType === undefined ? {} : { instanceType: f.instanceType }),
      verdict: f.verdict,
      violations: f.violations.map(violationJson),
      unknowns: f.unknowns,
      ...(f.location === undefined ? {} : { location: f.location }),
    })),
    summary: r.summary,
  }, null, 2)}\n`
