import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ControlPlane } from './control.js'
import { readBody } from './body.js'
import { ControlError } from './control.js'
import { shown } from './faults.js'

/** Where the control routes live, on the API's port. */
export const controlPrefix = '/_havip'

/** Whether a request path is under the control prefix. */
export const isControlPath = (path: string): boolean => path === controlPrefix || path.startsWith(`${controlPrefix}/`)

export interface ControlRouteOptions {
  /** Serve clients that are not on this machine too (`--control-from-anywhere`). */
  readonly fromAnywhere?: boolean
  /** The largest body a control request may have (a whole snapshot): 256 MiB by default. */
  readonly bodyLimit?: number
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'

interface Call {
  readonly query: URLSearchParams
  /** The body as JSON; `undefined` when there is none. */
  readonly body: unknown
}

/** What a route answers: a JSON value, or lines of text. */
type Answer = { readonly json: unknown } | { readonly lines: ReadonlyArray<unknown> }

type Route = Partial<Record<Method, (call: Call) => Answer | Promise<Answer>>>

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

const invalid = (field: string, message: string): ControlError => new ControlError('InvalidField', 400, `${field}: ${message}`)

/** A body that must be an object of exactly these fields (others refused, naming them). */
const fields = (body: unknown, allowed: ReadonlyArray<string>): Readonly<Record<string, unknown>> => {
  if (body === undefined) return {}
  if (!isObject(body)) throw invalid('(body)', `must be a JSON object with ${allowed.join(', ')}`)
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(key, `is not a field of this request (${allowed.join(', ')})`)
  }
  return body
}

/** Refuses every query parameter but those allowed. */
const onlyQuery = (query: URLSearchParams, allowed: ReadonlyArray<string>): void => {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw invalid(name, `is not a parameter of this route${allowed.length === 0 ? '' : ` (${allowed.join(', ')})`}`)
  }
}

const routesOf = (plane: ControlPlane): Readonly<Record<string, Route>> => {
  const faults = (list: ReadonlyArray<unknown>): Answer => ({ json: { faults: list } })
  return {
    health: { GET: () => ({ json: plane.health() }) },
    reset: {
      POST: async ({ body }) => {
        await plane.reset(body)
        return { json: { reset: true } }
      },
    },
    state: {
      GET: () => ({ json: plane.state() }),
      PUT: async ({ body }) => {
        if (body === undefined) throw invalid('(body)', 'the new state is required: a snapshot as JSON')
        await plane.setState(body)
        return { json: { replaced: true } }
      },
    },
    advance: {
      POST: async ({ body }) => {
        const given = fields(body, ['steps'])
        const steps = given.steps ?? 1
        if (typeof steps !== 'number') throw invalid('steps', `must be a whole number; got ${shown(steps)}`)
        return { json: { tasks: await plane.advance(steps) } }
      },
    },
    faults: {
      GET: () => faults(plane.faults.list()),
      PUT: ({ body }) => {
        const given = fields(body, ['faults'])
        if (!Array.isArray(given.faults)) throw invalid('faults', 'is required: a list of rules')
        return faults(plane.faults.set(given.faults as never))
      },
      POST: ({ body }) => {
        if (body === undefined) throw invalid('(body)', 'a rule is required')
        return faults(plane.faults.add(body as never))
      },
      DELETE: () => faults(plane.faults.clear()),
    },
    trace: {
      GET: ({ query }) => {
        const format = query.get('format') ?? 'json'
        if (format !== 'json' && format !== 'jsonl') throw invalid('format', `must be json or jsonl; got ${JSON.stringify(format)}`)
        const exchanges = plane.trace.list()
        return format === 'jsonl' ? { lines: exchanges } : { json: { exchanges } }
      },
      DELETE: () => {
        plane.trace.clear()
        return { json: { exchanges: [] } }
      },
    },
  }
}

const queryAllowed: Readonly<Record<string, ReadonlyArray<string>>> = { trace: ['format'] }

const parsed = (bytes: Buffer): unknown => {
  if (bytes.length === 0) return undefined
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch (e) {
    throw new ControlError('MalformedJson', 400, `the body is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Whether an address is this machine's (IPv4 127/8, IPv6 ::1, or 127/8 mapped into IPv6). */
export const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'))

const write = (res: ServerResponse, status: number, type: string, text: string): void => {
  res.writeHead(status, ['Content-Type', type, 'Content-Length', String(Buffer.byteLength(text)), 'Cache-Control', 'no-store'])
  res.end(text)
}

const writeError = (res: ServerResponse, e: ControlError): void => {
  // JSON.stringify leaves `problems` out when there are none (it skips undefined).
  const error = { code: e.code, message: e.message, problems: e.problems }
  write(res, e.status, 'application/json; charset=utf-8', JSON.stringify({ error }))
}

/**
 * The HTTP face of the control plane: answers one request under `/_havip/` and resolves with the
 * status it answered. Only clients on this machine (unless `fromAnywhere`), never a request with an
 * `Origin` header (a web page's), and every refusal a JSON error naming what is wrong.
 */
export const controlRoutes = (plane: ControlPlane, options: ControlRouteOptions = {}) => {
  const routes = routesOf(plane)
  const limit = options.bodyLimit ?? 256 * 1024 * 1024
  const listing = Object.entries(routes).map(([name, route]) => `${Object.keys(route).join('|')} ${controlPrefix}/${name}`)

  const answer = async (req: IncomingMessage, path: string, search: string): Promise<Answer> => {
    if (options.fromAnywhere !== true && !isLoopbackAddress(req.socket.remoteAddress)) {
      throw new ControlError('Forbidden', 403, 'the control routes answer only clients on this machine (start the server with --control-from-anywhere to allow others)')
    }
    if (req.headers.origin !== undefined) {
      throw new ControlError('Forbidden', 403, 'a request with an Origin header (one a web page sends) is refused by the control routes')
    }
    const name = path.slice(controlPrefix.length + 1)
    const route = Object.hasOwn(routes, name) ? routes[name] : undefined
    if (route === undefined) throw new ControlError('NotFound', 404, `no control route ${path}; the routes are: ${listing.join(', ')}`)
    const method = req.method ?? ''
    const run = Object.hasOwn(route, method) ? route[method as Method] : undefined
    if (run === undefined) throw new ControlError('MethodNotAllowed', 405, `${path} takes ${Object.keys(route).join(', ')}, not ${method}`)
    const query = new URLSearchParams(search)
    onlyQuery(query, queryAllowed[name] ?? [])
    const bytes = await readBody(req, limit)
    if (bytes === undefined) throw new ControlError('TooLarge', 413, `the body is over ${String(limit)} bytes`)
    const body = parsed(bytes)
    return run({ query, body })
  }

  return async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<number> => {
    try {
      const answered = await answer(req, path, search)
      if ('json' in answered) write(res, 200, 'application/json; charset=utf-8', JSON.stringify(answered.json))
      else write(res, 200, 'application/x-ndjson; charset=utf-8', answered.lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
      return 200
    } catch (e) {
      const error = e instanceof ControlError ? e : new ControlError('InternalError', 500, e instanceof Error ? e.message : String(e))
      if (error.status === 413) res.on('finish', () => req.destroy())
      else if (!req.complete) req.resume()
      writeError(res, error)
      return error.status
    }
  }
}
