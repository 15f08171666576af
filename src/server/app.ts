import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import * as E from 'fp-ts/lib/Either.js'
import type { ParamMap } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { writeSnapshotFile } from '../io/snapshot-file.js'
import type { Snapshot } from '../model/snapshot.js'
import { regionOf } from '../model/snapshot.js'
import type { ResponseBody } from '../wire/envelope.js'
import { failure, metadata } from '../wire/envelope.js'
import { handle } from '../wire/handle.js'
import { requestParams } from './params.js'
import type { Credentials } from './signature.js'
import { verifySignature } from './signature.js'

export interface ServeOptions {
  /** Where every acknowledged change is saved, before its response is sent. */
  readonly snapshotPath: string
  readonly snapshot: Snapshot
  /** Without credentials, requests are not signed and not checked. */
  readonly credentials?: Credentials
  /** One line per request. */
  readonly log?: (line: string) => void
  readonly now?: () => number
  readonly newRequestId?: () => string
  readonly bodyLimit?: number
}

export interface HavipServer {
  readonly server: Server
  /** The state the server holds now. */
  readonly snapshot: () => Snapshot
  /** Stops accepting, lets the request in flight finish, and resolves when the server is closed. */
  readonly close: () => Promise<void>
}

const mebibyte = 1024 * 1024

interface Reply {
  readonly status: number
  readonly body: ResponseBody
  readonly action: string
}

/** Reads a body up to `limit` bytes; `undefined` past it. */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        resolve(undefined)
        req.pause()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => { resolve(Buffer.concat(chunks)) })
    req.on('error', reject)
  })

/**
 * `havip serve` (docs/endpoint.md): the vendor's OpenAPI for AssociateHaVip, DisassociateHaVip and
 * DescribeHaVips over HTTP, one request applied at a time, every change saved atomically before
 * it is acknowledged.
 */
export const serve = (options: ServeOptions): HavipServer => {
  const now = options.now ?? Date.now
  const newRequestId = options.newRequestId ?? (() => randomUUID().toUpperCase())
  const limit = options.bodyLimit ?? mebibyte
  let state = options.snapshot
  // Requests are applied in arrival order, one at a time: each sees the state the previous left.
  let queue: Promise<unknown> = Promise.resolve()

  const refuse = (requestId: string, params: ParamMap | undefined, error: ApiError): Reply => {
    const action = params?.get('Action') ?? ''
    const meta = metadata(requestId, action, params?.get('Version') ?? '', regionOf(state))
    return { ...failure(meta, error), action }
  }

  const apply = (requestId: string, params: ParamMap): Reply => {
    const handled = handle(state, params, { requestId })
    if (handled.snapshot !== state) {
      try {
        writeSnapshotFile(options.snapshotPath, handled.snapshot)
      } catch (e) {
        // Not saved, so not acknowledged: the state stays as it was.
        return refuse(requestId, params, apiError('InternalError', e instanceof Error ? e.message : String(e)))
      }
      state = handled.snapshot
    }
    return { status: handled.status, body: handled.body, action: params.get('Action') ?? '' }
  }

  /**
   * What can be done for many requests at once (method, path, body, signature): the reply now,
   * or the step that applies the request, to be run in order.
   */
  const prepare = async (req: IncomingMessage, requestId: string): Promise<Reply | (() => Reply)> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? ''
    if (method !== 'GET' && method !== 'POST') return refuse(requestId, undefined, apiError('MethodNotAllowed', `${method} ${url.pathname}`, { method }))
    const body = await readBody(req, limit)
    if (body === undefined) {
      return refuse(requestId, undefined, apiError('RequestEntityTooLarge', `the body is over ${String(limit)} bytes`, { limit: String(limit) }))
    }
    if (url.pathname !== '/') return refuse(requestId, undefined, apiError('InvalidPath', `${method} ${url.pathname}`, { path: url.pathname }))
    const params = requestParams(url.search, req.headers['content-type'], body)
    if (E.isLeft(params)) return refuse(requestId, undefined, params.left)
    if (options.credentials !== undefined) {
      const query = [...url.searchParams]
      const verified = verifySignature({ method, path: url.pathname, query, headers: req.headers, body }, options.credentials, now())
      if (E.isLeft(verified)) return refuse(requestId, params.right, verified.left)
    }
    return () => apply(requestId, params.right)
  }

  const send = (res: ServerResponse, reply: Reply): void => {
    const text = JSON.stringify(reply.body)
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint()
    const requestId = newRequestId()
    const done = (reply: Reply): void => {
      // Answered already (a failure after the reply left): nothing more to say on this socket.
      if (res.headersSent) return
      send(res, reply)
      if (reply.status === 413) res.on('finish', () => req.destroy())
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      options.log?.(`${req.method ?? '-'} ${reply.action || '-'} ${String(reply.status)} ${ms.toFixed(1)}ms`)
    }
    const fail = (e: unknown): void => {
      done(refuse(requestId, undefined, apiError('InternalError', e instanceof Error ? e.message : String(e))))
    }
    prepare(req, requestId).then((outcome) => {
      if (typeof outcome !== 'function') {
        done(outcome)
        return
      }
      // The step never rejects: a failure is answered, and the queue goes on.
      queue = queue.then(() => { done(outcome()) }).catch(fail)
    }).catch(fail)
  })
  server.on('clientError', (_e, socket) => { socket.destroy() })

  return {
    server,
    snapshot: () => state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => {
          if (e) reject(e)
          else void queue.then(() => { resolve() })
        })
        server.closeIdleConnections()
      }),
  }
}
