import { request } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { HavipServer, ServeOptions } from '../src/server/app.js'
import { serve } from '../src/server/app.js'
import { startEmulator } from '../src/server/emulator.js'
import { memoryStore } from '../src/server/store.js'
import { Trace } from '../src/server/trace.js'
import { load, oneHaVipAccount } from './support/snapshots.js'

// Every bound of the endpoint (docs/endpoint.md, docs/security.md, docs/control.md) at its exact
// value, which is served, and one past it, which is refused with the error the docs name.

const running: Array<HavipServer> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close(100)))
})

const start = async (options: Partial<ServeOptions> = {}) => {
  const app = serve({ store: memoryStore(load(oneHaVipAccount(2))), ...options })
  running.push(app)
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  return (app.server.address() as AddressInfo).port
}

interface Reply {
  readonly status: number
  readonly json: { readonly ResponseMetadata?: { readonly Error?: { readonly Code: string } }; readonly error?: { readonly code: string }; readonly [key: string]: unknown }
}

/** Sends these bytes as they are on a connection of its own; the status and JSON answered. */
const raw = (port: number, text: string): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let out = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => { out += d })
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = out.split('\r\n\r\n', 2)
      resolve({ status: Number(head.split(' ')[1]), json: JSON.parse(body) as Reply['json'] })
    })
    socket.end(text)
  })

/** A request with a body on a connection of its own. */
const send = (port: number, path: string, method: string, body: Buffer | string, contentType = 'application/json'): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const bytes = Buffer.from(body)
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, headers: { 'Content-Type': contentType, 'Content-Length': String(bytes.length) } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['json'] }) })
    })
    // The server may close the connection once it has answered, before reading all of a refused body.
    req.on('error', reject)
    req.end(bytes)
  })

const codeOf = (r: Reply): string | undefined => r.json.ResponseMetadata?.Error?.Code ?? r.json.error?.code

/** A JSON body of these parameters padded with spaces to exactly `size` bytes. */
const paddedJson = (params: Readonly<Record<string, string>>, size: number): string => {
  const text = JSON.stringify(params)
  return text + ' '.repeat(size - text.length)
}

const describeParams = { Action: 'DescribeHaVips', Version: '2020-04-01' }
const mebibyte = 1024 * 1024

describe('the API body: at most 1 MiB', () => {
  it('a body of exactly 1 MiB is read; one byte more is refused with 413', async () => {
    const port = await start()
    const exact = await send(port, '/', 'POST', paddedJson(describeParams, mebibyte))
    expect([exact.status, codeOf(exact)]).toEqual([200, undefined])
    const over = await send(port, '/', 'POST', paddedJson(describeParams, mebibyte + 1))
    expect([over.status, codeOf(over)]).toEqual([413, 'RequestEntityTooLarge'])
  })

  it('a limit set by the embedder, counted over every chunk of a chunked body', async () => {
    const port = await start({ bodyLimit: 100 })
    const chunked = (size: number): Promise<Reply> => new Promise((resolve, reject) => {
      const body = paddedJson(describeParams, size)
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        const chunks: Array<Buffer> = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['json'] }) })
      })
      req.on('error', reject)
      // Two chunks, so that neither alone reaches the limit.
      req.write(body.slice(0, 60))
      req.end(body.slice(60))
    })
    expect((await chunked(100)).status).toBe(200)
    const over = await chunked(101)
    expect([over.status, codeOf(over)]).toEqual([413, 'RequestEntityTooLarge'])
  })
})

describe('the request head: the request target, header names and values under 16 KiB together', () => {
  // node:http counts the target, the names and the values, not the separators: 16,383 bytes are read, 16,384 refused.
  const limit = 16 * 1024
  const target = '/?Action=DescribeHaVips&Version=2020-04-01'
  const others = 'Host'.length + 'h'.length + 'Connection'.length + 'close'.length
  const fixed = target.length + others + 'X-Pad'.length
  const withHeader = (counted: number): string => `GET ${target} HTTP/1.1\r\nHost: h\r\nX-Pad: ${'p'.repeat(counted - fixed)}\r\nConnection: close\r\n\r\n`
  const withTarget = (counted: number): string => {
    const rest = others + 'X-Pad'.length + 'p'.length
    return `GET ${target}&Pad=${'p'.repeat(counted - rest - target.length - '&Pad='.length)} HTTP/1.1\r\nHost: h\r\nX-Pad: p\r\nConnection: close\r\n\r\n`
  }

  it.each([['a long header', withHeader], ['a long query string', withTarget]])('%s: one byte under 16 KiB is served, 16 KiB is refused with 431', async (_, head) => {
    const port = await start()
    const served = await raw(port, head(limit - 1))
    expect([served.status, codeOf(served)]).toEqual([200, undefined])
    const refused = await raw(port, head(limit))
    expect([refused.status, codeOf(refused)]).toEqual([431, 'RequestHeaderFieldsTooLarge'])
  })
})

describe('the parameters', () => {
  const ids = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`HaVipIds.${String(i + 1)}`, `havip-${String(i + 1)}`]))
  const cases: ReadonlyArray<readonly [string, Readonly<Record<string, string>>, Readonly<Record<string, string>>]> = [
    ['HaVipIds.N: N up to 100', ids(100), { ...ids(100), 'HaVipIds.101': 'havip-101' }],
    ['MaxResults: 1 to 100 (low end)', { MaxResults: '1' }, { MaxResults: '0' }],
    ['MaxResults: 1 to 100', { MaxResults: '100' }, { MaxResults: '101' }],
    ['PageSize: 1 to 100', { PageSize: '100' }, { PageSize: '101' }],
    ['TagFilters.N: N up to 10', { 'TagFilters.10.Key': 'k' }, { 'TagFilters.11.Key': 'k' }],
  ]
  it.each(cases)('%s', async (_, served, refused) => {
    const port = await start()
    const at = await send(port, '/', 'POST', JSON.stringify({ ...describeParams, ...served }))
    expect([at.status, codeOf(at)]).toEqual([200, undefined])
    const past = await send(port, '/', 'POST', JSON.stringify({ ...describeParams, ...refused }))
    expect(past.status).toBe(400)
    expect(codeOf(past)).toMatch(/^InvalidParameter/)
  })

  it('ClientToken: at most 64 characters', async () => {
    const port = await start()
    const associate = (instance: string, token: string) => send(port, '/', 'POST', JSON.stringify({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance, ClientToken: token }))
    expect((await associate('i-0', 't'.repeat(64))).status).toBe(200)
    const over = await associate('i-1', 'u'.repeat(65))
    expect(over.status).toBe(400)
  })
})

describe('the control routes', () => {
  const control = (port: number, path: string, method: string, body?: unknown): Promise<Reply> =>
    send(port, `/_havip/${path}`, method, body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body))

  it('a body up to the control limit (256 MiB by default, far past the API\'s 1 MiB) is read; one byte past a set limit is refused with 413', async () => {
    const port = await start()
    const big = JSON.stringify(oneHaVipAccount(2))
    const state = await control(port, 'state', 'PUT', big + ' '.repeat(2 * mebibyte))
    expect([state.status, state.json]).toEqual([200, { replaced: true }])
    const small = await start({ control: { bodyLimit: big.length + 10 } })
    expect((await control(small, 'state', 'PUT', big + ' '.repeat(10))).status).toBe(200)
    const over = await control(small, 'state', 'PUT', big + ' '.repeat(11))
    expect([over.status, codeOf(over)]).toEqual([413, 'TooLarge'])
  })

  it('advance: 0 to 1,000,000 steps', async () => {
    const port = await start()
    for (const steps of [0, 1_000_000]) expect((await control(port, 'advance', 'POST', { steps })).status).toBe(200)
    for (const steps of [-1, 1_000_001, 1.5]) {
      const refused = await control(port, 'advance', 'POST', { steps })
      expect([refused.status, codeOf(refused)]).toEqual([400, 'InvalidField'])
    }
  })

  it('at most 100,000 fault rules: a list of that many is kept, one more is refused, and so is a list one longer', async () => {
    const port = await start()
    const rule = { action: 'DescribeHaVips', match: { HaVipId: 'never' }, effect: 'drop-before' }
    const full = await control(port, 'faults', 'PUT', { faults: Array(100_000).fill(rule) })
    expect(full.status).toBe(200)
    expect((full.json.faults as ReadonlyArray<unknown>).length).toBe(100_000)
    const added = await control(port, 'faults', 'POST', rule)
    expect([added.status, codeOf(added)]).toEqual([400, 'TooManyRules'])
    await control(port, 'faults', 'DELETE')
    const tooLong = await control(port, 'faults', 'PUT', { faults: Array(100_001).fill(rule) })
    expect([tooLong.status, codeOf(tooLong)]).toEqual([400, 'TooManyRules'])
    // Nothing was kept from the refused list; one fewer than the most leaves room for one more.
    expect((await control(port, 'faults', 'PUT', { faults: Array(99_999).fill(rule) })).status).toBe(200)
    expect((await control(port, 'faults', 'POST', rule)).status).toBe(200)
  })

  const rule = { action: 'DescribeHaVips' }
  const fieldCases: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>]> = [
    ['delay: ms up to 600,000', { effect: 'delay', ms: 600_000 }, { effect: 'delay', ms: 600_001 }],
    ['delay: ms from 0', { effect: 'delay', ms: 0 }, { effect: 'delay', ms: -1 }],
    ['after: up to 1,000,000,000', { effect: 'drop-before', after: 1_000_000_000 }, { effect: 'drop-before', after: 1_000_000_001 }],
    ['after: from 0', { effect: 'drop-before', after: 0 }, { effect: 'drop-before', after: -1 }],
    ['times: up to 1,000,000,000', { effect: 'drop-before', times: 1_000_000_000 }, { effect: 'drop-before', times: 1_000_000_001 }],
    ['times: from 1', { effect: 'drop-before', times: 1 }, { effect: 'drop-before', times: 0 }],
    ['message: at most 4,096 characters', { effect: 'error', code: 'Throttling', message: 'm'.repeat(4096) }, { effect: 'error', code: 'Throttling', message: 'm'.repeat(4097) }],
    ['code: at most 128 characters', { effect: 'error', code: `C${'c'.repeat(127)}`, status: 400 }, { effect: 'error', code: `C${'c'.repeat(128)}`, status: 400 }],
    ['status: from 400', { effect: 'error', code: 'Throttling', status: 400 }, { effect: 'error', code: 'Throttling', status: 399 }],
    ['status: up to 599', { effect: 'error', code: 'Throttling', status: 599 }, { effect: 'error', code: 'Throttling', status: 600 }],
  ]
  it.each(fieldCases)('a fault rule\'s %s', async (_, served, refused) => {
    const port = await start()
    expect((await control(port, 'faults', 'POST', { ...rule, ...served })).status).toBe(200)
    const past = await control(port, 'faults', 'POST', { ...rule, ...refused })
    expect([past.status, codeOf(past)]).toEqual([400, 'InvalidField'])
    expect((await control(port, 'faults', 'GET')).json.faults).toHaveLength(1)
  })
})

describe('the trace: the last 1,000 exchanges', () => {
  it('keeps exactly 1,000, dropping the oldest as the next one comes', () => {
    const trace = new Trace()
    const record = (i: number): void => {
      trace.record({ time: i, method: 'GET', action: `A${String(i)}`, params: undefined, status: 200, code: undefined, requestId: String(i), asyncTaskId: undefined, ms: 0, fault: undefined, dropped: false })
    }
    for (let i = 0; i < 1000; i++) record(i)
    expect(trace.list().map((e) => e.requestId)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)))
    record(1000)
    const list = trace.list()
    expect(list).toHaveLength(1000)
    expect([list[0]?.requestId, list.at(-1)?.requestId]).toEqual(['1', '1000'])
  })
})

describe('the asynchronous mode: at most 1,000,000 steps', () => {
  it('startEmulator takes 1,000,000 and refuses one more', async () => {
    const emulator = await startEmulator({ asyncSteps: 1_000_000 })
    expect(emulator.health().asyncSteps).toBe(1_000_000)
    await emulator.close()
    await expect(startEmulator({ asyncSteps: 1_000_001 })).rejects.toThrow('asyncSteps must be a whole number from 0 to 1000000; got 1000001')
  })
})

describe('connections that have sent nothing: at most the limit', () => {
  /** A connection that sends nothing yet; resolves once it is open. */
  const silentOne = (port: number): Promise<{ readonly socket: Socket; readonly closed: Promise<void> }> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      const closed = new Promise<void>((done) => socket.once('close', () => { done() }))
      socket.once('connect', () => { resolve({ socket, closed }) })
      socket.once('error', reject)
    })

  it('one past the limit closes the oldest only: the next oldest still gets its answer', async () => {
    const port = await start({ maxSilentConnections: 3 })
    const silent = []
    for (let i = 0; i < 4; i++) silent.push(await silentOne(port))
    await silent[0]?.closed
    const [, second] = silent
    if (second === undefined) throw new Error('no second connection')
    const answer = new Promise<string>((resolve) => {
      let out = ''
      second.socket.setEncoding('latin1')
      second.socket.on('data', (d: string) => { out += d })
      second.socket.on('error', () => undefined)
      second.socket.on('close', () => { resolve(out.split('\r\n')[0] ?? '') })
    })
    second.socket.end('GET /?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')
    expect(await answer).toBe('HTTP/1.1 200 OK')
    for (const s of silent) s.socket.destroy()
  })
})

describe('refused signatures in the log: each reason once, at most 100 reasons', () => {
  it('notes 100 different reasons, then no more; a reason given again is not noted again', async () => {
    const notes: Array<string> = []
    const log = { request: () => undefined, note: (text: string) => { notes.push(text) }, flush: () => undefined }
    const port = await start({ credentials: new Map([['AKLTtestkey', 'secret']]), log })
    const signedBy = (key: string): string =>
      `GET /?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\nHost: h\r\nAuthorization: HMAC-SHA256 Credential=${key}/20260101/cn-beijing/vpc/request, SignedHeaders=x-date, Signature=${"0".repeat(64)}\r\nConnection: close\r\n\r\n`
    for (const key of ['AK0', 'AK0']) expect(codeOf(await raw(port, signedBy(key)))).toBe('InvalidAccessKey')
    expect(notes).toEqual(['havip serve: InvalidAccessKey: access key AK0 is not configured'])
    for (let i = 1; i <= 100; i++) expect((await raw(port, signedBy(`AK${String(i)}`))).status).toBe(401)
    expect(notes).toHaveLength(100)
    expect(notes.at(-1)).toBe('havip serve: InvalidAccessKey: access key AK99 is not configured')
  })
})

describe('a request that cannot be parsed: the envelope says why', () => {
  it.each([
    ['garbage instead of a request line', '\u0001\u0002 garbage \u0003\r\n\r\n', 'the request line is not HTTP'],
    ['a malformed header line', 'GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n', 'a header line is malformed'],
    ['a header value with a control character', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n', 'a header line is malformed'],
    ['Content-Length, then Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'or it has both'],
    ['Transfer-Encoding, then Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', 'or it has both'],
    ['a Content-Length that is not a number', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: three\r\n\r\n', 'its Content-Length or Transfer-Encoding is not valid'],
    ['a target with a space in it', 'GET /a b/ HTTP/1.1\r\nHost: a\r\n\r\n', 'the request line is not HTTP'],
    ['a version this server does not speak', 'GET / HTTP/3.0\r\nHost: a\r\n\r\n', 'the HTTP version is not one this server speaks'],
    ['a target that is neither a path nor a URL', 'GET a/b HTTP/1.1\r\nHost: a\r\n\r\n', 'the request target is not a URL'],
    ['an absolute URL that does not parse', 'GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n', 'the request target is not a URL'],
  ])('%s', async (_, text, why) => {
    const port = await start()
    const reply = await raw(port, text)
    expect([reply.status, codeOf(reply)]).toEqual([400, 'MalformedRequest'])
    expect(reply.json.ResponseMetadata?.Error).toMatchObject({ Message: expect.stringContaining(why) as unknown })
  })
})

describe('the control routes\' own edges', () => {
  const control = (port: number, path: string, method = 'GET', body = ''): Promise<Reply> => send(port, path, method, body)

  it('the prefix alone, an inherited name and a method a route lacks are control errors; a path that only begins like it is the API\'s', async () => {
    const port = await start()
    for (const path of ['/_havip', '/_havip/', '/_havip/__proto__', '/_havip/hasOwnProperty', '/_havip/health/x']) {
      const reply = await control(port, path)
      expect([path, reply.status, codeOf(reply)]).toEqual([path, 404, 'NotFound'])
      expect(reply.json.error).toBeDefined()
    }
    const api = await control(port, '/_havipx')
    expect([api.status, codeOf(api)]).toEqual([404, 'InvalidPath'])
    const method = await control(port, '/_havip/trace', 'PUT')
    expect([method.status, codeOf(method)]).toEqual([405, 'MethodNotAllowed'])
    expect(method.json.error).toMatchObject({ message: '/_havip/trace takes GET, DELETE, not PUT' })
  })

  it('a body that is not an object of the route\'s fields, or none where one is needed, is named', async () => {
    const port = await start()
    const cases: ReadonlyArray<readonly [string, string, string, string]> = [
      ['/_havip/advance', 'POST', '[1]', '(body): must be a JSON object with steps'],
      ['/_havip/advance', 'POST', '{"steps":"2"}', 'steps: must be a whole number; got "2"'],
      ['/_havip/state', 'PUT', '', '(body): the new state is required: a snapshot as JSON'],
      ['/_havip/faults', 'POST', '', '(body): a rule is required'],
      ['/_havip/faults', 'PUT', '{}', 'faults: is required: a list of rules'],
      ['/_havip/health', 'GET', '', ''],
    ]
    for (const [path, method, body, message] of cases) {
      const reply = await control(port, path, method, body)
      if (message === '') expect(reply.status).toBe(200)
      else expect([path, reply.status, reply.json.error]).toEqual([path, 400, { code: 'InvalidField', message }])
    }
    expect((await control(port, '/_havip/advance', 'POST')).json).toEqual({ tasks: [] })
  })

  it('answers are never cached, and the trace comes as JSON lines when asked', async () => {
    const port = await start()
    await control(port, '/?Action=DescribeHaVips&Version=2020-04-01')
    const res = await new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/_havip/trace?format=jsonl', agent: false }, (r) => {
        let text = ''
        r.setEncoding('utf8')
        r.on('data', (c: string) => { text += c })
        r.on('end', () => { resolve({ headers: r.headers, text }) })
      })
      req.on('error', reject)
      req.end()
    })
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8')
    expect(res.text.split('\n')).toHaveLength(2)
    expect(JSON.parse(res.text.split('\n')[0] ?? '')).toMatchObject({ action: 'DescribeHaVips', status: 200 })
  })
})
