import type { ApiError } from '../errors/catalog.js'
import type { Style } from './style.js'
import { count } from './style.js'
import type { ViolationJson } from './violation.js'
import { violationJson, violationText } from './violation.js'

/** What `havip check` found for one query: every reason it would fail, the API's answer first. */
export interface QueryCheck {
  readonly query: string
  readonly violations: ReadonlyArray<ApiError>
}

/** `7 queries: 5 would succeed, 2 would fail`. */
export const checkSummary = (checks: ReadonlyArray<QueryCheck>): string => {
  const failing = checks.filter((c) => c.violations.length > 0).length
  return `${count(checks.length, 'query', 'queries')}: ${String(checks.length - failing)} would succeed, ${String(failing)} would fail`
}

/** For a person: each query, numbered, with its violations (the one the API would answer marked), then the summary. */
export const checkText = (checks: ReadonlyArray<QueryCheck>, st: Style): string => {
  const blocks = checks.map((c, i) => {
    const head = `${String(i + 1)}. ${c.query}`
    if (c.violations.length === 0) return `${head}\n   ${st.good('✓')} would succeed`
    return [head, ...c.violations.map((v, n) => violationText(v, st, '   ', n === 0 ? st.faint('  ← the API answers this') : ''))].join('\n')
  })
  return `${[...blocks, '', checkSummary(checks)].join('\n')}\n`
}

/** One query's line of `--json`: `answered` marks the violation the API would answer. */
export interface QueryCheckJson {
  readonly query: string
  readonly ok: boolean
  readonly violations: ReadonlyArray<ViolationJson & { readonly answered: boolean }>
}

/** For a program: one JSON object a query and line (JSON Lines). */
export const checkJsonLines = (checks: ReadonlyArray<QueryCheck>): string =>
  checks.map((c): string => JSON.stringify({
    query: c.query,
    ok: c.violations.length === 0,
    violations: c.violations.map((v, i) => ({ ...violationJson(v), answered: i === 0 })),
  } satisfies QueryCheckJson)).map((line) => `${line}\n`).join('')
