import { pathToFileURL } from 'node:url'
import type { ErrorId } from '../errors/catalog.js'
import { catalog, endpointErrorIds, errorIds } from '../errors/catalog.js'
import type { PlanFinding } from '../plan/check.js'
import type { PlanReport } from '../plan/check-plan.js'
import { changeText, staleText } from './plan.js'

/**
 * A plan's findings as SARIF 2.1.0, for code scanning: one rule per error id (and one for values
 * known only after apply), one result per violation (`error`) and per unknown (`warning`), located
 * at the resource block when the configuration was read, else at the resource's address.
 */

const unknownRule = 'KnownAfterApply'

// Every error a planned binding change can meet: the catalogue but the endpoint's own.
const ruleIds: ReadonlyArray<ErrorId> = errorIds.filter((id) => !endpointErrorIds.includes(id))

const helpUri = (version: string, anchor: string): string => `https://unpkg.com/havip-rules@${version}/docs/${anchor}`

const rules = (version: string) => [
  ...ruleIds.map((id) => ({
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: catalog[id].en },
    fullDescription: { text: `${catalog[id].en} (${catalog[id].code}, HTTP ${String(catalog[id].status)}) ${catalog[id].zh}` },
    help: { text: `The Volcengine API answers ${catalog[id].code} (HTTP ${String(catalog[id].status)}): ${catalog[id].en} See docs/rules.md and docs/errors.md of havip-rules for the rule and its facts.` },
    helpUri: helpUri(version, 'errors.md'),
    defaultConfiguration: { level: 'error' },
  })),
  {
    id: unknownRule,
    name: 'KnownAfterApply',
    shortDescription: { text: 'A binding change rests on a value known only after apply.' },
    fullDescription: { text: 'The plan does not say a value this binding change needs (a data source read at apply time, a function of unknown values), or earlier changes of unknown outcome may change its answer. No failure was found that does not depend on it.' },
    help: { text: 'Make the value known at plan time, or check again after apply. See docs/terraform.md of havip-rules.' },
    helpUri: helpUri(version, 'terraform.md'),
    defaultConfiguration: { level: 'warning' },
  },
]

const locations = (f: PlanFinding) => [{
  ...(f.location === undefined ? {} : { physicalLocation: { artifactLocation: { uri: uriOf(f.location.file), uriBaseId: rootId }, region: { startLine: f.location.line } } }),
  logicalLocations: [{ fullyQualifiedName: f.address, kind: 'resource' }],
}]

// Files are named from the repository root, which SARIF calls a base URI id; its absolute URI is
// given when known, for viewers that open the files.
const rootId = 'SRCROOT'
const uriOf = (file: string): string => file.split('/').map(encodeURIComponent).join('/')

// A waived result stays in the log, suppressed: code scanning shows it as dismissed, with the reason.
const suppressions = (f: PlanFinding, id: string) => {
  const w = f.waivers?.find((x) => x.id === id)
  return w === undefined ? {} : { suppressions: [{ kind: w.kind === 'inline' ? 'inSource' : 'external', status: 'accepted', justification: `${w.reason} (${w.where})` }] }
}

const results = (f: PlanFinding, indexOf: (id: string) => number) => [
  ...f.violations.map((v) => ({
    ruleId: v.id,
    ruleIndex: indexOf(v.id),
    level: 'error',
    message: { text: `${f.address}: ${changeText(f)} would be refused: ${v.message} (${v.facts})` },
    locations: locations(f),
    ...suppressions(f, v.id),
  })),
  ...f.unknowns.map((u) => ({
    ruleId: unknownRule,
    ruleIndex: indexOf(unknownRule),
    level: 'warning',
    message: { text: `${f.address}: ${changeText(f)} is unknown until apply: ${u.attribute}: ${u.reason}` },
    locations: locations(f),
    ...suppressions(f, unknownRule),
  })),
]

/** Waivers that matched nothing: warnings of the run, at the comment that holds them when it is in a .tf file. */
const staleNotifications = (r: PlanReport) => (r.staleWaivers === undefined || r.staleWaivers.length === 0 ? {} : {
  invocations: [{
    executionSuccessful: true,
    toolExecutionNotifications: r.staleWaivers.map((w) => {
      const at = w.kind === 'inline' ? /^(.*):(\d+)$/.exec(w.where) : null
      return {
        level: 'warning',
        message: { text: staleText(w) },
        ...(at === null ? {} : { locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(at[1] ?? ''), uriBaseId: rootId }, region: { startLine: Number(at[2]) } } }] }),
      }
    }),
  }],
})

/** The SARIF log of a plan check, with the tool's version; `root`: the folder the findings' files are named from. */
export const planSarif = (r: PlanReport, version: string, root?: string): string => {
  const driverRules = rules(version)
  const indexOf = (id: string): number => driverRules.findIndex((rule) => rule.id === id)
  return `${JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'havip-rules', version, informationUri: 'https://www.npmjs.com/package/havip-rules', rules: driverRules } },
      ...(root === undefined ? {} : { originalUriBaseIds: { [rootId]: { uri: pathToFileURL(root).href.replace(/\/?$/, '/') } } }),
      results: r.findings.flatMap((f) => results(f, indexOf)),
      ...staleNotifications(r),
    }],
  }, null, 2)}\n`
}
