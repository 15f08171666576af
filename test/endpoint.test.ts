import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { Service } from '@volcengine/openapi'
import { afterEach, describe, expect, it } from 'vitest'
import type { HavipServer } from '../src/server/app.js'
import { formatXDate, parseXDate, signGet } from '../src/wire/signature.js'
import { accessKeyId, call, sdk, secretKey, snapshotFile, startServer } from './support/server.js'
import { baseJson } from './support/snapshots.js'

const running: Array<HavipServer> = []
const start = async (...args: Parameters<typeof startServer>) => {
  const started = await startServer(...args)
  running.push(started.app)
  return started
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close(100)))
})

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

interface Envelope { ResponseMetadata: { Error?: { Code: string; Message: string } } }

/** A raw request on a socket of its own: the status line's code and the body, parsed. */
const raw = (port: number, text: string | Buffer): Promise<{ status: number; body: Envelope | undefined; head: string }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.end(text) })
    let data = ''
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n')
      let parsed: Envelope | undefined
      try {
        parsed = JSON.parse(body) as Envelope
      } catch {
        parsed = undefined
      }
      resolve({ status: Number(head.slice(9, 12)), body: parsed, head })
    })
  })

const describeQuery = [['Action', 'DescribeHaVips'], ['Version', '2020-04-01']] as const

/** A GET signed with the test key, scoped as given. */
const signedFetch = (port: number, scope: { region: string; service: string }, mutate: (headers: Record<string, string>) => Record<string, string> = (h) => h) => {
  const headers = signGet('/', describeQuery, { accessKeyId, secretKey }, scope, new Date())
  return fetch(`http://127.0.0.1:${String(port)}/?Action=DescribeHaVips&Version=2020-04-01`, { headers: mutate({ ...headers }) })
}

const codeOf = async (res: Response): Promise<string | undefined> => ((await res.json()) as Envelope).ResponseMetadata.Error?.Code

describe('the signature\'s scope', () => {
  it('accepts the served region and the action\'s service, as the SDK and signGet sign them', async () => {
    const { port } = await start(baseJson())
    expect((await call(sdk(port), { Action: 'DescribeHaVips' })).status).toBe(200)
    expect((await signedFetch(port, { region: 'cn-beijing', service: 'vpc' })).status).toBe(200)
  })

  it('refuses a client set to another region or service (SignatureDoesNotMatch)', async () => {
    const { port } = await start(baseJson())
    const elsewhere = new Service({ serviceName: 'vpc', host: `127.0.0.1:${String(port)}`, protocol: 'http:', region: 'ap-southeast-1', accessKeyId, secretKey })
    expect((await call(elsewhere, { Action: 'DescribeHaVips' })).body.ResponseMetadata.Error?.Code).toBe('SignatureDoesNotMatch')
    const ecs = new Service({ serviceName: 'ecs', host: `127.0.0.1:${String(port)}`, protocol: 'http:', region: 'cn-beijing', accessKeyId, secretKey })
    expect((await call(ecs, { Action: 'DescribeHaVips' })).body.ResponseMetadata.Error?.Code).toBe('SignatureDoesNotMatch')
    // DescribeInstances is an ecs action: the ecs scope is the right one for it, vpc is not.
    expect((await call(ecs, { Action: 'DescribeInstances' })).status).toBe(200)
    expect((await call(sdk(port), { Action: 'DescribeInstances' })).body.ResponseMetadata.Error?.Code).toBe('SignatureDoesNotMatch')
  })

  it('says which region it serves when a request is signed for another, in the answer and (once) in the log', async () => {
    const notes: Array<string> = []
    const log = { request: () => undefined, note: (text: string) => { notes.push(text) }, flush: () => undefined }
    const { port } = await start(baseJson(), { log })
    for (let i = 0; i < 2; i++) {
      const reply = await signedFetch(port, { region: 'us-east-1', service: 'vpc' })
      const error = ((await reply.json()) as Envelope).ResponseMetadata.Error
      expect([reply.status, error?.Code]).toEqual([401, 'SignatureDoesNotMatch'])
      expect(error?.Message).toContain('The request is signed for region us-east-1; this server serves region cn-beijing.')
    }
    expect(notes).toEqual(['havip serve: SignatureDoesNotMatch: the request is signed for region us-east-1; this server serves region cn-beijing (the snapshot\'s Region)'])
  })

  it('refuses hand-made scopes: another region, another service, five parts', async () => {
    const { port } = await start(baseJson())
    expect(await codeOf(await signedFetch(port, { region: 'us-east-1', service: 'vpc' }))).toBe('SignatureDoesNotMatch')
    expect(await codeOf(await signedFetch(port, { region: 'cn-beijing', service: 'iam' }))).toBe('SignatureDoesNotMatch')
    const fivePart = (h: Record<string, string>) => ({ ...h, Authorization: (h.Authorization ?? '').replace('/vpc/request,', '/vpc/request/extra,') })
    expect(await codeOf(await signedFetch(port, { region: 'cn-beijing', service: 'vpc' }, fivePart))).toBe('SignatureDoesNotMatch')
  })

  it('takes the keywords only in their case', async () => {
    const { port } = await start(baseJson())
    const lower = (h: Record<string, string>) => ({ ...h, Authorization: (h.Authorization ?? '').replace('HMAC-SHA256', 'hmac-sha256') })
    expect(await codeOf(await signedFetch(port, { region: 'cn-beijing', service: 'vpc' }, lower))).toBe('MissingAuthenticationToken')
    const credential = (h: Record<string, string>) => ({ ...h, Authorization: (h.Authorization ?? '').replace('Credential=', 'credential=') })
    expect(await codeOf(await signedFetch(port, { region: 'cn-beijing', service: 'vpc' }, credential))).toBe('MissingAuthenticationToken')
  })
})

describe('X-Date', () => {
  it('must be a time that exists', () => {
    expect(parseXDate('20261126T174659Z')).toBe(Date.UTC(2026, 10, 26, 17, 46, 59))
    for (const impossible of ['20261126T174660Z', '20261126T174699Z', '20261126T246000Z', '20260230T000000Z', '20261326T000000Z', '2026-11-26T17:46:59Z']) {
      expect(parseXDate(impossible), impossible).toBeNaN()
    }
    expect(formatXDate(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('20260102T030405Z')
  })

  it('an impossible one is refused as InvalidTimestamp, like a stale one', async () => {
    const { port } = await start(baseJson())
    const impossible = (h: Record<string, string>) => ({ ...h, 'X-Date': (h['X-Date'] ?? '').replace(/\d\dZ$/, '60Z') })
    expect(await codeOf(await signedFetch(port, { region: 'cn-beijing', service: 'vpc' }, impossible))).toBe('InvalidTimestamp')
  })
})

describe('requests that cannot be parsed get a 4xx envelope', () => {
  const long = 'x'.repeat(17 * 1024)
  it.each([
    ['an absolute URL with a broken IPv6 host', 'GET http://[::1/?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'MalformedRequest'],
    ['an absolute URL with a port out of range', 'GET http://a:99999/ HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'MalformedRequest'],
    ['an absolute URL with a broken escape', 'GET http://%zz/ HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'MalformedRequest'],
    ['a malformed header line', 'GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n', 400, 'MalformedRequest'],
    ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: a\r\nX-Long: ${long}\r\n\r\n`, 431, 'RequestHeaderFieldsTooLarge'],
    ['a URL over 16 KiB', `GET /?${long} HTTP/1.1\r\nHost: a\r\n\r\n`, 431, 'RequestHeaderFieldsTooLarge'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'MalformedRequest'],
    ['garbage instead of a request line', '\u0001\u0002 garbage \u0003\r\n\r\n', 400, 'MalformedRequest'],
  ] as const)('%s', async (_, text, status, code) => {
    const { port } = await start(baseJson(), { credentials: undefined })
    const reply = await raw(port, text)
    expect(reply.status).toBe(status)
    expect(reply.head).toMatch(/content-type: application\/json/i)
    expect(reply.body?.ResponseMetadata.Error?.Code).toBe(code)
  })
})

describe('havip serve\'s arguments', () => {
  const serveArgs = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'serve', '--snapshot', snapshotFile(baseJson()), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.stdout.on('data', () => { child.kill('SIGTERM') })
    child.on('exit', (code) => { resolve({ code, stderr }) })
  })

  it.each([['--host', ''], ['--host', '  '], ['--port', ''], ['--port', '0x1f90'], ['--port', '1e3'], ['--port', '65536'], ['--port', '-1'], ['--grace', '1.5']])(
    'refuses %s %j with exit 2', async (flag, value) => {
      const r = await serveArgs([flag, value])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^havip: /)
    })

  it.each([
    [['--access-key', 'AK', '--secret-key', ''], {}, '--secret-key is empty'],
    [['--access-key', '', '--secret-key', 'SK'], {}, '--access-key is empty'],
    [[], { VOLC_ACCESSKEY: 'AK', VOLC_SECRETKEY: '' }, 'VOLC_SECRETKEY is empty'],
  ])('refuses an empty key rather than accept whatever is signed with it: %j %j', async (args, env, message) => {
    const r = await serveArgs(['--port', '0', ...args], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })

  it('warns on stderr when it listens beyond this machine', async () => {
    const r = await serveArgs(['--host', '0.0.0.0', '--port', '0'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('warning: listening on 0.0.0.0')
  })
})

describe('stopping', () => {
  it('exits within the grace on SIGTERM while clients hold connections open, idle or trickling', async () => {
    const path = snapshotFile(baseJson())
    const child = spawn(process.execPath, [cli, 'serve', '--snapshot', path, '--port', '0', '--grace', '1'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const port = await new Promise<number>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const m = /:(\d+)\n/.exec(chunk.toString())
        if (m) resolve(Number(m[1]))
      })
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
    // One keeps its connection open after an answer; one sends a header byte every 200 ms.
    const idle = connect(port, '127.0.0.1', () => { idle.write('GET /?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\nHost: a\r\n\r\n') })
    idle.on('error', () => undefined)
    await new Promise((resolve) => idle.once('data', resolve))
    const trickle = connect(port, '127.0.0.1')
    trickle.on('error', () => undefined)
    // Closed by the grace, not answered: the request deadline (30 s) would answer 408.
    let trickleGot = ''
    trickle.on('data', (d: Buffer) => { trickleGot += d.toString('latin1') })
    const timer = setInterval(() => { trickle.write('X') }, 200)
    trickle.write('GET / HTTP/1.1\r\nX-Slow: ')
    await new Promise((resolve) => setTimeout(resolve, 300))
    child.kill('SIGTERM')
    const code = await exited
    clearInterval(timer)
    idle.destroy()
    trickle.destroy()
    expect(code).toBe(0)
    expect(trickleGot).toBe('')
  })

  it('keeps answering with its stdout and stderr closed', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--snapshot', snapshotFile(baseJson()), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const port = await new Promise<number>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const m = /:(\d+)\n/.exec(chunk.toString())
        if (m) resolve(Number(m[1]))
      })
    })
    child.stdout.destroy()
    child.stderr.destroy()
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`http://127.0.0.1:${String(port)}/?Action=DescribeHaVips&Version=2020-04-01`)
      expect(res.status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})

describe('the request log', () => {
  it('has the time, method, Action, status, error code, RequestId and duration, as text or JSON', async () => {
    const lines: Array<string> = []
    const { requestLog } = await import('../src/server/log.js')
    for (const format of ['text', 'json'] as const) {
      const log = requestLog((text) => { lines.push(...text.trimEnd().split('\n')) }, format)
      const { port } = await start(baseJson(), { credentials: undefined, log })
      await fetch(`http://127.0.0.1:${String(port)}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-3`)
      log.flush()
    }
    const [text, json] = lines
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET AssociateHaVip 400 InvalidInstance\.HaVipMismatch [0-9A-F-]{36} \d+\.\dms$/)
    expect(JSON.parse(json ?? '')).toMatchObject({ method: 'GET', action: 'AssociateHaVip', status: 400, code: 'InvalidInstance.HaVipMismatch' })
  })
})

describe('the vendor SDK pages through the Describe calls', () => {
  const many = () => {
    const json = baseJson() as Record<string, unknown>
    const instances = Array.from({ length: 130 }, (_, i) => ({
      InstanceId: `i-p${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-pp${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
    }))
    const enis = Array.from({ length: 130 }, (_, i) => ({ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: 'subnet-a', Status: 'Available', Type: 'secondary' }))
    return { ...json, Instances: [...(json.Instances as ReadonlyArray<unknown>), ...instances], NetworkInterfaces: [...(json.NetworkInterfaces as ReadonlyArray<unknown>), ...enis] }
  }

  it('DescribeInstances (service ecs) with MaxResults and NextToken, to the end', async () => {
    const { port } = await start(many())
    const ecs = new Service({ serviceName: 'ecs', host: `127.0.0.1:${String(port)}`, protocol: 'http:', region: 'cn-beijing', accessKeyId, secretKey })
    const seen: Array<string> = []
    let token = ''
    do {
      const reply = await call(ecs, { Action: 'DescribeInstances', MaxResults: '100', ...(token === '' ? {} : { NextToken: token }) })
      const result = reply.body.Result as { Instances: ReadonlyArray<{ InstanceId: string }>; NextToken: string }
      seen.push(...result.Instances.map((i) => i.InstanceId))
      token = result.NextToken
    } while (token !== '')
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.filter((id) => id.startsWith('i-p'))).toHaveLength(130)
  })

  it('DescribeNetworkInterfaces (service vpc) by PageNumber', async () => {
    const { port } = await start(many())
    const seen: Array<string> = []
    for (let page = 1; ; page++) {
      const reply = await call(sdk(port), { Action: 'DescribeNetworkInterfaces', PageNumber: String(page), PageSize: '100' })
      const result = reply.body.Result as { NetworkInterfaceSets: ReadonlyArray<{ NetworkInterfaceId: string }>; TotalCount: number }
      seen.push(...result.NetworkInterfaceSets.map((n) => n.NetworkInterfaceId))
      if (seen.length >= result.TotalCount) break
    }
    expect(seen.filter((id) => id.startsWith('eni-p'))).toHaveLength(130)
  })
})
