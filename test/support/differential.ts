import * as E from 'fp-ts/lib/Either.js'
import type { ApiError, Snapshot } from 'havip-rules'
import { decodeRequest, explain } from 'havip-rules'
import type { Reason } from '../spec/specification.js'
import type { Params } from '../spec/requests.js'

/** What the engine and the executable specification are compared on. */

/** An engine error as the specification words a reason. */
export const reasonOf = (e: ApiError): Reason => ({ id: e.id, code: e.code, status: e.status, message: e.message, messageZh: e.messageZh, ...(e.codeN === undefined ? {} : { codeN: e.codeN }) })

/** The engine's every reason for a request: the request check that refuses it, or explain's list. */
export const engineExplain = (s: Snapshot, input: string | Params): ReadonlyArray<Reason> => {
  const decoded = decodeRequest(input)
  return E.isLeft(decoded) ? [reasonOf(decoded.left)] : explain(s, decoded.right).map(reasonOf)
}

/** An answer as written on the wire, key order included, with a key that holds undefined kept in sight. */
export const wire = ({ status, body }: { readonly status: number; readonly body: unknown }): string =>
  `${String(status)} ${JSON.stringify(body, (_, v: unknown) => (v === undefined ? '(undefined)' : v), 1)}`
