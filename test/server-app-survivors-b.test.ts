import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { HavipServer, ServeOptions } from '../src/server/app.js'
import { serve } from '../src/server/app.js'
import type { RequestLog, RequestLogEntry } from '../src/server/log.js'
import type { Store } from '../src/server/store.js'
import { memoryStore } from '../src/server/store.js'
import { load, oneHaVipAccount } from './support/snapshots.js'

// What a client and an operator see of the HTTP app (src/server/app.ts, from its store calls on):
// the words of each refusal, the status line of an answer node:http could not parse, the request
// log's lines for control routes, refusals and failures, the trace, and what stopping waits for.

const running: Array<HavipServer> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close(100)))
})

/** A request log that keeps its entries, and lets a test wait for the n-th. */
const capturedLog = () => {
  const entries: Array<RequestLogEntry> = []
  const notes: Array<string> = []
  const waiting: Array<() => void> = []
  const log: RequestLog = {
    request: (e) => {
      entries.push(e)
      for (const wake of waiting.splice(0)) wake()
    },
    note: (text) => { notes.push(text) },
    flush: () => undefined,
  }
  /** The n-th entry (1-based), once it is there. */
  const entry = (n: number): Promise<RequestLogEntry> => new Promise((resolve) => {
    const check = (): void => {
      const e = entries[n - 1]
      if (e === undefined) waiting.push(check)
      else resolve(e)
    }
    check()
  })
  /** The first entry that passes, once it is there. */
  const logged = (test: (e: RequestLogEntry) => boolean): Promise<RequestLogEntry> => new Promise((resolve) => {
    const check = (): void => {
      const e = entries.find(test)
      if (e === undefined) waiting.push(check)
      else resolve(e)
    }
    check()
  })
  return { log, entries, notes, entry, logged }
}

const start = async (options: Partial<ServeOptions> = {}, store: Store = memoryStore(load(oneHaVipAccount(2)))) => {
  let n = 0
  const app = serve({ store, newRequestId: () => `REQ-${String(++n)}`, ...options })
  running.push(app)
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  return { app, port: (app.server.address() as AddressInfo).port }
}

interface Envelope {
  readonly ResponseMetadata: { readonly RequestId: string; readonly Action: string; readonly Error?: { readonly Code: string; readonly Message: string } }
  readonly Result?: Record<string, unknown>
}

interface Raw {
  /** The status line. */
  readonly line: string
  readonly status: number
  readonly body: Envelope
}

/** Sends these bytes on a connection of its own (left open for writing when `end` is false); what came back once the server closed it. */
const raw = (port: number, text: string, end = true): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { if (end) socket.end(text); else socket.write(text) })
    let data = ''
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n')
      const line = head.split('\r\n')[0] ?? ''
      resolve({ line, status: Number(line.split(' ')[1]), body: JSON.parse(body) as Envelope })
    })
  })

/** One request through node's client, on its own connection. */
const http = (port: number, path: string, method = 'GET', body?: string): Promise<{ status: number; body: Envelope }> =>
  new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) }
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope }) })
    })
    req.on('error', reject)
    req.end(body)
  })

const describeQuery = '/?Action=DescribeHaVips&Version=2020-04-01'

describe('each refusal of the HTTP layer names what it refused', () => {
  it('a body over the limit: the limit in the message', async () => {
    const { port } = await start({ bodyLimit: 10 })
    const answer = await raw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nAction=Desc')
    expect(answer.status).toBe(413)
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'RequestEntityTooLarge', Message: 'The request body is larger than 10 bytes.' })
  })

  it('a path other than /: the path in the message', async () => {
    const { port } = await start()
    const answer = await http(port, '/nowhere?Action=DescribeHaVips&Version=2020-04-01')
    expect(answer.status).toBe(404)
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'InvalidPath', Message: 'The path /nowhere does not exist; the API is served at /.' })
  })

  it('a method other than GET or POST: the method in the message', async () => {
    const { port } = await start()
    const answer = await http(port, describeQuery, 'PUT')
    expect(answer.status).toBe(405)
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'MethodNotAllowed', Message: 'The method PUT is not allowed; use GET or POST.' })
  })

  it('headers too large: the limit in the message, the status line with its reason phrase', async () => {
    const { port } = await start()
    const answer = await raw(port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`)
    expect(answer.line).toBe('HTTP/1.1 431 Request Header Fields Too Large')
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'RequestHeaderFieldsTooLarge', Message: 'The request line and headers are larger than 16384 bytes.' })
  })

  it('garbage: 400 Bad Request on the status line, and a log line with no method or action', async () => {
    const { log, entry } = capturedLog()
    const { port } = await start({ log })
    const answer = await raw(port, 'NOT HTTP AT ALL\r\n\r\n')
    expect(answer.line).toBe('HTTP/1.1 400 Bad Request')
    expect(answer.body.ResponseMetadata.Error?.Code).toBe('MalformedRequest')
    const line = await entry(1)
    expect(line).toEqual({ time: expect.any(Date) as Date, method: '-', action: '', status: 400, code: 'MalformedRequest', requestId: 'REQ-1', ms: 0 })
    expect(answer.body.ResponseMetadata.RequestId).toBe('REQ-1')
  })

  it('headers not complete in time: 408 RequestTimeout, which names the header deadline', async () => {
    const { log, entry } = capturedLog()
    // The connection has spoken (so it is not a silent one); node:http's header deadline answers it.
    const { port } = await start({ log, headersTimeoutMs: 200 })
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost: a\r\n', false)
    expect(answer.line).toBe('HTTP/1.1 408 Request Timeout')
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'RequestTimeout', Message: 'The request did not arrive within 0.2 seconds.' })
    expect(await entry(1)).toMatchObject({ method: '-', action: '', status: 408, code: 'RequestTimeout' })
  })

  it('a body not complete in time: 408 RequestTimeout, which names the request deadline', async () => {
    const { port } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 })
    const answer = await raw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nAc', false)
    expect(answer.line).toBe('HTTP/1.1 408 Request Timeout')
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'RequestTimeout', Message: 'The request did not arrive within 0.3 seconds.' })
  })
})

/** The bounds of what happened in between: a duration logged inside them is at least 0 and at most their distance, in milliseconds. */
const stopwatch = () => {
  const from = process.hrtime.bigint()
  return { msSince: () => Number(process.hrtime.bigint() - from) / 1e6 }
}

/** Sends these bytes and resolves once the server closed the connection, with whatever came back. */
const closedAfter = (port: number, text: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => { socket.write(text) })
    let data = ''
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    socket.on('error', () => undefined)
    socket.on('close', () => { resolve(data) })
  })

describe('the request log', () => {
  it('a control request gets a line: its method, its path, its status, no request id, and how long it took in milliseconds', async () => {
    const { log, entry } = capturedLog()
    const { port } = await start({ log })
    const watch = stopwatch()
    const answer = await fetch(`http://127.0.0.1:${String(port)}/_havip/health`)
    expect(answer.status).toBe(200)
    const line = await entry(1)
    const bound = watch.msSince()
    expect(line).toEqual({ time: expect.any(Date) as Date, method: 'GET', action: '/_havip/health', status: 200, requestId: '-', ms: expect.any(Number) as number })
    expect(line.ms).toBeGreaterThanOrEqual(0)
    expect(line.ms).toBeLessThanOrEqual(bound)
  })

  it('an API request gets its duration in milliseconds', async () => {
    const { log, entry } = capturedLog()
    const { port } = await start({ log })
    const watch = stopwatch()
    expect((await http(port, describeQuery)).status).toBe(200)
    const line = await entry(1)
    const bound = watch.msSince()
    expect(line).toMatchObject({ method: 'GET', action: 'DescribeHaVips', status: 200, requestId: 'REQ-1' })
    expect(line.ms).toBeGreaterThanOrEqual(0)
    expect(line.ms).toBeLessThanOrEqual(bound)
  })

  it('a request without an Action: its line and its trace entry have an empty action', async () => {
    const { log, entry } = capturedLog()
    const { app, port } = await start({ log })
    const answer = await http(port, '/?Version=2020-04-01')
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect((await entry(1)).action).toBe('')
    expect(app.control?.trace.list().map((e) => e.action)).toEqual([''])
  })

  it('a request dropped before it was applied: status 0 and no error code in its line; the trace marks it dropped', async () => {
    const { log, entry } = capturedLog()
    const { app, port } = await start({ log })
    app.control?.faults.add({ action: 'DescribeHaVips', effect: 'drop-before' })
    expect(await closedAfter(port, `GET ${describeQuery} HTTP/1.1\r\nHost: a\r\n\r\n`)).toBe('')
    const line = await entry(1)
    expect(line).toEqual({ time: expect.any(Date) as Date, method: 'GET', action: 'DescribeHaVips', status: 0, requestId: 'REQ-1', ms: expect.any(Number) as number })
    expect(app.control?.trace.list()).toMatchObject([{ action: 'DescribeHaVips', status: 0, dropped: true }])
  })

  it('a request answered is not marked dropped in the trace', async () => {
    const { app, port } = await start()
    expect((await http(port, describeQuery)).status).toBe(200)
    const [exchange] = app.control?.trace.list() ?? []
    expect(exchange).toMatchObject({ action: 'DescribeHaVips', status: 200 })
    expect(exchange).not.toHaveProperty('dropped')
  })

  it('a client that goes away in the middle of its body: its request is logged InternalError, and the server goes on', async () => {
    const { log, logged } = capturedLog()
    const { port } = await start({ log })
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Des', () => { socket.destroy() })
    })
    socket.on('error', () => undefined)
    expect(await logged((e) => e.requestId === 'REQ-1')).toMatchObject({ method: 'POST', action: '', status: 500, code: 'InternalError', requestId: 'REQ-1' })
    expect((await http(port, describeQuery)).status).toBe(200)
  })

  it('a client that resets its connection while its request is in flight gets no answer and no log line for the reset', async () => {
    const { log, entries, logged } = capturedLog()
    const inner = memoryStore(load(oneHaVipAccount(2)))
    let save: () => void = () => undefined
    const held: Store = { ...inner, submit: (params, requestId, options) => ({ handled: inner.submit(params, requestId, options).handled, durable: new Promise<void>((resolve) => { save = resolve }) }) }
    const { app, port } = await start({ log }, held)
    const applied = new Promise<void>((resolve) => { app.server.once('request', () => { setImmediate(resolve) }) })
    const seen = new Promise<string | undefined>((resolve) => {
      app.server.on('clientError', (e: NodeJS.ErrnoException) => { resolve(e.code) })
    })
    const socket = connect(port, '127.0.0.1', () => { socket.write(`GET ${describeQuery} HTTP/1.1\r\nHost: a\r\n\r\n`) })
    socket.on('error', () => undefined)
    await applied
    socket.resetAndDestroy()
    // The server's own listener ran first: by now it has done all it does for this error.
    expect(await seen).toBe('ECONNRESET')
    expect(entries).toEqual([])
    save()
    expect(await logged((e) => e.requestId === 'REQ-1')).toMatchObject({ status: 200, action: 'DescribeHaVips' })
    expect(entries).toHaveLength(1)
  })
})

describe('what the trace keeps of a change that could not be saved', () => {
  it('its parameters, beside the InternalError it was answered', async () => {
    const inner = memoryStore(load(oneHaVipAccount(2)))
    const failing: Store = {
      ...inner,
      submit: (params, requestId, options) => ({ handled: inner.submit(params, requestId, options).handled, durable: Promise.reject(new Error('ENOSPC: no space left on device')) }),
    }
    const { app, port } = await start({}, failing)
    const answer = await http(port, '/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0')
    expect(answer.status).toBe(500)
    expect(answer.body.ResponseMetadata.Error?.Code).toBe('InternalError')
    expect(answer.body.ResponseMetadata.Action).toBe('AssociateHaVip')
    expect(app.control?.trace.list()).toMatchObject([{
      action: 'AssociateHaVip', status: 500, code: 'InternalError',
      params: { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: 'i-0' },
    }])
  })
})

/** A store whose changes become durable only when the test says so (a slow disk). */
const heldStore = () => {
  const inner = memoryStore(load(oneHaVipAccount(2)))
  const waiting: Array<() => void> = []
  const store: Store = {
    ...inner,
    submit: (params, requestId, options) => ({ handled: inner.submit(params, requestId, options).handled, durable: new Promise<void>((resolve) => { waiting.push(resolve) }) }),
  }
  return { store, save: () => { for (const done of waiting.splice(0)) done() } }
}

/** A keep-alive connection that sends one request and stays open; what it received so far, and whether the server closed it. */
const keptOpen = (port: number, text: string) => {
  const socket = connect(port, '127.0.0.1', () => { socket.write(text) })
  const state = { data: '', closed: new Promise<void>((resolve) => { socket.on('close', () => { resolve() }) }) }
  socket.on('data', (chunk: Buffer) => { state.data += chunk.toString('latin1') })
  socket.on('error', () => undefined)
  return state
}

/** Resolves once the server has taken the next request in (its handler ran, and the turn after it). */
const nextRequestIn = (app: HavipServer): Promise<void> =>
  new Promise((resolve) => { app.server.once('request', () => { setImmediate(resolve) }) })

const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

describe('stopping', () => {
  it('a connection whose request was in flight is closed as soon as its answer leaves, not at the end of the grace', async () => {
    const { store, save } = heldStore()
    const { app, port } = await start({}, store)
    // No keep-alive timeout of node's own: nothing but the server's stop closes the connection.
    app.server.keepAliveTimeout = 0
    const taken = nextRequestIn(app)
    const client = keptOpen(port, `GET ${describeQuery} HTTP/1.1\r\nHost: a\r\n\r\n`)
    await taken
    // A grace far longer than any test: only the answer leaving can close the connection.
    const closing = app.close(3_600_000)
    save()
    await closing
    await client.closed
    expect(client.data.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
  })

  it('waits for a request in flight to be saved, even once the grace has closed its connection', async () => {
    const { store, save } = heldStore()
    const { app, port } = await start({}, store)
    const taken = nextRequestIn(app)
    const client = keptOpen(port, `GET ${describeQuery} HTTP/1.1\r\nHost: a\r\n\r\n`)
    await taken
    const order: Array<string> = []
    const serverClosed = new Promise<void>((resolve) => { app.server.once('close', () => { resolve() }) })
    const closing = app.close(0).then(() => { order.push('closed') })
    // The grace (none) closed the connection, and with it the server; the request is not saved yet.
    await client.closed
    await serverClosed
    await new Promise<void>((resolve) => { setImmediate(resolve) })
    order.push('saved')
    save()
    await closing
    expect(order).toEqual(['saved', 'closed'])
  })

  it('leaves no timer behind once closed', async () => {
    const before = refTimers()
    const { app, port } = await start()
    expect((await http(port, describeQuery)).status).toBe(200)
    await app.close(3_600_000)
    // At most as many as before (a timer another test left may have fired meanwhile): the idle sweep and the grace are gone.
    expect(refTimers()).toBeLessThanOrEqual(before)
  })
})

describe('an answer JSON cannot write', () => {
  it('a HaVip nested too deep for JSON.stringify (not for JSON.parse): DescribeHaVips answers InternalError 500 in the vendor envelope', async () => {
    const deep = JSON.parse(`${'{"d":'.repeat(200_000)}"bottom"${'}'.repeat(200_000)}`) as unknown
    const json = oneHaVipAccount(2)
    const snapshot = load({ ...json, HaVips: json.HaVips?.map((h) => ({ ...h, Deep: deep })) })
    const { port } = await start({}, memoryStore(snapshot))
    const answer = await http(port, describeQuery)
    expect(answer.status).toBe(500)
    expect(answer.body.ResponseMetadata).toMatchObject({ RequestId: 'REQ-1', Action: 'DescribeHaVips', Version: '2020-04-01', Region: 'cn-beijing' })
    expect(answer.body.ResponseMetadata.Error).toEqual({ CodeN: 100014, Code: 'InternalError', Message: 'Service has some internal Error. Pls Contact With Admin' })
  })
})

describe('requests pipelined on one connection', () => {
  it('a GET sent right behind a POST on the same connection is applied after it, in arrival order', async () => {
    const { port } = await start()
    const body = 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0'
    const text = `POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${String(body.length)}\r\n\r\n${body}` +
      `GET ${describeQuery}&HaVipIds.1=havip-1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`
    const received = await closedAfter(port, text)
    const answers = received.split(/HTTP\/1\.1 /).slice(1)
    expect(answers.map((a) => a.slice(0, 3))).toEqual(['200', '200'])
    const read = JSON.parse(answers[1]?.split('\r\n\r\n')[1] ?? '') as Envelope
    expect(read.Result?.HaVips).toMatchObject([{ HaVipId: 'havip-1', AssociatedInstanceIds: ['i-0'] }])
  })
})

describe('a store that throws', () => {
  it('a request whose store throws at once is answered InternalError 500, logged, and the server goes on', async () => {
    const { log, entry } = capturedLog()
    const inner = memoryStore(load(oneHaVipAccount(2)))
    let throwing = true
    const store: Store = {
      ...inner,
      submit: (params, requestId, options) => {
        if (throwing) throw new Error('the store broke')
        return inner.submit(params, requestId, options)
      },
    }
    const { port } = await start({ log }, store)
    const answer = await http(port, describeQuery)
    expect(answer.status).toBe(500)
    expect(answer.body.ResponseMetadata.Error?.Code).toBe('InternalError')
    expect(await entry(1)).toMatchObject({ method: 'GET', status: 500, code: 'InternalError', requestId: 'REQ-1' })
    throwing = false
    expect((await http(port, describeQuery)).status).toBe(200)
  })
})
