import { request } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
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
  return { log, entries, notes, entry }
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

  it('headers not complete in time: 408 RequestTimeout, which names the request deadline', async () => {
    const { log, entry } = capturedLog()
    // The connection has spoken (so it is not a silent one); node:http's header deadline answers it.
    const { port } = await start({ log, headersTimeoutMs: 200 })
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost: a\r\n', false)
    expect(answer.line).toBe('HTTP/1.1 408 Request Timeout')
    expect(answer.body.ResponseMetadata.Error).toEqual({ Code: 'RequestTimeout', Message: 'The request did not arrive within 30 seconds.' })
    expect(await entry(1)).toMatchObject({ method: '-', action: '', status: 408, code: 'RequestTimeout' })
  })
})
