import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { checkBinding } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import type { MutatingAction } from '../model/ledger.js'
import type { AssociateHaVipRequest, BindingRequest, DescribeRequest, DisassociateHaVipRequest, Request } from '../model/request.js'
import { apiVersion, isDescribeAction } from '../model/request.js'
import type { Snapshot } from '../model/snapshot.js'
import type { SnapshotState } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import { associate } from './associate.js'
import { describeResources } from './describe.js'
import { disassociate } from './disassociate.js'
import type { Operation, Outcome } from './evaluate.js'
import { evaluate, violations } from './evaluate.js'

export const operations: Readonly<Record<MutatingAction, Operation>> = {
  AssociateHaVip: associate,
  DisassociateHaVip: disassociate,
}

/** What the library answers when its snapshot argument did not come from `loadSnapshot`. */
export const notASnapshot = (): ApiError =>
  apiError('InternalError', 'the snapshot argument was not made by loadSnapshot')

/** Runs a decoded mutating request (docs/rules.md). */
export const execute = (s: SnapshotState, r: BindingRequest, requestId?: string): E.Either<ApiError, Outcome> =>
  evaluate(operations[r.action], s, r, requestId)

/**
 * Runs a request built in code: it is checked as the wire's would be, so it gets the vendor's
 * codes too, never an exception, whatever it holds.
 */
const checkAndExecute = (action: MutatingAction, s: Snapshot, r: unknown, requestId?: string): E.Either<ApiError, Outcome> => {
  if (!isSnapshot(s)) return E.left(notASnapshot())
  const request = checkBinding(action, r)
  return E.isLeft(request) ? request : execute(s, request.right, requestId)
}

/**
 * AssociateHaVip (docs/rules.md): the new snapshot, or the error the vendor would answer.
 * `requestId` is recorded with the request's ClientToken, for replays to answer with.
 */
export const associateHaVip = (s: Snapshot, r: AssociateHaVipRequest, requestId?: string): E.Either<ApiError, Snapshot> =>
  pipe(checkAndExecute('AssociateHaVip', s, r, requestId), E.map((o) => o.snapshot))

/** DisassociateHaVip (docs/rules.md), as `associateHaVip`. */
export const disassociateHaVip = (s: Snapshot, r: DisassociateHaVipRequest, requestId?: string): E.Either<ApiError, Snapshot> =>
  pipe(checkAndExecute('DisassociateHaVip', s, r, requestId), E.map((o) => o.snapshot))

/** What `decodeRequest` makes of a Describe call; anything else (built by hand, wrongly) is refused, never read. */
const isDescribeShaped = (r: DescribeRequest): boolean => {
  const page: unknown = r.page
  return r.ids instanceof Set && Array.isArray(r.filters) && Array.isArray(r.tags) &&
    typeof page === 'object' && page !== null && Number.isInteger((page as { readonly size?: unknown }).size)
}

/** A Describe call fails only on a NextToken that starts no page of its result. */
const describeViolations = (s: SnapshotState, r: DescribeRequest): ReadonlyArray<Violation> => {
  if (!isDescribeShaped(r)) return [apiError('InvalidParameter', 'the Describe request is not one decodeRequest makes', { name: 'request' })]
  const found = describeResources[r.action](s, r)
  return E.isLeft(found) ? [found.left] : []
}

/** One reason a request would fail: the error, with the facts behind it. */
export type Violation = ApiError

const isMutating = (action: unknown): action is MutatingAction => action === 'AssociateHaVip' || action === 'DisassociateHaVip'

/**
 * Pre-check mode: every reason the request would fail against this snapshot, in the
 * contract's order; empty when it would succeed. Its first element is the error the action answers.
 */
export const explain = (s: Snapshot, r: Request): ReadonlyArray<Violation> => {
  if (!isSnapshot(s)) return [notASnapshot()]
  const action: unknown = (r as Partial<Request> | null)?.action
  if (typeof action === 'string' && isDescribeAction(action)) return describeViolations(s, r as DescribeRequest)
  if (!isMutating(action)) {
    return [apiError('InvalidActionOrVersion', 'the request names no action this project serves', {
      Action: String(action),
      Version: apiVersion,
    })]
  }
  return pipe(
    checkBinding(action, r),
    E.match((error) => [error], (request) => violations(operations[action], s, request)),
  )
}
