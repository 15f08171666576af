import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeParams, readParams } from '../codec/request.js'
import { describeHaVips } from '../engine/describe.js'
import { execute } from '../engine/operations.js'
import type { Request } from '../model/request.js'
import type { Snapshot } from '../model/snapshot.js'
import type { ResponseBody, ResponseMetadata } from './envelope.js'
import { failure, success } from './envelope.js'

export interface HandleContext {
  /** The request's RequestId; the command line and the server make one up. */
  readonly requestId?: string
}

export interface Handled {
  readonly status: number
  readonly body: ResponseBody
  readonly snapshot: Snapshot
}

/**
 * One API call, end to end (CONTRACT §7–§8): parameters in, the vendor's status and body out,
 * with the snapshot the call leaves behind (the same one unless it changed something).
 */
export const handle = (snapshot: Snapshot, params: unknown, ctx: HandleContext = {}): Handled => {
  const p = readParams(params)
  const requestId = typeof ctx.requestId === 'string' ? ctx.requestId : undefined
  const meta: ResponseMetadata = {
    RequestId: requestId ?? '',
    Action: p.get('Action') ?? '',
    Version: p.get('Version') ?? '',
    Service: 'vpc',
    Region: snapshot.region,
  }
  return pipe(
    decodeParams(p),
    E.match(
      (error) => ({ ...failure(meta, error), snapshot }),
      (request) => answer(snapshot, request, meta, requestId),
    ),
  )
}

const answer = (s: Snapshot, request: Request, meta: ResponseMetadata, requestId: string | undefined): Handled => {
  if (request.action === 'DescribeHaVips') {
    return { ...success(meta, { ...describeHaVips(s, request), RequestId: meta.RequestId }), snapshot: s }
  }
  return pipe(
    execute(s, request, requestId),
    E.match(
      (error) => ({ ...failure(meta, error), snapshot: s }),
      ({ snapshot, replayed }) => {
        // A replay answers with the RequestId of the success it replays, where that was recorded.
        const replyMeta = { ...meta, RequestId: replayed?.RequestId ?? meta.RequestId }
        return { ...success(replyMeta, { RequestId: replyMeta.RequestId }), snapshot }
      },
    ),
  )
}
