import * as E from 'fp-ts/lib/Either.js'
import type { Problem } from '../codec/problems.js'
import { problemText } from '../codec/problems.js'
import type { Snapshot } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import { plannedChanges } from './changes.js'
import type { PlanFinding } from './check.js'
import { checkChanges } from './check.js'
import { decodePlan } from './plan-codec.js'
import { PlanIndex, Resolver } from './values.js'
import type { Waiver } from './waivers.js'

/** Where a resource block is in the configuration. */
export interface SourceLocation {
  readonly file: string
  readonly line: number
}

/** How many binding changes got each verdict. */
export interface PlanSummary {
  readonly pass: number
  readonly fail: number
  readonly unknown: number
  /** With waivers applied (`withWaivers`): the findings they cover, counted here and not as fail or unknown. */
  readonly waived?: number
}

/** What a plan's binding changes would meet, one finding each, by resource address. */
export interface PlanReport {
  readonly findings: ReadonlyArray<PlanFinding>
  readonly summary: PlanSummary
  /** Resources of types the check does not read (they change no binding). */
  readonly ignored: ReadonlyArray<{ readonly address: string; readonly type: string }>
  /** Module calls of local sources: their configuration path and `source`, for locating resource blocks. */
  readonly localModules: ReadonlyArray<{ readonly path: string; readonly source: string }>
  /** With waivers applied: those that match no finding. */
  readonly staleWaivers?: ReadonlyArray<Waiver>
}

/** Why a plan was not checked: every problem, each at its JSON path. */
export interface PlanError {
  readonly problems: ReadonlyArray<Problem>
  readonly message: string
}

const planError = (problems: ReadonlyArray<Problem>): PlanError => ({ problems, message: problems.map(problemText).join('\n') })

/**
 * Pre-checks a Terraform plan (the JSON of `terraform show -json PLANFILE`) against a snapshot of
 * the account: each planned AssociateHaVip and DisassociateHaVip gets a verdict — fail (with every
 * violation), unknown (with what the plan leaves unknown, and why) or pass — taken in the worst
 * order Terraform may apply the plan in (docs/terraform.md). Pure and total: a malformed plan is a
 * `Left` naming the JSON path of each problem.
 */
export const checkPlan = (snapshot: Snapshot, plan: unknown): E.Either<PlanError, PlanReport> => {
  if (!isSnapshot(snapshot)) return E.left(planError([{ path: '', message: 'the snapshot argument was not made by loadSnapshot' }]))
  const decoded = decodePlan(plan)
  if (E.isLeft(decoded)) return E.left(planError(decoded.left))
  const index = new PlanIndex(decoded.right)
  const changes = plannedChanges(index.planned, new Resolver(index))
  const findings = checkChanges(snapshot, changes)
  const count = (verdict: PlanFinding['verdict']): number => findings.filter((f) => f.verdict === verdict).length
  return E.right({
    findings,
    summary: { pass: count('pass'), fail: count('fail'), unknown: count('unknown') },
    ignored: changes.ignored,
    localModules: index.localModules(),
  })
}

/** A resource address without its instance keys: where its block is in the configuration (`module.db.volcengine_ha_vip.main`). */
export const configAddress = (address: string): string => address.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g, '')

/**
 * The report with each finding located at its resource block, from a map of configuration
 * addresses (`configAddress`) to files and lines — what `havip plan --config DIR` reads from the
 * `.tf` files.
 */
export const withLocations = (report: PlanReport, locations: ReadonlyMap<string, SourceLocation>): PlanReport => ({
  ...report,
  findings: report.findings.map((f) => {
    const location = locations.get(configAddress(f.address))
    return location === undefined ? f : { ...f, location }
  }),
})
