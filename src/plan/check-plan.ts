import * as E from 'fp-ts/lib/Either.js'
import type { Problem } from '../codec/problems.js'
import { problemText } from '../codec/problems.js'
import type { Snapshot } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import { configModuleText } from './address.js'
import { plannedChanges } from './changes.js'
import type { PlanFinding } from './check.js'
import { checkChanges } from './check.js'
import { decodePlan } from './plan-codec.js'
import { PlanIndex, Resolver } from './values.js'

/** Where a resource block is in the configuration. */
export interface SourceLocation {
  readonly file: string
  readonly line: number
}

export interface CheckPlanOptions {
  /**
   * Where each resource block is, by its configuration address without instance keys
   * (`volcengine_ha_vip_associate.web`, `module.db.volcengine_ha_vip.main`): findings get a file and
   * line. `havip plan --config DIR` reads them from the `.tf` files.
   */
  readonly locations?: ReadonlyMap<string, SourceLocation>
}

/** How many binding changes got each verdict. */
export interface PlanSummary {
  readonly pass: number
  readonly fail: number
  readonly unknown: number
}

/** What a plan's binding changes would meet, one finding each, by resource address. */
export interface PlanReport {
  readonly findings: ReadonlyArray<PlanFinding>
  readonly summary: PlanSummary
  /** Resources of types the check does not read (they change no binding). */
  readonly ignored: ReadonlyArray<{ readonly address: string; readonly type: string }>
  /** Module calls of local sources: their configuration path and `source`, for locating resource blocks. */
  readonly localModules: ReadonlyArray<{ readonly path: string; readonly source: string }>
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
export const checkPlan = (snapshot: Snapshot, plan: unknown, options: CheckPlanOptions = {}): E.Either<PlanError, PlanReport> => {
  if (!isSnapshot(snapshot)) return E.left(planError([{ path: '', message: 'the snapshot argument was not made by loadSnapshot' }]))
  const decoded = decodePlan(plan)
  if (E.isLeft(decoded)) return E.left(planError(decoded.left))
  const index = new PlanIndex(decoded.right)
  const changes = plannedChanges(index.planned, new Resolver(index))
  const located = (f: PlanFinding, at: ReturnType<typeof index.planned.find>): PlanFinding => {
    if (at === undefined || options.locations === undefined) return f
    const key = [configModuleText(at.address.module), `${at.address.type}.${at.address.name}`].filter(Boolean).join('.')
    const location = options.locations.get(key)
    return location === undefined ? f : { ...f, location }
  }
  const byAddress = new Map(index.planned.map((p) => [p.text, p]))
  const findings = checkChanges(snapshot, changes).map((f) => located(f, byAddress.get(f.address)))
  const count = (verdict: PlanFinding['verdict']): number => findings.filter((f) => f.verdict === verdict).length
  return E.right({
    findings,
    summary: { pass: count('pass'), fail: count('fail'), unknown: count('unknown') },
    ignored: changes.ignored,
    localModules: index.localModules(),
  })
}
