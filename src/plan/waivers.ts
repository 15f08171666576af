import { endpointErrorIds, errorIds } from '../errors/catalog.js'
import type { PlanFinding } from './check.js'
import type { PlanReport } from './check-plan.js'
import { configAddress } from './check-plan.js'

/**
 * Waivers: findings a team has looked at and accepted. A waived finding stays in the report,
 * marked, and no longer fails the gate; a waiver that matches nothing is reported, so that a list
 * of waivers does not outlive what it was for.
 */

/** The id an unknown verdict is waived by (the SARIF rule of unknowns). */
export const unknownId = 'KnownAfterApply'

/** Every id a waiver may name: the errors a planned binding change can meet, and `KnownAfterApply`. */
export const waivableIds: ReadonlyArray<string> = [...errorIds.filter((id) => !endpointErrorIds.includes(id)), unknownId]

/** A waiver, from a `# havip:ignore` comment in a resource block or from a baseline file. */
export interface Waiver {
  readonly id: string
  readonly reason: string
  /** A comment waives every instance of its block (`module.db.volcengine_ha_vip_associate.web`); a baseline entry one instance address. */
  readonly address: string
  readonly scope: 'block' | 'instance'
  readonly kind: 'inline' | 'baseline'
  /** Where it is written: `main.tf:12`, or `baseline.json waivers[3]`. */
  readonly where: string
}

/** The ids a finding would fail the gate for: its violations' for a fail, `KnownAfterApply` for an unknown. */
export const gateIds = (f: PlanFinding): ReadonlyArray<string> =>
  f.verdict === 'fail' ? f.violations.map((v) => v.id) : f.verdict === 'unknown' ? [unknownId] : []

const key = (address: string, id: string): string => JSON.stringify([address, id])

/** Applies waivers to a report. Pure; matching is by address (an instance's, or its block's) and error id. */
export const withWaivers = (report: PlanReport, waivers: ReadonlyArray<Waiver>): PlanReport => {
  const byKey = new Map<string, Array<Waiver>>()
  for (const w of waivers) {
    const k = key(w.scope === 'block' ? `block ${w.address}` : w.address, w.id)
    const list = byKey.get(k)
    if (list === undefined) byKey.set(k, [w])
    else list.push(w)
  }
  const used = new Set<Waiver>()
  const findings = report.findings.map((f): PlanFinding => {
    const ids = gateIds(f)
    const matched = ids.map((id) => [...(byKey.get(key(f.address, id)) ?? []), ...(byKey.get(key(`block ${configAddress(f.address)}`, id)) ?? [])])
    for (const ws of matched) for (const w of ws) used.add(w)
    const found = matched.flatMap((ws) => ws.slice(0, 1))
    if (found.length === 0) return f
    return { ...f, waivers: found, waived: matched.every((ws) => ws.length > 0) }
  })
  const count = (verdict: PlanFinding['verdict'], waived: boolean): number =>
    findings.filter((f) => f.verdict === verdict && (f.waived === true) === waived).length
  return {
    ...report,
    findings,
    summary: { pass: count('pass', false), fail: count('fail', false), unknown: count('unknown', false), waived: count('fail', true) + count('unknown', true) },
    staleWaivers: waivers.filter((w) => !used.has(w)),
  }
}

/** A baseline of the findings of a report that no inline waiver covers: address and id, with the reasons of `earlier` entries kept. */
export const baselineOf = (report: PlanReport, inline: ReadonlyArray<Waiver>, earlier: ReadonlyArray<Waiver>): ReadonlyArray<{ readonly address: string; readonly id: string; readonly reason: string }> => {
  const covered = withWaivers(report, inline)
  const reasons = new Map(earlier.map((w) => [key(w.address, w.id), w.reason]))
  const seen = new Set<string>()
  return covered.findings.flatMap((f) => {
    const waivedIds = new Set((f.waivers ?? []).map((w) => w.id))
    return gateIds(f).filter((id) => !waivedIds.has(id)).flatMap((id) => {
      const k = key(f.address, id)
      if (seen.has(k)) return []
      seen.add(k)
      return [{ address: f.address, id, reason: reasons.get(k) ?? 'accepted when the baseline was written' }]
    })
  })
}
