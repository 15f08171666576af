import { resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { problemText } from '../codec/problems.js'
import { readSnapshotFile } from '../io/snapshot-file.js'
import { readBaseline, writeBaseline } from '../io/baseline-file.js'
import { readConfiguration, sourceRoot } from '../io/tf-files.js'
import type { ByteReader } from '../io/text-input.js'
import { readTextInput } from '../io/text-input.js'
import { UsageError } from '../io/usage-error.js'
import { packageVersion } from '../io/version.js'
import { checkPlan, withLocations } from '../plan/check-plan.js'
import { baselineOf, withWaivers } from '../plan/waivers.js'
import { planJunit } from '../report/junit.js'
import { planJson, planText, staleText } from '../report/plan.js'
import { printable, printableWaiver } from '../report/printable.js'
import { planSarif } from '../report/sarif.js'
import { style } from '../report/style.js'
import type { CliIo } from './io.js'
import { wantsColour } from './io.js'
import { parseCommandArgs, required } from './args.js'

export const planUsage = `usage: havip plan --snapshot FILE [--config DIR [--source-root DIR]] [--baseline FILE] [--write-baseline FILE] [--format text|json|sarif|junit] [--verbose] PLAN

Pre-checks a Terraform plan: would each AssociateHaVip and DisassociateHaVip it makes be accepted by
the Volcengine API, given the account as the snapshot holds it? PLAN is the output of
terraform show -json PLANFILE (or tofu show -json); - reads it from standard input.

Each planned binding change gets a verdict: fail (every violation, as havip check shows them),
unknown (a value it needs is known only after apply, and no failure was found that does not depend
on it), or pass. Changes are taken in the worst order Terraform may apply them in (docs/terraform.md).

  --snapshot FILE   the account as it is now (havip snapshot pull makes one)
  --config DIR      the Terraform configuration folder: findings get the file and line of their
                    resource block (its .tf files and those of local modules are read), the file
                    named from the root of the git repository holding DIR (else from DIR)
  --source-root DIR name files from DIR instead of the repository root
  --baseline FILE   waive the findings FILE lists (instance address and error id, with a reason)
  --write-baseline FILE
                    write every finding not waived in the configuration to FILE as a baseline
  --format FORMAT   text (default; a summary line ends it), json, sarif (code scanning), junit
  --verbose         list on stderr the resources of types the check does not read

Waivers: a comment "# havip:ignore ERROR_ID REASON" inside a resource block (read through
--config) waives that error for every instance of the block; KnownAfterApply waives an unknown.
A waived finding is listed as waived in every format and does not fail the gate; a waiver that
matches no finding is reported as stale (on standard error too) and does not change the exit code.

Exit: 0 every change passes or is waived; 1 at least one fails; 2 a usage error or an input that
cannot be read (the message names the JSON path); 3 none fails, at least one is unknown.`

const formats = ['text', 'json', 'sarif', 'junit'] as const
type Format = (typeof formats)[number]
const isFormat = (text: string): text is Format => (formats as ReadonlyArray<string>).includes(text)

/** The largest plan read: a plan of 100,000 binding changes is about 150 MiB of JSON. */
export const maxPlanBytes = 256 * 1024 * 1024

const readPlan = (path: string, stdin: ByteReader): unknown => {
  const text = readTextInput(path, maxPlanBytes, stdin)
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new UsageError(`${path === '-' ? 'standard input' : path}: not JSON: ${e instanceof Error ? e.message : String(e)} (give the output of terraform show -json PLANFILE)`)
  }
}

/** `havip plan`. */
export const planCommand = (argv: ReadonlyArray<string>, io: CliIo): number => {
  const { values, positionals } = parseCommandArgs('plan', {
    snapshot: { type: 'string' },
    config: { type: 'string' },
    'source-root': { type: 'string' },
    baseline: { type: 'string' },
    'write-baseline': { type: 'string' },
    format: { type: 'string' },
    verbose: { type: 'boolean' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'plan')
  const format = values.format ?? 'text'
  if (!isFormat(format)) throw new UsageError(`--format ${JSON.stringify(format)} is not one of ${formats.join(', ')}`)
  const [planPath, ...extra] = positionals
  if (planPath === undefined || extra.length > 0) throw new UsageError('give one PLAN: a file of terraform show -json, or - (see havip plan --help)')
  const plan = readPlan(planPath, io.stdin)
  const snapshot = readSnapshotFile(snapshotPath).snapshot
  const checked = checkPlan(snapshot, plan)
  if (E.isLeft(checked)) {
    // The first problems, and a count of the rest: a hostile plan may have a million.
    const { problems } = checked.left
    const shown = problems.slice(0, 20).map((p) => `  ${printable(problemText(p))}`)
    const more = problems.length > shown.length ? [`  and ${String(problems.length - shown.length)} more problems`] : []
    throw new UsageError(`${planPath === '-' ? 'standard input' : planPath}: the plan cannot be read:\n${[...shown, ...more].join('\n')}`)
  }
  if (values['source-root'] !== undefined && values.config === undefined) throw new UsageError('--source-root names files found through --config: give --config too (see havip plan --help)')
  const config = values.config === undefined ? undefined : { dir: values.config, root: values['source-root'] ?? sourceRoot(values.config) }
  const root = config?.root
  const configuration = config === undefined ? undefined : readConfiguration(config.dir, checked.right.localModules, config.root)
  const located = configuration === undefined ? checked.right : withLocations(checked.right, configuration.locations)
  const inline = configuration?.waivers ?? []
  const baseline = values.baseline === undefined ? [] : readBaseline(values.baseline)
  if (values['write-baseline'] !== undefined) {
    const entries = baselineOf(located, inline, baseline)
    writeBaseline(values['write-baseline'], entries)
    io.err(`havip plan: wrote ${String(entries.length)} ${entries.length === 1 ? 'waiver' : 'waivers'} to ${values['write-baseline']}: give a reason to each\n`)
  }
  const report = inline.length > 0 || values.baseline !== undefined ? withWaivers(located, [...inline, ...baseline]) : located
  if (values.verbose === true) for (const r of report.ignored) io.err(`havip plan: not read: ${printable(r.address)} (${printable(r.type)})\n`)
  // Stale waivers never fail the gate, but every format shows them, and so does standard error.
  if (format !== 'text') for (const w of report.staleWaivers ?? []) io.err(`havip plan: ${staleText(printableWaiver(w))}\n`)
  io.out(format === 'json' ? planJson(report)
    : format === 'sarif' ? planSarif(report, packageVersion(), root === undefined ? undefined : resolve(root))
      : format === 'junit' ? planJunit(report)
        : planText(report, style(wantsColour(io.stdoutIsTTY, io.env))))
  return report.summary.fail > 0 ? 1 : report.summary.unknown > 0 ? 3 : 0
}
