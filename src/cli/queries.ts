import * as E from 'fp-ts/lib/Either.js'
import { decodeRequest } from '../codec/request.js'
import { explain } from '../engine/operations.js'
import type { Snapshot } from '../model/snapshot.js'
import type { QueryCheck } from '../report/check.js'
import type { ResponseBody } from '../wire/envelope.js'
import { isErrorBody } from '../wire/envelope.js'
import { handle } from '../wire/handle.js'

/** What `havip call` did: every response, in order, and the state the last one left. */
export interface CallResult {
  readonly bodies: ReadonlyArray<ResponseBody>
  readonly allSucceeded: boolean
  readonly final: Snapshot
}

/** `havip call`: each query applied to the state the previous one left. */
export const callQueries = (s: Snapshot, queries: ReadonlyArray<string>, newRequestId: () => string): CallResult => {
  const bodies: Array<ResponseBody> = []
  for (const query of queries) {
    const handled = handle(s, query, { requestId: newRequestId() })
    bodies.push(handled.body)
    s = handled.snapshot
  }
  return { bodies, allSucceeded: bodies.every((b) => !isErrorBody(b)), final: s }
}

/**
 * `havip check`: every violation of each query. Chained (the default), each query is judged on the
 * state the ones before it would leave, as `call` would apply them; independent, each on the
 * snapshot as loaded.
 */
export const checkQueries = (s: Snapshot, queries: ReadonlyArray<string>, independent: boolean): ReadonlyArray<QueryCheck> =>
  queries.map((query) => {
    const decoded = decodeRequest(query)
    const violations = E.isLeft(decoded) ? [decoded.left] : explain(s, decoded.right)
    // The RequestId is never seen: only the state the query leaves is kept.
    if (!independent) s = handle(s, query, { requestId: '' }).snapshot
    return { query, violations }
  })
