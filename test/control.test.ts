import { describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import { snapshotToJson } from 'havip-rules'
import type { Exchange, FaultStatus } from 'havip-rules/server'
import { ControlError, startEmulator } from 'havip-rules/server'
import type { HavipServer } from '../src/server/app.js'
import { isLoopbackAddress } from '../src/server/control-routes.js'
import { Trace } from '../src/server/trace.js'
import { call, closedAfterEach, savedJson, sdk, snapshotFile, startServer } from './support/server.js'
import { serveChild } from './support/serve-child.js'
import { baseJson } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const { start, emulator } = closedAfterEach()

interface ControlReply { readonly status: number; readonly json: { error?: { code: string; message: string; problems?: ReadonlyArray<{ path: string }> } } & Record<string, unknown> }

/** A control request with fetch: the status and the JSON it answered. */
const control = async (url: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ControlReply> => {
  const res = await fetch(`${url}/_havip/${path}`, {
    method: init.method ?? 'GET',
    ...(init.headers === undefined ? {} : { headers: init.headers }),
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  })
  const text = await res.text()
  return { status: res.status, json: JSON.parse(text) as ControlReply['json'] }
}

const associate = (url: string, instanceId: string, extra = '') =>
  fetch(`${url}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=${instanceId}${extra}`).then(async (res) => ({ status: res.status, body: (await res.json()) as { ResponseMetadata: { RequestId: string; Error?: { Code: string; Message: string } } } }))

const boundTo = (json: SnapshotJson, haVipId = 'havip-1'): ReadonlyArray<string> => json.HaVips?.find((h) => h.HaVipId === haVipId)?.AssociatedInstanceIds ?? []

describe('the control routes', () => {
  it('health: version, actions, snapshot file, journal, asynchronous steps, fault count', async () => {
    const { url, snapshotPath } = await start(baseJson(), { credentials: undefined })
    const health = await control(url, 'health')
    expect(health.status).toBe(200)
    expect(health.json).toMatchObject({ actions: expect.arrayContaining(['AssociateHaVip', 'DescribeHaVips']) as unknown, snapshot: expect.stringContaining('snapshot.json') as unknown, journal: { records: 0 }, asyncSteps: 0, faults: 0 })
    expect(snapshotPath).toContain('snapshot.json')
    await associate(url, 'i-1')
    expect((await control(url, 'health')).json.journal).toEqual({ records: 1 })
    expect((await emulator()).health()).toMatchObject({ snapshot: null, journal: null })
  })

  it('state: GET is snapshotToJson of the state; PUT replaces it, durably', async () => {
    const { url, app, snapshotPath } = await start(baseJson())
    await associate(url, 'i-1')
    expect((await control(url, 'state')).json).toEqual(JSON.parse(JSON.stringify(snapshotToJson(app.snapshot()))))
    const next = { ...baseJson(), HaVips: [{ HaVipId: 'havip-9', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }] }
    expect((await control(url, 'state', { method: 'PUT', body: next })).status).toBe(200)
    expect(snapshotToJson(app.snapshot()).HaVips?.map((h) => h.HaVipId)).toEqual(['havip-9'])
    // On the disk before it was acknowledged: what a restarted server would load.
    expect(savedJson(snapshotPath).HaVips?.map((h) => h.HaVipId)).toEqual(['havip-9'])
  })

  it('refuses a state that does not load with every problem, and changes nothing', async () => {
    const { url, app } = await start(baseJson())
    const before = snapshotToJson(app.snapshot())
    const bad = { HaVips: [{ HaVipId: 'havip-1' }, { SubnetId: 3 }], Instnces: [] }
    for (const [path, method] of [['state', 'PUT'], ['reset', 'POST']] as const) {
      const r = await control(url, path, { method, body: bad })
      expect(r.status).toBe(400)
      expect(r.json.error?.code).toBe('InvalidSnapshot')
      expect(r.json.error?.problems?.map((p) => p.path)).toEqual(expect.arrayContaining(['Instnces', 'HaVips[0].SubnetId', 'HaVips[1].HaVipId']))
      expect(r.json.error?.message).toContain('Instnces')
    }
    expect(snapshotToJson(app.snapshot())).toBe(before)
  })

  it('reset: back to the state loaded at start, or to a posted one; the start state stays; faults and trace cleared; durable', async () => {
    const { url, app, snapshotPath } = await start(baseJson())
    await associate(url, 'i-1')
    expect((await control(url, 'faults', { method: 'POST', body: { action: 'DescribeHaVips', effect: 'error', code: 'InternalError' } })).status).toBe(200)
    expect((await control(url, 'reset', { method: 'POST' })).json).toEqual({ reset: true })
    expect(boundTo(snapshotToJson(app.snapshot()))).toEqual(boundTo(baseJson() as SnapshotJson))
    expect(savedJson(snapshotPath)).toEqual(JSON.parse(JSON.stringify(baseJson())))
    expect((await control(url, 'faults')).json).toEqual({ faults: [] })
    expect((await control(url, 'trace')).json).toEqual({ exchanges: [] })
    // To a posted snapshot, then back to the one loaded at start.
    await control(url, 'reset', { method: 'POST', body: { Region: 'cn-shanghai' } })
    expect(snapshotToJson(app.snapshot())).toEqual({ Region: 'cn-shanghai' })
    expect(savedJson(snapshotPath)).toEqual({ Region: 'cn-shanghai' })
    await control(url, 'reset', { method: 'POST' })
    expect(snapshotToJson(app.snapshot())).toEqual(JSON.parse(JSON.stringify(baseJson())))
  })

  it('keeps a state put through the control routes across kill -9, and a reset too', async () => {
    const path = snapshotFile(baseJson())
    const first = serveChild(path)
    const url = await first.url
    await associate(url, 'i-1')
    expect((await control(url, 'state', { method: 'PUT', body: { ...baseJson(), Region: 'cn-guangzhou' } })).status).toBe(200)
    first.child.kill('SIGKILL')
    await first.exited
    expect(savedJson(path).Region).toBe('cn-guangzhou')
    const second = serveChild(path)
    const again = await second.url
    expect((await control(again, 'state')).json.Region).toBe('cn-guangzhou')
    await associate(again, 'i-1')
    await control(again, 'reset', { method: 'POST', body: { Region: 'cn-shanghai' } })
    second.child.kill('SIGKILL')
    await second.exited
    expect(savedJson(path)).toEqual({ Region: 'cn-shanghai' })
  })

  it('answers 404 listing the routes for an unknown one, 405 naming the methods, 400 naming the field', async () => {
    const { url } = await start(baseJson())
    const unknown = await control(url, 'snapshot')
    expect(unknown.status).toBe(404)
    expect(unknown.json.error?.message).toContain('GET|PUT /_havip/state')
    expect(unknown.json.error?.message).toContain('GET|DELETE /_havip/trace')
    const wrong = await control(url, 'health', { method: 'POST' })
    expect([wrong.status, wrong.json.error?.code]).toEqual([405, 'MethodNotAllowed'])
    const notJson = await control(url, 'faults', { method: 'PUT', body: '{"faults": [' })
    expect([notJson.status, notJson.json.error?.code]).toEqual([400, 'MalformedJson'])
    const field = await control(url, 'faults', { method: 'PUT', body: { faults: [], extra: 1 } })
    expect([field.status, field.json.error?.message]).toEqual([400, expect.stringContaining('extra') as unknown])
    const query = await control(url, 'trace?format=xml')
    expect([query.status, query.json.error?.message]).toEqual([400, expect.stringContaining('format') as unknown])
    const param = await control(url, 'state?pretty=1')
    expect([param.status, param.json.error?.message]).toEqual([400, expect.stringContaining('pretty') as unknown])
  })

  it('need no signature when the API checks them', async () => {
    const { url, port } = await start(baseJson())
    expect((await fetch(`${url}/?Action=DescribeHaVips&Version=2020-04-01`)).status).toBe(401)
    expect((await control(url, 'health')).status).toBe(200)
    expect((await call(sdk(port), { Action: 'DescribeHaVips' })).status).toBe(200)
  })
})

describe('who may use the control routes', () => {
  it('refuses a request with an Origin header on every route (403): a web page cannot drive them', async () => {
    const { url } = await start(baseJson())
    for (const [path, method] of [['health', 'GET'], ['state', 'GET'], ['reset', 'POST'], ['faults', 'DELETE'], ['trace', 'GET'], ['nothing', 'GET']] as const) {
      const r = await control(url, path, { method, headers: { Origin: 'http://example.com' } })
      expect([path, r.status, r.json.error?.code]).toEqual([path, 403, 'Forbidden'])
    }
    expect((await control(url, 'state', { headers: { Origin: 'null' } })).status).toBe(403)
  })

  /** A server whose clients all seem to come from another machine (as behind --host 0.0.0.0). */
  const fromElsewhere = (app: HavipServer): void => {
    app.server.on('connection', (socket) => { Object.defineProperty(socket, 'remoteAddress', { value: '192.0.2.7' }) })
  }

  it('refuses clients on other machines (403), and serves them the API', async () => {
    const { url, app } = await start(baseJson(), { credentials: undefined })
    fromElsewhere(app)
    const r = await control(url, 'state')
    expect([r.status, r.json.error?.message]).toEqual([403, expect.stringContaining('--control-from-anywhere') as unknown])
    expect((await control(url, 'reset', { method: 'POST' })).status).toBe(403)
    expect((await associate(url, 'i-1')).status).toBe(200)
  })

  it('serves clients on other machines when told to (control-from-anywhere)', async () => {
    const { url, app } = await start(baseJson(), { control: { fromAnywhere: true } })
    fromElsewhere(app)
    expect((await control(url, 'health')).status).toBe(200)
    // Still never a web page.
    expect((await control(url, 'health', { headers: { Origin: 'http://example.com' } })).status).toBe(403)
  })

  it('knows loopback addresses: 127/8, ::1, and 127/8 mapped into IPv6', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([true, true, true, true])
    expect(['192.0.2.7', '::ffff:10.0.0.1', '::2', '1.127.0.0', undefined].map(isLoopbackAddress)).toEqual([false, false, false, false, false])
  })

  it('turned off, every control route is 404 like any unknown path, and nothing is traced', async () => {
    const { url, app } = await start(baseJson(), { control: false })
    const code = async (res: Response) => [res.status, ((await res.json()) as { ResponseMetadata: { Error: { Code: string } } }).ResponseMetadata.Error.Code]
    for (const [path, method] of [['health', 'GET'], ['state', 'GET'], ['reset', 'POST'], ['faults', 'POST'], ['trace', 'GET'], ['', 'GET']] as const) {
      const res = await fetch(`${url}/_havip/${path}`, { method, body: method === 'GET' ? null : '{}' })
      expect([path, ...await code(res)]).toEqual([path, 404, 'InvalidPath'])
    }
    // As on any path, a method the API does not take comes first.
    expect(await code(await fetch(`${url}/_havip/state`, { method: 'PUT', body: '{}' }))).toEqual(await code(await fetch(`${url}/elsewhere`, { method: 'PUT', body: '{}' })))
    expect(app.control).toBeUndefined()
  })

  it('havip serve --no-control answers 404 on the control routes; --control-from-anywhere warns', async () => {
    const off = serveChild(snapshotFile(baseJson()), '--no-control', '--in-memory')
    const url = await off.url
    expect((await fetch(`${url}/_havip/state`)).status).toBe(404)
    expect((await fetch(`${url}/_havip/health`)).status).toBe(404)
    off.child.kill('SIGTERM')
    expect(await off.exited).toBe(0)
    const open = serveChild(snapshotFile(baseJson()), '--control-from-anywhere', '--in-memory')
    expect((await control(await open.url, 'health')).status).toBe(200)
    open.child.kill('SIGTERM')
    expect(await open.exited).toBe(0)
    expect(open.stderr()).toContain('--control-from-anywhere: any client that reaches this port can reset the state')
    const both = serveChild(snapshotFile(baseJson()), '--no-control', '--control-from-anywhere')
    expect(await both.exited).toBe(2)
  })
})

describe('fault rules', () => {
  const throttle = { action: 'AssociateHaVip', effect: 'error', code: 'Throttling' }

  it('PUT replaces, POST appends, DELETE clears, each answering as GET, with hits and remaining', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    const put = await control(url, 'faults', { method: 'PUT', body: { faults: [{ ...throttle, times: 2 }] } })
    expect(put.json).toEqual({ faults: [{ action: 'AssociateHaVip', match: {}, after: 0, times: 2, effect: 'error', code: 'Throttling', hits: 0, remaining: 2 }] })
    const post = await control(url, 'faults', { method: 'POST', body: { action: 'DescribeHaVips', effect: 'delay', ms: 0 } })
    expect((post.json.faults as ReadonlyArray<FaultStatus>).map((f) => f.effect)).toEqual(['error', 'delay'])
    await associate(url, 'i-1')
    const got = await control(url, 'faults')
    expect((got.json.faults as ReadonlyArray<FaultStatus>).map((f) => [f.hits, f.remaining])).toEqual([[1, 1], [0, 1]])
    expect((await control(url, 'health')).json.faults).toBe(2)
    expect((await control(url, 'faults', { method: 'DELETE' })).json).toEqual({ faults: [] })
  })

  it('refuses a bad rule naming the field, and a list with one bad rule keeps the old list', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    await control(url, 'faults', { method: 'PUT', body: { faults: [throttle] } })
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ ...throttle, action: 'AssociateHavip' }, 'action: "AssociateHavip" is not an action this server answers'],
      [{ effect: 'error', code: 'Throttling' }, 'action: is required'],
      [{ ...throttle, effect: 'explode' }, 'effect: must be one of'],
      [{ ...throttle, tims: 2 }, 'tims: is not a field of a rule'],
      [{ ...throttle, times: '2' }, 'times: must be a whole number'],
      [{ ...throttle, times: 0 }, 'times: must be a whole number from 1'],
      [{ ...throttle, after: -1 }, 'after: must be a whole number from 0'],
      [{ ...throttle, match: { HaVipId: 1 } }, 'match.HaVipId: must be a string'],
      [{ ...throttle, match: 'havip-1' }, 'match: must be an object'],
      [{ ...throttle, ms: 5 }, 'ms: does not go with effect error'],
      [{ ...throttle, code: 'MyOwnCode' }, 'status: is required for code MyOwnCode'],
      [{ ...throttle, status: 200 }, 'status: must be an HTTP error status'],
      [{ action: 'AssociateHaVip', effect: 'delay' }, 'ms: is required with effect delay'],
      [{ action: 'AssociateHaVip', effect: 'delay', ms: 600_001 }, 'ms: is required with effect delay'],
      [{ action: 'AssociateHaVip', effect: 'fail-task' }, 'effect: fail-task applies to CreateHaVip and DeleteHaVip only'],
      [{ action: 'CreateHaVip', effect: 'fail-task' }, 'effect: fail-task needs the asynchronous mode'],
      ['"throttle"', 'a rule is a JSON object'],
    ]
    for (const [rule, message] of cases) {
      const r = await control(url, 'faults', { method: 'POST', body: rule })
      expect([r.status, r.json.error?.code, r.json.error?.message]).toEqual([400, 'InvalidField', expect.stringContaining(message) as unknown])
    }
    const list = await control(url, 'faults', { method: 'PUT', body: { faults: [throttle, { ...throttle, times: -1 }] } })
    expect(list.json.error?.message).toContain('faults[1].times')
    expect(((await control(url, 'faults')).json.faults as ReadonlyArray<unknown>).length).toBe(1)
  })

  it('error: the vendor envelope with the preset\'s status; the engine never sees the request', async () => {
    const { url, app } = await start(baseJson(), { credentials: undefined })
    const presets = [['InternalError', 500], ['ServiceUnavailable', 503], ['Throttling', 429], ['FlowLimitExceeded', 429]] as const
    await control(url, 'faults', { method: 'PUT', body: { faults: [...presets.map(([code]) => ({ ...throttle, code })), { ...throttle, code: 'Teapot', status: 418, message: 'short and stout' }] } })
    for (const [code, status] of [...presets, ['Teapot', 418] as const]) {
      const r = await associate(url, 'i-1')
      expect([r.status, r.body.ResponseMetadata.Error?.Code]).toEqual([status, code])
    }
    expect(boundTo(snapshotToJson(app.snapshot()))).toEqual([])
    expect((await associate(url, 'i-1')).status).toBe(200)
  })

  it('fires on the first `times` matching requests after `after` of them, never on others', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    await control(url, 'faults', { method: 'POST', body: { ...throttle, match: { InstanceId: 'i-2' }, after: 1, times: 2 } })
    const statuses: Array<number> = []
    for (const id of ['i-1', 'i-2', 'i-1', 'i-2', 'i-2', 'i-2']) {
      statuses.push((await associate(url, id, '&ClientToken=same-' + id)).status)
    }
    // i-2: let through once, then two refusals, then through again (replays of the token).
    expect(statuses).toEqual([200, 200, 200, 429, 429, 200])
    expect(((await control(url, 'faults')).json.faults as ReadonlyArray<FaultStatus>)[0]).toMatchObject({ hits: 2, remaining: 0 })
  })

  it('rules are checked in order: the first that matches fires; each counts the requests it matches', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    await control(url, 'faults', { method: 'PUT', body: { faults: [{ ...throttle, code: 'InternalError' }, { ...throttle, after: 1 }] } })
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await associate(url, 'i-1', `&ClientToken=t${String(i)}`)).body.ResponseMetadata.Error?.Code)
    expect(codes).toEqual(['InternalError', 'Throttling', undefined])
  })

  it('drop-before: the connection closes without an answer and nothing changes', async () => {
    const { url, app } = await start(baseJson(), { credentials: undefined })
    await control(url, 'faults', { method: 'POST', body: { action: 'AssociateHaVip', effect: 'drop-before' } })
    await expect(associate(url, 'i-1')).rejects.toThrow()
    expect(boundTo(snapshotToJson(app.snapshot()))).toEqual([])
    const [exchange] = (await control(url, 'trace')).json.exchanges as ReadonlyArray<Exchange>
    expect(exchange).toMatchObject({ action: 'AssociateHaVip', status: 0, fault: 0, dropped: true })
    expect(exchange?.code).toBeUndefined()
  })

  it('delay: the delayed request holds up no other client', async () => {
    // Closed by the test itself.
    const { app, port } = await startServer(baseJson(), { credentials: undefined })
    const url = `http://127.0.0.1:${String(port)}`
    await control(url, 'faults', { method: 'POST', body: { action: 'AssociateHaVip', match: { InstanceId: 'i-1' }, effect: 'delay', ms: 600_000 } })
    let settled = false
    const delayed = associate(url, 'i-1').finally(() => { settled = true })
    // Others go on: a change and a read while the first waits.
    expect((await associate(url, 'i-2')).status).toBe(200)
    expect((await control(url, 'health')).status).toBe(200)
    expect(settled).toBe(false)
    // A stop ends the wait: the delayed request is applied and answered.
    await app.close(100)
    expect((await delayed).status).toBe(200)
    expect(boundTo(snapshotToJson(app.snapshot()))).toEqual(['i-2', 'i-1'])
  })

  it('are indexed by action and by a matched parameter: 10,000 rules for other HaVips never fire', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    const others = Array.from({ length: 10_000 }, (_, i) => ({ ...throttle, match: { HaVipId: `havip-x${String(i)}` } }))
    await control(url, 'faults', { method: 'PUT', body: { faults: [...others, { action: 'DescribeHaVips', effect: 'error', code: 'InternalError' }] } })
    expect((await associate(url, 'i-1')).status).toBe(200)
    const faults = (await control(url, 'faults')).json.faults as ReadonlyArray<FaultStatus>
    expect(faults.filter((f) => f.hits > 0)).toEqual([])
  })
})

describe('the trace', () => {
  it('records each API exchange, oldest first, with ClientToken and never a signature; control requests are not traced', async () => {
    const { url, port } = await start(baseJson())
    const service = sdk(port)
    const bound = await call(service, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'tok-1' })
    await call(service, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-404' })
    await control(url, 'health')
    // Signed in the query string, as a presigned URL carries it.
    await fetch(`${url}/?Action=DescribeHaVips&Version=2020-04-01&X-Signature=abcdef0123&X-Credential=AKLT%2F20261205&X-Security-Token=tok`)
    const text = await (await fetch(`${url}/_havip/trace`)).text()
    const { exchanges } = JSON.parse(text) as { exchanges: ReadonlyArray<Exchange> }
    expect(exchanges.map((e) => [e.method, e.action, e.status, e.code ?? null])).toEqual([
      ['GET', 'AssociateHaVip', 200, null], ['GET', 'AssociateHaVip', 404, 'InvalidInstance.NotFound'], ['GET', 'DescribeHaVips', 401, 'MissingAuthenticationToken'],
    ])
    expect(exchanges[0]).toMatchObject({ params: { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'tok-1' }, requestId: bound.body.ResponseMetadata.RequestId })
    expect(Date.parse(exchanges[0]?.time ?? '')).not.toBeNaN()
    expect(exchanges[0]?.ms).toBeGreaterThanOrEqual(0)
    expect(Object.keys(exchanges[2]?.params ?? {})).toEqual(['Action', 'Version'])
    expect(text).not.toMatch(/HMAC-SHA256|Signature|abcdef0123|AKLT|Authorization/)
  })

  it('?format=jsonl gives one exchange a line; DELETE clears it', async () => {
    const { url } = await start(baseJson(), { credentials: undefined })
    await associate(url, 'i-1')
    await associate(url, 'i-2')
    const res = await fetch(`${url}/_havip/trace?format=jsonl`)
    expect(res.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = (await res.text()).split('\n')
    expect(lines.at(-1)).toBe('')
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as Exchange).params.InstanceId)).toEqual(['i-1', 'i-2'])
    expect((await control(url, 'trace', { method: 'DELETE' })).json).toEqual({ exchanges: [] })
    expect((await control(url, 'trace')).json).toEqual({ exchanges: [] })
  })

  it('is a ring of the last 1,000 exchanges', () => {
    const trace = new Trace()
    for (let i = 0; i < 1005; i++) {
      trace.record({ time: 0, method: 'GET', action: 'DescribeHaVips', params: new Map([['n', String(i)]]), status: 200, code: undefined, requestId: String(i), asyncTaskId: undefined, ms: 0, fault: undefined, dropped: false })
    }
    const list = trace.list()
    expect(list.length).toBe(1000)
    expect([list[0]?.requestId, list.at(-1)?.requestId]).toEqual(['5', '1004'])
  })
})

describe('the emulator handle', () => {
  it('offers reset, state, setState, faults, trace and health as typed methods', async () => {
    const e = await emulator({ snapshot: baseJson() as SnapshotJson })
    e.faults.add({ action: 'AssociateHaVip', effect: 'error', code: 'Throttling' })
    expect((await associate(e.url, 'i-1')).status).toBe(429)
    expect((await associate(e.url, 'i-1')).status).toBe(200)
    expect(e.trace.list().map((x) => x.status)).toEqual([429, 200])
    expect(e.faults.list()[0]).toMatchObject({ hits: 1, remaining: 0 })
    expect(boundTo(e.state())).toContain('i-1')
    await e.reset()
    expect(boundTo(e.state())).not.toContain('i-1')
    expect([e.trace.list(), e.faults.list()]).toEqual([[], []])
    await e.setState({ Region: 'cn-shanghai' })
    expect(e.state()).toEqual({ Region: 'cn-shanghai' })
    expect(e.health().faults).toBe(0)
    await expect(e.setState({ HaVips: 'none' } as unknown as SnapshotJson)).rejects.toThrow(ControlError)
    expect(() => e.faults.set([{ action: 'Nope', effect: 'drop-before' }])).toThrow(/action: "Nope" is not an action/)
  })
})

describe('the asynchronous mode', () => {
  const account = (asyncSteps?: number): SnapshotJson => ({
    Region: 'cn-beijing',
    Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '172.16.0.0/24' }],
    HaVips: [],
    Instances: [{ InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Type: 'primary' }] }],
    ...(asyncSteps === undefined ? {} : { AsyncSteps: asyncSteps }),
  })
  const api = async (url: string, params: Readonly<Record<string, string>>) => {
    const res = await fetch(`${url}/?${new URLSearchParams({ Version: '2020-04-01', ...params }).toString()}`)
    return { status: res.status, body: (await res.json()) as { Result?: Record<string, unknown>; ResponseMetadata: { Error?: { Code: string } } } }
  }
  const create = async (url: string) => {
    const r = await api(url, { Action: 'CreateHaVip', SubnetId: 'subnet-a', ClientToken: 'c-1' })
    expect(r.status).toBe(200)
    return { haVipId: String(r.body.Result?.HaVipId), taskId: String(r.body.Result?.AsyncTaskId) }
  }
  const statusOf = (json: SnapshotJson, id: string) => json.HaVips?.find((h) => h.HaVipId === id)?.Status

  it('advance takes steps and answers the tasks still in progress; a bad steps is refused naming it', async () => {
    const { url } = await start(account(3), { credentials: undefined })
    const { haVipId, taskId } = await create(url)
    const one = await control(url, 'advance', { method: 'POST', body: { steps: 1 } })
    expect(one.json).toEqual({ tasks: [expect.objectContaining({ AsyncTaskId: taskId, Action: 'CreateHaVip', ResourceId: haVipId, Status: 'InProgress', StepsLeft: 2 })] })
    expect((await control(url, 'advance', { method: 'POST' })).json.tasks).toEqual([expect.objectContaining({ StepsLeft: 1 })])
    expect((await control(url, 'advance', { method: 'POST', body: { steps: 5 } })).json).toEqual({ tasks: [] })
    expect(statusOf((await control(url, 'state')).json as SnapshotJson, haVipId)).toBe('Available')
    for (const steps of [-1, 1.5, '2', 1_000_001]) {
      const r = await control(url, 'advance', { method: 'POST', body: { steps } })
      expect([r.status, r.json.error?.message]).toEqual([400, expect.stringContaining('steps') as unknown])
    }
    expect((await control(url, 'advance', { method: 'POST', body: { step: 1 } })).json.error?.message).toContain('step: is not a field')
  })

  it('asyncSteps overrides the snapshot\'s, for the start state and every state put in place, and is saved with it', async () => {
    const path = `${tempFolder('havip-async-')}/state.json`
    const e = await emulator({ snapshot: account(), snapshotPath: path, asyncSteps: 2 })
    expect([e.state().AsyncSteps, e.health().asyncSteps]).toEqual([2, 2])
    expect(savedJson(path).AsyncSteps).toBe(2)
    await e.setState(account(0))
    expect(e.state().AsyncSteps).toBe(2)
    await e.reset(account(5))
    expect(e.state().AsyncSteps).toBe(2)
    const { haVipId } = await create(e.url)
    expect(statusOf(e.state(), haVipId)).toBe('Creating')
    expect(await e.advance(2)).toEqual([])
    expect(statusOf(e.state(), haVipId)).toBe('Available')
    await expect(startEmulator({ asyncSteps: -1 })).rejects.toThrow(/asyncSteps/)
  })

  it('a read that takes a step is journaled: kill -9 keeps it, and havip serve --async-steps is kept across a restart', async () => {
    const path = snapshotFile(account())
    const first = serveChild(path, '--async-steps', '3')
    const url = await first.url
    expect((await control(url, 'health')).json.asyncSteps).toBe(3)
    const { haVipId, taskId } = await create(url)
    const described = await api(url, { Action: 'DescribeHaVips', 'HaVipIds.1': haVipId })
    expect((described.body.Result?.HaVips as ReadonlyArray<{ Status: string }>)[0]?.Status).toBe('Creating')
    await control(url, 'advance', { method: 'POST', body: { steps: 1 } })
    first.child.kill('SIGKILL')
    await first.exited
    const second = serveChild(path)
    const again = await second.url
    expect((await control(again, 'health')).json.asyncSteps).toBe(3)
    const tasks = ((await control(again, 'state')).json as SnapshotJson).AsyncTasks
    expect(tasks?.find((t) => t.AsyncTaskId === taskId)?.StepsLeft).toBe(1)
    expect((await api(again, { Action: 'GetAsyncTaskStatus', AsyncTaskId: taskId })).body.Result?.AsyncTaskStatus).toBe('Succeeded')
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(statusOf(savedJson(path), haVipId)).toBe('Available')
  })

  it('fail-task: a create whose task fails leaves, a delete whose task fails is Available again in its place; durable', async () => {
    const path = `${tempFolder('havip-fail-')}/state.json`
    const e = await emulator({ snapshot: account(2), snapshotPath: path })
    e.faults.add({ action: 'CreateHaVip', effect: 'fail-task' })
    const { haVipId, taskId } = await create(e.url)
    expect(statusOf(e.state(), haVipId)).toBe('Creating')
    expect(e.state().AsyncTasks?.find((t) => t.AsyncTaskId === taskId)).toMatchObject({ Status: 'InProgress', Fails: true })
    expect(e.trace.list()[0]).toMatchObject({ action: 'CreateHaVip', status: 200, fault: 0, asyncTaskId: taskId })
    const status = async (id: string) => (await api(e.url, { Action: 'GetAsyncTaskStatus', AsyncTaskId: id })).body.Result?.AsyncTaskStatus
    expect(await status(taskId)).toBe('InProgress')
    expect(await status(taskId)).toBe('Failed')
    expect(e.state().HaVips).toEqual([])
    expect(savedJson(path).HaVips).toEqual([])

    // A delete: the HaVip between two others comes back in its place.
    await e.setState({ ...account(2), HaVips: ['havip-a', 'havip-b', 'havip-c'].map((HaVipId) => ({ HaVipId, SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })) })
    e.faults.set([{ action: 'DeleteHaVip', effect: 'fail-task' }])
    const deleted = await api(e.url, { Action: 'DeleteHaVip', HaVipId: 'havip-b' })
    expect(statusOf(e.state(), 'havip-b')).toBe('Deleting')
    await e.advance(2)
    expect(e.state().HaVips?.map((h) => [h.HaVipId, h.Status])).toEqual([['havip-a', 'Available'], ['havip-b', 'Available'], ['havip-c', 'Available']])
    expect(e.state().AsyncTasks?.find((t) => t.AsyncTaskId === deleted.body.Result?.AsyncTaskId)?.Status).toBe('Failed')
    expect(savedJson(path).HaVips?.map((h) => h.Status)).toEqual(['Available', 'Available', 'Available'])
  })
})
