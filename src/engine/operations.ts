import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { checkBinding, checkCreate, checkDelete, checkModify, checkTaskStatus } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import type { MutatingAction } from '../model/ledger.js'
import type {
  AssociateHaVipRequest, BindingRequest, CreateHaVipRequest, DeleteHaVipRequest, DescribeRequest, DisassociateHaVipRequest,
  GetAsyncTaskStatusRequest, LifecycleRequest, ModifyHaVipAttributesRequest, Request,
} from '../model/request.js'
import { apiVersion, isDescribeAction } from '../model/request.js'
import type { Snapshot } from '../model/snapshot.js'
import type { SnapshotState } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import { associate } from './associate.js'
import { describeResources } from './describe.js'
import { disassociate } from './disassociate.js'
import { createViolations, evaluateCreate } from './create.js'
import { deleteViolations, evaluateDelete } from './delete.js'
import type { CreateHaVipOutput, Operation, Outcome, TaskOutput } from './evaluate.js'
import { evaluate, violations } from './evaluate.js'
import type { WriteContext } from './lifecycle.js'
import { contextText } from './lifecycle.js'
import { evaluateModify, modifyViolations } from './modify.js'
import type { TaskStatus } from './tasks.js'
import { taskStatus } from './tasks.js'

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

/** Runs a decoded write (docs/rules.md): a binding, or a write of the HaVip's life. */
export const executeWrite = (s: SnapshotState, r: BindingRequest | LifecycleRequest, w: WriteContext): E.Either<ApiError, Outcome<TaskOutput | CreateHaVipOutput>> => {
  switch (r.action) {
    case 'CreateHaVip':
      return evaluateCreate(s, r, w)
    case 'DeleteHaVip':
      return evaluateDelete(s, r, w)
    case 'ModifyHaVipAttributes':
      return evaluateModify(s, r, w)
    default:
      return execute(s, r, w.requestId)
  }
}

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

/** A write's new snapshot and what its `Result` holds besides the RequestId. */
export interface Written<R> {
  readonly snapshot: Snapshot
  readonly result: R
}

const written = <R extends TaskOutput>(o: Outcome<R>): Written<R> => ({ snapshot: o.snapshot, result: o.result })

const writeContext = (ctx: unknown): WriteContext => {
  const requestId = contextText(ctx, 'requestId')
  const now = contextText(ctx, 'now')
  return { ...(requestId === undefined ? {} : { requestId }), ...(now === undefined ? {} : { now }) }
}

/**
 * CreateHaVip (docs/rules.md): the new snapshot and the `Result` (`HaVipId`, `IpAddress`,
 * `AsyncTaskId`), or the error the vendor would answer. `ctx.requestId` is recorded with the task
 * and the ClientToken; `ctx.now` (ISO-8601) stamps `CreatedAt` and `UpdatedAt`.
 */
export const createHaVip = (s: Snapshot, r: CreateHaVipRequest, ctx?: WriteContext): E.Either<ApiError, Written<CreateHaVipOutput>> => {
  if (!isSnapshot(s)) return E.left(notASnapshot())
  return pipe(checkCreate(r), E.chain((request) => evaluateCreate(s, request, writeContext(ctx))), E.map(written))
}

/** DeleteHaVip (docs/rules.md): the new snapshot and the `AsyncTaskId`, or the error. */
export const deleteHaVip = (s: Snapshot, r: DeleteHaVipRequest, ctx?: WriteContext): E.Either<ApiError, Written<TaskOutput>> => {
  if (!isSnapshot(s)) return E.left(notASnapshot())
  return pipe(checkDelete(r), E.chain((request) => evaluateDelete(s, request, writeContext(ctx))), E.map(written))
}

/** ModifyHaVipAttributes (docs/rules.md): the new snapshot and the `AsyncTaskId`, or the error; `ctx.now` stamps `UpdatedAt`. */
export const modifyHaVipAttributes = (s: Snapshot, r: ModifyHaVipAttributesRequest, ctx?: WriteContext): E.Either<ApiError, Written<TaskOutput>> => {
  if (!isSnapshot(s)) return E.left(notASnapshot())
  return pipe(checkModify(r), E.chain((request) => evaluateModify(s, request, writeContext(ctx))), E.map(written))
}

/**
 * GetAsyncTaskStatus (docs/rules.md): the task's status. A pure read: it takes no step (`handle`
 * takes one per read in the asynchronous mode; `advance` takes them directly).
 */
export const getAsyncTaskStatus = (s: Snapshot, r: GetAsyncTaskStatusRequest): E.Either<ApiError, TaskStatus> => {
  if (!isSnapshot(s)) return E.left(notASnapshot())
  return pipe(checkTaskStatus(r), E.chain((request) => taskStatus(s, request)))
}

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
  const all = (e: E.Either<ApiError, ReadonlyArray<ApiError>>): ReadonlyArray<Violation> => E.match((error: ApiError) => [error], (found: ReadonlyArray<ApiError>) => found)(e)
  switch (action) {
    case 'CreateHaVip':
      return all(pipe(checkCreate(r), E.map((request) => createViolations(s, request))))
    case 'DeleteHaVip':
      return all(pipe(checkDelete(r), E.map((request) => deleteViolations(s, request))))
    case 'ModifyHaVipAttributes':
      return all(pipe(checkModify(r), E.map((request) => modifyViolations(s, request))))
    case 'GetAsyncTaskStatus':
      return all(pipe(checkTaskStatus(r), E.map((request) => E.match((e: ApiError) => [e], () => [])(taskStatus(s, request)))))
  }
  if (!isMutating(action)) {
    return [apiError('InvalidActionOrVersion', 'the request names no action this project serves', {
      Action: String(action),
      Version: apiVersion,
    })]
  }
  return all(pipe(checkBinding(action, r), E.map((request) => violations(operations[action], s, request))))
}
