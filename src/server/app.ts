import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import type { ParamMap } from '../codec/request.js'
import { servedActions } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import type { Snapshot } from '../model/snapshot.js'
import { isSnapshot, regionOf, withChanges } from '../model/snapshot.js'
import { serviceOf } from '../model/request.js'
import type { ResponseBody } from '../wire/envelope.js'
import { failure, metadata } from '../wire/envelope.js'
import { readBody } from './body.js'
import type { RequestTarget } from './params.js'
import { requestParams, requestTarget } from './params.js'
import type { RequestLog } from './log.js'
import type { ControlDeps, ControlPlane } from './control.js'
import { controlPlane } from './control.js'
import type { ControlRouteOptions } from './control-routes.js'
import { controlRoutes, isControlPath } from './control-routes.js'
import type { Fired } from './faults.js'
import { faultError } from './faults.js'
import type { Store } from './store.js'
import type { SecretKeys } from '../wire/signature.js'
import { verifySignature } from '../wire/signature.js'

export interface ServeOptions {
  /** Where the state lives: in memory, or in a snapshot file and its journal. */
  readonly store: Store
  /** Without credentials, requests are not signed and not checked. */
  readonly credentials?: SecretKeys
  /** Where the request log goes (one line per request); none by default. */
  readonly log?: RequestLog
  readonly now?: () => number
  readonly newRequestId?: () => string
  readonly bodyLimit?: number
  /** How long a connection has to send its headers (default 10 s); a connection silent that long is closed. */
  readonly headersTimeoutMs?: number
  /** How long a request has to arrive whole, body included (default 30 s). */
  readonly requestTimeoutMs?: number
  /** The most connections that have sent nothing yet; past it the oldest is closed (default: half the open-file limit, 64 to 4096). */
  readonly maxSilentConnections?: number
  /** The control routes under `/_havip/` (docs/control.md): on by default; `false` turns them, the faults and the trace off. */
  readonly control?: ControlRouteOptions | false
  /** The asynchronous mode (`--async-steps`) for every state the server holds, its start state included (saved with it). */
  readonly asyncSteps?: number
}

export interface HavipServer {
  readonly server: Server
  /** The state the server holds now. */
  readonly snapshot: () => Snapshot
  /** The control plane, unless it was turned off. */
  readonly control?: ControlPlane
  /** Settles once the state it starts from is durable (the mode `asyncSteps` sets is saved like a change). */
  readonly ready: Promise<void>
  /**
   * Stops accepting; lets the requests in flight finish and be saved; closes idle connections at
   * once and any other after `graceMs` (default 10 s); folds the journal away; resolves.
   */
  readonly close: (graceMs?: number) => Promise<void>
}

const mebibyte = 1024 * 1024
const headersTimeoutMs = 10_000
const requestTimeoutMs = 30_000
const maxHeaderBytes = 16 * 1024
const defaultGraceMs = 10_000

/** Half the soft limit on open files (Linux: /proc/self/limits), so that silent connections never take the descriptors a request needs. */
const defaultSilentLimit = (): number => {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))
    if (m !== null) return Math.min(4096, Math.max(64, Math.floor(Number(m[1]) / 2)))
  } catch {
    // No such file here: the default below.
  }
  return 512
}

/**
 * Connections that have sent nothing yet, oldest first. node:http's own header deadline starts
 * with the first byte, so one that never sends a byte would stay open for good: each is closed when
 * its deadline passes, the oldest as soon as there are too many, and all at once on shutdown (they
 * have no request in flight).
 */
const silentConnections = (deadlineMs: number, limit: number) => {
  const silent = new Map<Socket, NodeJS.Timeout>()
  // Clearing a timer that is not there, or deleting a socket that is not there, does nothing.
  const forget = (socket: Socket): void => {
    clearTimeout(silent.get(socket))
    silent.delete(socket)
  }
  return {
    /** A new connection: on the clock. */
    arrived: (socket: Socket): void => {
      // Bytes arrived but headers are not complete: node:http's deadline has it (and answers 408).
      silent.set(socket, setTimeout(() => { forget(socket); if (socket.bytesRead === 0) socket.destroy() }, deadlineMs).unref())
      socket.once('close', () => { forget(socket) })
      for (const [oldest] of silent) {
        if (silent.size <= limit) break
        forget(oldest)
        oldest.destroy()
      }
    },
    /** Its first request arrived: node:http's timeouts take over. */
    spoke: forget,
    /** Closes those that still have said nothing. */
    closeAll: (): void => {
      for (const socket of [...silent.keys()]) {
        if (socket.bytesRead > 0) continue
        forget(socket)
        socket.destroy()
      }
    },
  }
}

/** What an HTTP parser's error code says went wrong, in words for the envelope. */
const unparseable = (code: string | undefined): string => {
  switch (code) {
    // INVALID_CONSTANT: no `HTTP/` where the version should be (a target with a space in it).
    case 'HPE_INVALID_METHOD': case 'HPE_INVALID_CONSTANT': return 'the request line is not HTTP'
    // A bad character in a header's value is INVALID_HEADER_TOKEN too (llhttp has no INVALID_HEADER_VALUE).
    case 'HPE_INVALID_HEADER_TOKEN': return 'a header line is malformed'
    // node 20 says INVALID_TRANSFER_ENCODING or INVALID_CONTENT_LENGTH (whichever comes second) for both at once, or for a bad value of either.
    case 'HPE_UNEXPECTED_CONTENT_LENGTH': case 'HPE_INVALID_TRANSFER_ENCODING': case 'HPE_INVALID_CONTENT_LENGTH':
      return 'its Content-Length or Transfer-Encoding is not valid, or it has both'
    case 'HPE_INVALID_URL': return 'the request target is not a URL'
    case 'HPE_INVALID_VERSION': return 'the HTTP version is not one this server speaks'
    default: return 'it is not a well-formed HTTP/1.1 request'
  }
}

/** The control plane and its routes, or neither when they are turned off. */
const controlled = (routeOptions: ControlRouteOptions | false | undefined, deps: ControlDeps): { readonly control?: ControlPlane; readonly routes?: ReturnType<typeof controlRoutes> } => {
  if (routeOptions === false) return {}
  const control = controlPlane(deps)
  return { control, routes: controlRoutes(control, routeOptions) }
}

interface Reply {
  readonly status: number
  readonly body: ResponseBody
  readonly action: string
  /** The parameters, for the trace, once they were read. */
  readonly params?: ParamMap
  /** The index of the fault rule that fired. */
  readonly fault?: number
  /** Close the connection instead of answering (`drop-before`: nothing was done, so no status). */
  readonly drop?: boolean
}

/** The `AsyncTaskId` a success answered, if any. */
const asyncTaskIdOf = (body: ResponseBody): string | undefined => {
  const result = 'Result' in body ? (body.Result as { readonly AsyncTaskId?: unknown }) : undefined
  return typeof result?.AsyncTaskId === 'string' ? result.AsyncTaskId : undefined
}

/**
 * `havip serve` (docs/endpoint.md): the vendor's OpenAPI for AssociateHaVip, DisassociateHaVip and
 * DescribeHaVips over HTTP, one request applied at a time, every change durable in the store before
 * it is acknowledged.
 */
export const serve = (options: ServeOptions): HavipServer => {
  const now = options.now ?? Date.now
  const newRequestId = options.newRequestId ?? (() => randomUUID().toUpperCase())
  const limit = options.bodyLimit ?? mebibyte
  const { store } = options
  // Every request from arrival to answer: closing waits for them.
  const inFlight = new Set<Promise<void>>()
  const asyncSteps = options.asyncSteps
  const initial = store.snapshot()
  // Journaled like a change: a restart keeps the mode, and a state saved later holds it.
  const ready = asyncSteps !== undefined && isSnapshot(initial) && initial.asyncSteps !== asyncSteps
    ? store.replace(withChanges(initial, { asyncSteps }), { asyncSteps }).durable ?? Promise.resolve()
    : Promise.resolve()
  ready.catch((e: unknown) => {
    options.log?.note(`havip serve: the asynchronous mode could not be saved: ${e instanceof Error ? e.message : String(e)}`)
  })
  const { control, routes } = controlled(options.control, { store, actions: servedActions, asyncSteps })
  // Requests a `delay` rule holds: a stop ends their wait.
  const delayed = new Set<() => void>()

  const refuse = (requestId: string, params: ParamMap | undefined, error: ApiError): Reply => {
    const action = params?.get('Action') ?? ''
    const meta = metadata(requestId, action, params?.get('Version') ?? '', regionOf(store.snapshot()))
    return { ...failure(meta, error), action }
  }

  const apply = (requestId: string, params: ParamMap): Reply | Promise<Reply> => {
    const fired = control?.rules.fire(params)
    return fired === undefined ? applyNow(requestId, params) : faulted(fired, requestId, params)
  }

  /** What a fault rule makes of a request (docs/control.md). */
  const faulted = ({ index, rule }: Fired, requestId: string, params: ParamMap): Reply | Promise<Reply> => {
    const marked = (reply: Reply, drop = false): Reply => ({ ...reply, params, fault: index, drop })
    switch (rule.effect) {
      case 'error': return marked(refuse(requestId, params, faultError(rule)))
      case 'drop-before': return { ...marked(refuse(requestId, params, faultError(rule)), true), status: 0 }
      case 'drop-after': return Promise.resolve(applyNow(requestId, params)).then((reply) => marked(reply, reply.status !== 500))
      case 'delay': return new Promise<void>((resolve) => {
        // Off the event loop's path: other clients are answered meanwhile.
        const wake = (): void => { clearTimeout(timer); delayed.delete(wake); resolve() }
        const timer = setTimeout(wake, rule.ms ?? 0)
        delayed.add(wake)
      }).then(() => applyNow(requestId, params)).then((reply) => marked(reply))
      case 'fail-task': {
        const reply = applyNow(requestId, params, true)
        return reply instanceof Promise ? reply.then((r) => marked(r)) : marked(reply)
      }
    }
  }

  const applyNow = (requestId: string, params: ParamMap, failTask = false): Reply | Promise<Reply> => {
    const { handled, durable } = store.submit(params, requestId, failTask ? { failTask } : undefined)
    const reply: Reply = { status: handled.status, body: handled.body, action: params.get('Action') ?? '', params }
    return durable === undefined ? reply : durable.then(
      () => reply,
      // Not saved, so not acknowledged: the state is as it was.
      (e: unknown) => ({ ...refuse(requestId, params, apiError('InternalError', `the change could not be saved: ${e instanceof Error ? e.message : String(e)}`)), params }),
    )
  }

  // Why signatures were refused, each reason once (a client signing for another region says so in every request).
  const refusedSignatures = new Set<string>()
  const noteRefusedSignature = (error: ApiError): void => {
    if (refusedSignatures.has(error.facts) || refusedSignatures.size >= 100) return
    refusedSignatures.add(error.facts)
    options.log?.note(`havip serve: ${error.code}: ${error.facts}`)
  }

  /** Path, parameters, signature; then the request goes to the store, in the order requests get this far. */
  const withBody = (req: IncomingMessage, requestId: string, url: RequestTarget, body: Buffer | undefined): Reply | Promise<Reply> => {
    const method = req.method ?? ''
    if (body === undefined) {
      return refuse(requestId, undefined, apiError('RequestEntityTooLarge', `the body is over ${String(limit)} bytes`, { limit: String(limit) }))
    }
    if (url.path !== '/') return refuse(requestId, undefined, apiError('InvalidPath', `${method} ${url.path}`, { path: url.path }))
    const params = requestParams(url.search, req.headers['content-type'], body)
    if (E.isLeft(params)) return refuse(requestId, undefined, params.left)
    if (options.credentials !== undefined) {
      const query = [...new URLSearchParams(url.search)]
      const scope = { region: regionOf(store.snapshot()), service: serviceOf(params.right.get('Action')) }
      const verified = verifySignature({ method, path: url.path, query, headers: req.headers, body }, options.credentials, scope, now())
      if (E.isLeft(verified)) {
        noteRefusedSignature(verified.left)
        return { ...refuse(requestId, params.right, verified.left), params: params.right }
      }
    }
    return apply(requestId, params.right)
  }

  // Bodies still being read, per connection: a request pipelined behind one is applied after it.
  const reading = new WeakMap<Duplex, number>()
  const bodyOf = async (req: IncomingMessage): Promise<Buffer | undefined> => {
    const { socket } = req
    reading.set(socket, (reading.get(socket) ?? 0) + 1)
    try {
      return await readBody(req, limit)
    } finally {
      const left = (reading.get(socket) ?? 1) - 1
      if (left === 0) reading.delete(socket)
      else reading.set(socket, left)
    }
  }

  /** The whole answer: at once when the request carries no body (a GET) and none before it on its connection is being read, after reading it otherwise. */
  const answer = (req: IncomingMessage, requestId: string): Reply | Promise<Reply> => {
    const url = requestTarget(req.url ?? '')
    const method = req.method ?? ''
    if (url === undefined) {
      req.resume()
      return refuse(requestId, undefined, apiError('MalformedRequest', `the request target ${JSON.stringify(req.url)} is not a URL`, { why: 'the request target is not a URL' }))
    }
    if (method !== 'GET' && method !== 'POST') {
      req.resume()
      return refuse(requestId, undefined, apiError('MethodNotAllowed', `${method} ${url.path}`, { method }))
    }
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined && !reading.has(req.socket)) {
      req.resume()
      return withBody(req, requestId, url, Buffer.alloc(0))
    }
    return bodyOf(req).then((body) => withBody(req, requestId, url, body))
  }

  /** The reply's status and text; a body JSON cannot write (a resource nested too deep) becomes an InternalError. */
  const serialised = (reply: Reply): readonly [number, string] => {
    try {
      return [reply.status, JSON.stringify(reply.body)]
    } catch (e) {
      const meta = reply.body.ResponseMetadata
      const error = apiError('InternalError', `the response cannot be written as JSON: ${e instanceof Error ? e.message : String(e)}`)
      return [500, JSON.stringify(failure(metadata(meta.RequestId, meta.Action, meta.Version, meta.Region), error).body)]
    }
  }

  const send = (res: ServerResponse, reply: Reply): void => {
    const [status, text] = serialised(reply)
    res.writeHead(status, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(text))])
    res.end(text)
  }

  const headersTimeout = options.headersTimeoutMs ?? headersTimeoutMs
  const requestTimeout = options.requestTimeoutMs ?? requestTimeoutMs
  const silent = silentConnections(headersTimeout, options.maxSilentConnections ?? defaultSilentLimit())
  const server = createServer({
    // A slow client never holds a connection for long: its headers within 10 s, its request within 30 s.
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: 1000,
    maxHeaderSize: maxHeaderBytes,
  }, (req, res) => {
    silent.spoke(req.socket)
    const started = process.hrtime.bigint()
    if (routes !== undefined) {
      const target = requestTarget(req.url ?? '')
      if (target !== undefined && isControlPath(target.path)) {
        const handling = routes(req, res, target.path, target.search).then((status) => {
          options.log?.request({ time: new Date(), method: req.method ?? '-', action: target.path, status, requestId: '-', ms: Number(process.hrtime.bigint() - started) / 1e6 })
        })
        inFlight.add(handling)
        void handling.finally(() => inFlight.delete(handling))
        return
      }
    }
    const arrived = Date.now()
    const requestId = newRequestId()
    // Called once a request: with its reply, or by `fail` when no reply could be made (nothing else writes `res`).
    const done = (reply: Reply): void => {
      if (reply.drop === true) req.socket.destroy()
      else send(res, reply)
      if (reply.status === 413) res.on('finish', () => req.destroy())
      const error = 'Error' in reply.body.ResponseMetadata ? reply.body.ResponseMetadata.Error : undefined
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      options.log?.request({
        time: new Date(), method: req.method ?? '-', action: reply.action, status: reply.status,
        ...(error === undefined || reply.status === 0 ? {} : { code: error.Code }), requestId, ms,
      })
      control?.exchanges.record({
        time: arrived, method: req.method ?? '-', action: reply.action, params: reply.params, status: reply.status,
        code: reply.status === 0 ? undefined : error?.Code, requestId: reply.body.ResponseMetadata.RequestId,
        asyncTaskId: asyncTaskIdOf(reply.body), ms, fault: reply.fault, dropped: reply.drop === true,
      })
    }
    const fail = (e: unknown): void => { done(refuse(requestId, undefined, apiError('InternalError', e instanceof Error ? e.message : String(e)))) }
    let answered: Reply | Promise<Reply>
    try {
      answered = answer(req, requestId)
    } catch (e) {
      fail(e)
      return
    }
    if (!(answered instanceof Promise)) {
      done(answered)
      return
    }
    const handling = answered.then(done, fail)
    inFlight.add(handling)
    void handling.finally(() => inFlight.delete(handling))
  })
  server.on('connection', silent.arrived)
  // What node:http cannot parse still gets the vendor's envelope, while the socket can take it.
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    // A socket error (a reset) has destroyed the socket before it is reported: not writable.
    if (!socket.writable) {
      socket.destroy()
      return
    }
    const requestId = newRequestId()
    const error = e.code === 'HPE_HEADER_OVERFLOW'
      ? apiError('RequestHeaderFieldsTooLarge', e.message, { limit: String(maxHeaderBytes) })
      : e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        // One code for both deadlines: a body still being read missed the request's, anything else the headers'.
        ? apiError('RequestTimeout', e.message, { seconds: String((reading.has(socket) ? requestTimeout : headersTimeout) / 1000) })
        : apiError('MalformedRequest', `${e.code ?? 'parse error'}: ${e.message}`, { why: unparseable(e.code) })
    const reply = refuse(requestId, undefined, error)
    const [status, text] = serialised(reply)
    socket.end(`HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${String(Buffer.byteLength(text))}\r\nConnection: close\r\n\r\n${text}`)
    options.log?.request({ time: new Date(), method: '-', action: '', status, code: error.code, requestId, ms: 0 })
  })

  let closing: Promise<void> | undefined
  return {
    server,
    snapshot: () => store.snapshot(),
    ...(control === undefined ? {} : { control }),
    ready,
    // Once: a second call (an explicit close, then a test suite's afterEach) gets the first one's promise.
    close: (graceMs = defaultGraceMs) => (closing ??= (async () => {
      // A request a fault rule delays is answered now.
      for (const wake of [...delayed]) wake()
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      // Connections become idle as their last answer leaves: close them as they do.
      server.closeIdleConnections()
      silent.closeAll()
      const idleSweep = setInterval(() => { server.closeIdleConnections(); silent.closeAll() }, 50)
      // A client that holds a connection open (or trickles a request) gets until the grace ends.
      const grace = setTimeout(() => { server.closeAllConnections() }, graceMs)
      try {
        await Promise.all([...inFlight])
        await closed
      } finally {
        clearInterval(idleSweep)
        clearTimeout(grace)
      }
      await store.close()
      options.log?.flush()
    })()),
  }
}
