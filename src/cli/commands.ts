import * as E from 'fp-ts/lib/Either.js'
import { decodeRequest } from '../codec/request.js'
import { explain } from '../engine/operations.js'
import type { Snapshot } from '../model/snapshot.js'
import { isErrorBody } from '../wire/envelope.js'
import { handle } from '../wire/handle.js'
import { violationJson, violationText } from './format.js'

export interface CommandResult {
  /** What to print, one entry a line. */
  readonly lines: ReadonlyArray<string>
  readonly allSucceeded: boolean
  readonly final: Snapshot
}

/** `havip call`: each query on the state the previous one left; one response body a line. */
export const call = (s: Snapshot, queries: ReadonlyArray<string>, newRequestId: () => string): CommandResult => {
  const lines: Array<string> = []
  let allSucceeded = true
  for (const query of queries) {
    const handled = handle(s, query, { requestId: newRequestId() })
    lines.push(JSON.stringify(handled.body))
    allSucceeded &&= !isErrorBody(handled.body)
    s = handled.snapshot
  }
  return { lines, allSucceeded, final: s }
}

/** `havip check`: every violation of each query, evaluated in order as `call` would apply them. */
export const check = (s: Snapshot, queries: ReadonlyArray<string>, json: boolean, newRequestId: () => string): CommandResult => {
  const lines: Array<string> = []
  let allSucceeded = true
  for (const [i, query] of queries.entries()) {
    const decoded = decodeRequest(query)
    const violations = E.isLeft(decoded) ? [decoded.left] : explain(s, decoded.right)
    allSucceeded &&= violations.length === 0
    if (json) {
      lines.push(JSON.stringify({ query, ok: violations.length === 0, violations: violations.map(violationJson) }))
    } else {
      lines.push(`${String(i + 1)}. ${query}`)
      lines.push(violations.length === 0 ? '  ✓ would succeed' : violations.map(violationText).join('\n'))
    }
    s = handle(s, query, { requestId: newRequestId() }).snapshot
  }
  return { lines, allSucceeded, final: s }
}
