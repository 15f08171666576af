import * as E from 'fp-ts/lib/Either.js'
import { decodeParams, readParams } from '../codec/request.js'
import { describeHaVips } from '../engine/describe.js'
import { execute, notASnapshot } from '../engine/operations.js'
import type { Request } from '../model/request.js'
import type { Snapshot } from '../model/snapshot.js'
import { defaultRegion, isSnapshot } from '../model/snapshot.js'
import type { Response, ResponseBody, ResponseMetadata } from './envelope.js'
import { failure, metadata, success } from './envelope.js'

export interface HandleContext {
  /** The request's RequestId; the command line and the server make one up. */
  readonly requestId?: string
}

export interface Handled {
  readonly status: number
  readonly body: ResponseBody
  readonly snapshot: Snapshot
}

const handled = (r: Response, snapshot: Snapshot): Handled => ({ status: r.status, body: r.body, snapshot })

/**
 * One API call, end to end (CONTRACT §7–§8): parameters in, the vendor's status and body out,
 * with the snapshot the call leaves behind (the same one unless it changed something).
 */
export const handle = (snapshot: Snapshot, params: unknown, ctx: HandleContext = {}): Handled => {
  const p = readParams(params)
  const requestId = typeof (ctx as HandleContext | null)?.requestId === 'string' ? ctx.requestId : undefined
  const region = isSnapshot(snapshot) ? snapshot.region : defaultRegion
  const meta = metadata(requestId ?? '', p.get('Action') ?? '', p.get('Version') ?? '', region)
  if (!isSnapshot(snapshot)) return handled(failure(meta, notASnapshot()), snapshot)
  const request = decodeParams(p)
  return E.isLeft(request) ? handled(failure(meta, request.left), snapshot) : answer(snapshot, request.right, meta, requestId)
}

const answer = (s: Snapshot, request: Request, meta: ResponseMetadata, requestId: string | undefined): Handled => {
  if (request.action === 'DescribeHaVips') {
    const page = describeHaVips(s, request)
    return handled(success(meta, { HaVips: page.HaVips, TotalCount: page.TotalCount, PageNumber: page.PageNumber, PageSize: page.PageSize, RequestId: meta.RequestId }), s)
  }
  const outcome = execute(s, request, requestId)
  if (E.isLeft(outcome)) return handled(failure(meta, outcome.left), s)
  // A replay answers with the RequestId of the success it replays, where that was recorded.
  const replayedId = outcome.right.replayed?.RequestId
  const reply = replayedId === undefined ? meta : metadata(replayedId, meta.Action, meta.Version, meta.Region)
  return handled(success(reply, { RequestId: reply.RequestId }), outcome.right.snapshot)
}
