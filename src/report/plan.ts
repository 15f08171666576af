import type { PlanFinding } from '../plan/check.js'
import type { PlanReport, PlanSummary } from '../plan/check-plan.js'
import type { Waiver } from '../plan/waivers.js'
import { printableFinding, printableWaiver } from './printable.js'
import type { Style } from './style.js'
import { count } from './style.js'
import type { ViolationJson } from './violation.js'
import { violationJson, violationText } from './violation.js'

/** `5 bindings: 1 pass, 3 fail, 1 unknown` (and `, 1 waived` with waivers). */
export const planSummary = (s: PlanSummary): string =>
  `${count(s.pass + s.fail + s.unknown + (s.waived ?? 0), 'binding', 'bindings')}: ${String(s.pass)} pass, ${String(s.fail)} fail, ${String(s.unknown)} unknown${s.waived === undefined ? '' : `, ${String(s.waived)} waived`}`

/** A waiver for a person: what it waives, why, and where it is written. */
export const waiverText = (w: Waiver): string => `${w.id}: ${w.reason} (${w.kind === 'inline' ? 'havip:ignore at' : 'baseline'} ${w.where})`

/** A waiver that matched nothing, for a person. */
export const staleText = (w: Waiver): string =>
  `stale waiver at ${w.where}: ${w.id} on ${w.address} matches no finding of this plan; remove it`

/** What a finding binds or unbinds, in words: `AssociateHaVip havip-a ← i-a11 (EcsInstance)`. */
export const changeText = (f: PlanFinding): string =>
  `${f.action} ${f.haVipId ?? '(HaVip known after apply)'} ${f.action === 'AssociateHaVip' ? '←' : '→'} ${f.instanceId ?? '(target known after apply)'}${f.instanceType === undefined ? '' : ` (${f.instanceType})`}`

const findingText = (f: PlanFinding, st: Style): string => {
  const head = `${st.strong(f.address)}  ${changeText(f)}`
  const where = f.location === undefined ? [] : [`   ${st.faint(`at ${f.location.file}:${String(f.location.line)}`)}`]
  const waived = (f.waivers ?? []).map((w) => `   ${st.faint('~')} waived ${waiverText(w)}`)
  if (f.verdict === 'pass') return [head, `   ${st.good('✓')} pass`, ...where].join('\n')
  if (f.verdict === 'fail') return [head, ...f.violations.map((v) => violationText(v, st, '   ')), ...waived, ...where].join('\n')
  return [head, ...f.unknowns.map((u) => `   ${st.warn('?')} unknown: ${u.attribute}: ${u.reason}`), ...waived, ...where].join('\n')
}

/** For a person: one block per planned binding change, by address, then the summary line. */
export const planText = (r: PlanReport, st: Style): string =>
  `${[
    ...r.findings.map((f) => findingText(printableFinding(f), st)),
    ...(r.staleWaivers ?? []).map((w) => st.warn(staleText(printableWaiver(w)))),
    '', planSummary(r.summary),
  ].join('\n')}\n`

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
  readonly waived?: boolean
  readonly waivers?: ReadonlyArray<WaiverJson>
}

/** A waiver in JSON: what it waives, why, and where it is written. */
export interface WaiverJson {
  readonly id: string
  readonly reason: string
  readonly kind: string
  readonly where: string
  readonly address?: string
}

const waiverJson = (w: Waiver, withAddress: boolean): WaiverJson => ({ id: w.id, reason: w.reason, kind: w.kind, where: w.where, ...(withAddress ? { address: w.address } : {}) })

/** For a program: one JSON document, `{ findings, summary }` (and `staleWaivers` with waivers). */
// A key whose value is undefined is left out by JSON.stringify: a finding's JSON has the keys it knows.
export const planJson = (r: PlanReport): string =>
  `${JSON.stringify({
    findings: r.findings.map((f): PlanFindingJson => ({
      address: f.address,
      action: f.action,
      haVipId: f.haVipId,
      instanceId: f.instanceId,
      instanceType: f.instanceType,
      verdict: f.verdict,
      violations: f.violations.map(violationJson),
      unknowns: f.unknowns,
      location: f.location,
      waived: f.waived,
      ...(f.waivers === undefined ? {} : { waivers: f.waivers.map((w) => waiverJson(w, false)) }),
    })),
    summary: r.summary,
    ...(r.staleWaivers === undefined ? {} : { staleWaivers: r.staleWaivers.map((w) => waiverJson(w, true)) }),
  }, null, 2)}\n`
