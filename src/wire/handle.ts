import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeParams, readParams } from '../codec/request.js'
import { describeResources } from '../engine/describe.js'
import { executeWrite, notASnapshot } from '../engine/operations.js'
import { stepped, taskStatus } from '../engine/tasks.js'
import type { ApiError } from '../errors/catalog.js'
import type { DescribeAction, DescribeRequest, GetAsyncTaskStatusRequest, Request } from '../model/request.js'
import { isDescribe } from '../model/request.js'
import type { WriteContext } from '../engine/lifecycle.js'
import { contextText } from '../engine/lifecycle.js'
import type { Snapshot, SnapshotState } from '../model/snapshot.js'
import { isSnapshot, regionOf } from '../model/snapshot.js'
import type { Response, ResponseBody, ResponseMetadata, Results } from './envelope.js'
import { failure, metadata, success } from './envelope.js'

export interface HandleContext {
  /** The request's RequestId; the command line and the server make one up. */
  readonly requestId?: string
  /** The time, ISO-8601, that CreateHaVip and ModifyHaVipAttributes stamp a HaVip with (`CreatedAt`, `UpdatedAt`); nothing else reads it. */
  readonly now?: string
}

/** What a call answered, and the snapshot it left behind. */
export interface Handled {
  readonly status: number
  readonly body: ResponseBody
  /** The same snapshot unless the call changed something. */
  readonly snapshot: Snapshot
}

const handled = (r: Response, snapshot: Snapshot): Handled => ({ status: r.status, body: r.body, snapshot })

/**
 * One API call, end to end: parameters in (a query string, a URL, or an object of strings), the
 * vendor's HTTP status and response body out, with the snapshot the call leaves behind.
 */
export const handle = (snapshot: Snapshot, params: unknown, ctx: HandleContext = {}): Handled => {
  const p = readParams(params)
  const requestId = typeof (ctx as HandleContext | null)?.requestId === 'string' ? ctx.requestId : undefined
  const now = contextText(ctx, 'now')
  const meta = metadata(requestId ?? '', p.get('Action') ?? '', p.get('Version') ?? '', regionOf(snapshot))
  if (!isSnapshot(snapshot)) return handled(failure(meta, notASnapshot()), snapshot)
  const request = decodeParams(p)
  if (E.isLeft(request)) return handled(failure(meta, request.left), snapshot)
  return answer(snapshot, request.right, meta, { ...(requestId === undefined ? {} : { requestId }), ...(now === undefined ? {} : { now }) })
}

/** A Describe call's `Result`, in the shape of its action. */
const describeResult = (s: SnapshotState, r: DescribeRequest, RequestId: string): E.Either<ApiError, Results[DescribeAction]> => {
  switch (r.action) {
    case 'DescribeHaVips':
      return pipe(describeResources.DescribeHaVips(s, r), E.map((f) => ({
        HaVips: f.items, TotalCount: f.totalCount, PageNumber: f.pageNumber, PageSize: f.pageSize, NextToken: f.nextToken, RequestId,
      })))
    case 'DescribeNetworkInterfaces':
      return pipe(describeResources.DescribeNetworkInterfaces(s, r), E.map((f) => ({
        NetworkInterfaceSets: f.items, TotalCount: f.totalCount, PageNumber: f.pageNumber, PageSize: f.pageSize, NextToken: f.nextToken, RequestId,
      })))
    case 'DescribeInstances':
      return pipe(describeResources.DescribeInstances(s, r), E.map((f) => ({ Instances: f.items, TotalCount: f.totalCount, NextToken: f.nextToken, RequestId })))
  }
}

/** A read's answer from one state. */
const readOnce = (s: SnapshotState, request: DescribeRequest | GetAsyncTaskStatusRequest, meta: ResponseMetadata): Response => {
  const result = request.action === 'GetAsyncTaskStatus'
    ? pipe(taskStatus(s, request), E.map((t): Results['GetAsyncTaskStatus'] => ({ RequestId: meta.RequestId, ...t })))
    : describeResult(s, request, meta.RequestId)
  return E.isLeft(result) ? failure(meta, result.left) : success(meta, result.right)
}

/**
 * A read. In the asynchronous mode it takes one step first, so that the answer shows it and the
 * snapshot returned holds it; only a read answered with 200 takes it.
 */
const read = (s: SnapshotState, request: DescribeRequest | GetAsyncTaskStatusRequest, meta: ResponseMetadata): Handled => {
  const next = s.asyncSteps > 0 ? stepped(s, 1) : s
  if (next !== s) {
    const answered = readOnce(next, request, meta)
    if (answered.status === 200) return handled(answered, next)
  }
  return handled(readOnce(s, request, meta), s)
}

const answer = (s: SnapshotState, request: Request, meta: ResponseMetadata, w: WriteContext): Handled => {
  if (isDescribe(request) || request.action === 'GetAsyncTaskStatus') return read(s, request, meta)
  const outcome = executeWrite(s, request, w)
  if (E.isLeft(outcome)) return handled(failure(meta, outcome.left), s)
  // A replay answers with the RequestId of the success it replays, where that was recorded.
  const replayedId = outcome.right.replayed?.RequestId
  const reply = replayedId === undefined ? meta : metadata(replayedId, meta.Action, meta.Version, meta.Region)
  return handled(success(reply, { RequestId: reply.RequestId, ...outcome.right.result }), outcome.right.snapshot)
}
