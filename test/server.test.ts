import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { catalog } from 'havip-rules'
import { checkConformance } from 'havip-rules/testing'
import type { HavipServer } from '../src/server/app.js'
import { accessKeyId, call, fillingDisk, savedJson, sdk, secretKey, snapshotFile, startServer } from './support/server.js'
import { baseJson } from './support/snapshots.js'
import { vectorCases } from './support/vectors.js'

const running: Array<HavipServer> = []
const start = async (...args: Parameters<typeof startServer>) => {
  const started = await startServer(...args)
  running.push(started.app)
  return started
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()))
})

const paramsOf = (query: string): Record<string, string> => Object.fromEntries(new URLSearchParams(query))

describe('havip serve, through the vendor SDK', () => {
  describe.each(vectorCases.map((c) => [c.name, c] as const))('vector: %s', (_, c) => {
    it('answers the expected status, Code and Message', async () => {
      const { port } = await start(c.snapshot)
      const service = sdk(port)
      const replies = []
      for (const query of c.requests) replies.push(await call(service, paramsOf(query)))
      expect(replies.map((r) => [r.status, r.body.ResponseMetadata.Error?.Code ?? null])).toEqual(c.expect.map((e) => [e.status, e.code]))
      for (const [i, r] of replies.entries()) {
        const expected = c.expect[i]
        const error = r.body.ResponseMetadata.Error
        if (expected?.code != null && error !== undefined) {
          const entry = catalog[expected.id as keyof typeof catalog]
          if (!entry.en.includes('{')) expect(error.Message).toBe(entry.en)
        }
      }
      if (c.sameRequestId !== undefined) {
        const [a, b] = c.sameRequestId
        expect(replies[b]?.body.ResponseMetadata.RequestId).toBe(replies[a]?.body.ResponseMetadata.RequestId)
      }
    })
  })

  it('shows a new binding in DescribeHaVips, and takes POST bodies, form and JSON', async () => {
    const { port, snapshotPath } = await start(baseJson())
    const service = sdk(port)
    expect((await call(service, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1' }, 'POST', 'urlencode')).status).toBe(200)
    expect((await call(service, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-2' }, 'POST', 'json')).status).toBe(200)
    const described = await call(service, { Action: 'DescribeHaVips', 'HaVipIds.1': 'havip-1' })
    expect(described.body.Result).toMatchObject({ TotalCount: 1, PageNumber: 1, PageSize: 10, HaVips: [{ HaVipId: 'havip-1', Status: 'InUse', AssociatedInstanceIds: ['i-1', 'i-2'] }] })
    // Saved before it was acknowledged.
    expect(JSON.stringify(savedJson(snapshotPath))).toContain('"i-2"')
  })

  it('pages and filters DescribeHaVips', async () => {
    const { port } = await start(baseJson())
    const page = await call(sdk(port), { Action: 'DescribeHaVips', Status: 'Available', PageSize: '2', PageNumber: '2' })
    expect(page.body.Result).toMatchObject({ TotalCount: 3, PageNumber: 2, PageSize: 2, HaVips: [{ HaVipId: 'havip-b' }] })
    const bad = await call(sdk(port), { Action: 'DescribeHaVips', PageSize: '101' })
    expect([bad.status, bad.body.ResponseMetadata.Error?.Code]).toEqual([400, 'InvalidParameter'])
  })
})

describe('signatures', () => {
  const associate = { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1' }

  it('accepts the right secret and refuses a wrong one with SignatureDoesNotMatch', async () => {
    const { port } = await start(baseJson())
    expect((await call(sdk(port), associate)).status).toBe(200)
    const wrong = await call(sdk(port, { accessKeyId, secretKey: 'not-the-secret' }), associate)
    expect([wrong.status, wrong.body.ResponseMetadata.Error]).toEqual([401, { CodeN: 100010, Code: 'SignatureDoesNotMatch', Message: catalog.SignatureDoesNotMatch.en }])
  })

  it('refuses an unknown access key with InvalidAccessKey', async () => {
    const { port } = await start(baseJson())
    const r = await call(sdk(port, { accessKeyId: 'AKLTstranger', secretKey }), associate)
    expect([r.status, r.body.ResponseMetadata.Error?.Code, r.body.ResponseMetadata.Error?.Message])
      .toEqual([401, 'InvalidAccessKey', 'The accesskey [AKLTstranger] included in the request is invalid.'])
  })

  it('refuses an unsigned request with MissingAuthenticationToken', async () => {
    const { port } = await start(baseJson())
    const res = await fetch(`http://127.0.0.1:${String(port)}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1`)
    const body = await res.json() as { ResponseMetadata: { Error: unknown } }
    expect([res.status, body.ResponseMetadata.Error]).toEqual([401, { CodeN: 100003, Code: 'MissingAuthenticationToken', Message: 'Request is missing Authentication Token' }])
  })

  it('refuses an X-Date more than 15 minutes away with InvalidTimestamp', async () => {
    const { port } = await start(baseJson(), { now: () => Date.now() + 16 * 60 * 1000 })
    const r = await call(sdk(port), associate)
    expect([r.status, r.body.ResponseMetadata.Error?.Code]).toEqual([403, 'InvalidTimestamp'])
  })

  it('refuses a signed request whose parameters were changed on the way', async () => {
    const { port } = await start(baseJson())
    const service = sdk(port)
    // Sign one request, send another: the canonical query differs.
    const signed = await fetch(`http://127.0.0.1:${String(port)}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1`, {
      headers: await signedHeaders(service, { HaVipId: 'havip-1', InstanceId: 'i-2' }),
    })
    expect(signed.status).toBe(401)
  })
})

/** The headers the SDK's signer adds for a GET AssociateHaVip with these parameters. */
const signedHeaders = async (_service: unknown, params: Record<string, string>): Promise<Record<string, string>> => {
  const { Signer } = await import('@volcengine/openapi')
  const request = { region: 'cn-beijing', method: 'GET', pathname: '/', params: { Action: 'AssociateHaVip', Version: '2020-04-01', ...params }, headers: {} as Record<string, string> }
  new Signer(request, 'vpc').addAuthorization({ accessKeyId, secretKey })
  return request.headers
}

describe('concurrency', () => {
  const fifty = () => {
    const json = baseJson() as Record<string, unknown>
    const extra = Array.from({ length: 50 }, (_, i) => ({
      InstanceId: `i-c${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-c${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
    }))
    return { ...json, Instances: [...(json.Instances as ReadonlyArray<unknown>), ...extra], Quotas: { InstancesPerHaVip: 100 } }
  }

  it('50 SDK clients in parallel, each binding its own target: all 50 succeed once, all 50 saved', async () => {
    const { port, snapshotPath } = await start(fifty())
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      call(sdk(port), { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: `i-c${String(i)}` })))
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200))
    const ids = savedJson(snapshotPath).HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds ?? []
    expect([...ids].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `i-c${String(i)}`).sort())
  })

  it('50 in parallel with one shared ClientToken and different targets: one success, 49 IdempotentParameterMismatch', async () => {
    const { port, snapshotPath } = await start(fifty())
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      call(sdk(port), { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: `i-c${String(i)}`, ClientToken: 'shared' })))
    const codes = replies.map((r) => r.body.ResponseMetadata.Error?.Code ?? 'OK')
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1)
    expect(codes.filter((c) => c === 'IdempotentParameterMismatch')).toHaveLength(49)
    expect(savedJson(snapshotPath).HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toHaveLength(1)
  })
})

describe('garbage never crashes the server', () => {
  it('answers bad JSON, oversized bodies, unknown paths and methods with envelopes, survives random bytes', async () => {
    const { port } = await start(baseJson(), { credentials: undefined })
    const url = `http://127.0.0.1:${String(port)}`
    const codeOf = async (res: Response) => [res.status, ((await res.json()) as { ResponseMetadata: { Error?: { Code: string } } }).ResponseMetadata.Error?.Code]
    expect(await codeOf(await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Action": ' }))).toEqual([400, 'MalformedRequestBody'])
    expect(await codeOf(await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1, 2]' }))).toEqual([400, 'MalformedRequestBody'])
    expect(await codeOf(await fetch(`${url}/nowhere`))).toEqual([404, 'InvalidPath'])
    expect(await codeOf(await fetch(`${url}/`, { method: 'DELETE' }))).toEqual([405, 'MethodNotAllowed'])
    const big = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) }).then(codeOf, () => 'closed')
    expect(big === 'closed' || JSON.stringify(big) === JSON.stringify([413, 'RequestEntityTooLarge'])).toBe(true)
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => { socket.end(Buffer.from(Array.from({ length: 200 }, (_, j) => (i * 31 + j * 17) % 256))) })
        socket.on('close', () => { resolve() })
        socket.on('error', () => { resolve() })
        socket.resume()
      })
    }
    expect(await codeOf(await fetch(`${url}/?Action=DescribeHaVips&Version=2020-04-01`))).toEqual([200, undefined])
  })

  it('accepts unsigned requests when it has no credentials', async () => {
    const { port } = await start(baseJson(), { credentials: undefined })
    const res = await fetch(`http://127.0.0.1:${String(port)}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1`)
    expect(res.status).toBe(200)
  })
})

describe('saving', () => {
  it('answers InternalError and keeps the old state when a change cannot be saved (the disk is full)', async () => {
    let full = true
    const journalIo = fillingDisk(() => full)
    const { port, snapshotPath } = await start(baseJson(), { credentials: undefined }, { journalIo })
    const url = `http://127.0.0.1:${String(port)}/?Version=2020-04-01&HaVipId=havip-1`
    const res = await fetch(`${url}&Action=AssociateHaVip&InstanceId=i-1`)
    const body = await res.json() as { ResponseMetadata: { Error?: { Code: string; CodeN?: number; Message: string } } }
    expect([res.status, body.ResponseMetadata.Error]).toMatchObject([500, { Code: 'InternalError', CodeN: 100014 }])
    // Not acknowledged, so not applied: disassociating finds nothing bound, and the file holds nothing of it.
    expect((await fetch(`${url}&Action=DisassociateHaVip&InstanceId=i-1`)).status).toBe(400)
    expect(savedJson(snapshotPath).HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual([])
    // Room again: the next change is saved and acknowledged.
    full = false
    expect((await fetch(`${url}&Action=AssociateHaVip&InstanceId=i-2`)).status).toBe(200)
    expect(savedJson(snapshotPath).HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual(['i-2'])
  })
})

describe('havip serve as a child process', () => {
  const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

  const spawnServer = (path: string) => {
    const child = spawn(process.execPath, [cli, 'serve', '--snapshot', path, '--port', '0', '--access-key', accessKeyId, '--secret-key', secretKey], { stdio: ['ignore', 'pipe', 'pipe'] })
    const port = new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      child.on('exit', (code) => { reject(new Error(`exited ${String(code)} before listening`)) })
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
    return { child, port, exited }
  }

  it('keeps every acknowledged change across a SIGKILL in the middle of a stream of requests', async () => {
    const json = baseJson() as Record<string, unknown>
    const instances = Array.from({ length: 200 }, (_, i) => ({
      InstanceId: `i-k${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-k${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
    }))
    const path = snapshotFile({ ...json, Instances: [...(json.Instances as ReadonlyArray<unknown>), ...instances], Quotas: { InstancesPerHaVip: 1000 } })
    const first = spawnServer(path)
    const service = sdk(await first.port)
    const acknowledged: Array<string> = []
    // The kill comes after a number of acknowledged changes, not after a time: a loaded machine
    // gets as far into the stream as a fast one before the crash.
    let killed = false
    const stream = (async () => {
      for (let i = 0; i < 200; i++) {
        try {
          const r = await call(service, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: `i-k${String(i)}` })
          if (r.status === 200) acknowledged.push(`i-k${String(i)}`)
        } catch {
          return
        }
        if (acknowledged.length === 5 && !killed) {
          killed = true
          // The next request is on its way when the kill lands.
          setImmediate(() => first.child.kill('SIGKILL'))
        }
      }
    })()
    await stream
    await first.exited
    expect(acknowledged.length).toBeGreaterThan(0)

    const second = spawnServer(path)
    const again = await call(sdk(await second.port), { Action: 'DescribeHaVips', 'HaVipIds.1': 'havip-1' })
    const bound = (again.body.Result?.HaVips as ReadonlyArray<{ AssociatedInstanceIds: ReadonlyArray<string> }>)[0]?.AssociatedInstanceIds ?? []
    for (const id of acknowledged) expect(bound).toContain(id)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })

  it('prints the port it took and exits 0 on SIGTERM', async () => {
    const server = spawnServer(snapshotFile(baseJson()))
    expect(await server.port).toBeGreaterThan(0)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describe('the README\'s emulator example', () => {
  it('runs against havip serve on the example snapshot and prints what its comment says', async () => {
    const example = readFileSync(new URL('../examples/emulator-client.mjs', import.meta.url), 'utf8')
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(example.trim())
    const { port } = await start(JSON.parse(readFileSync(new URL('../examples/snapshot.json', import.meta.url), 'utf8')), {
      credentials: new Map([['AKLTexample', 'c2VjcmV0LWtleQ==']]),
    })
    const root = new URL('..', import.meta.url).pathname
    const run = spawn(process.execPath, ['--input-type=module', '-e', example.replace('127.0.0.1:8080', `127.0.0.1:${String(port)}`)], { cwd: root })
    let out = ''
    run.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    await new Promise((resolve) => run.on('exit', resolve))
    expect(out.trim()).toBe("InUse [ 'i-ycb7qkdnr4xu4qzhd1bl' ]")
  })
})

describe('havip serve against the oracle', () => {
  it('passes checkConformance over HTTP, plugged in as the testing guide shows', async () => {
    const report = await checkConformance({
      setup: async (snapshot) => {
        const { app, port } = await startServer(snapshot, { credentials: undefined })
        return {
          send: async (params) => {
            const res = await fetch(`http://127.0.0.1:${String(port)}/?${new URLSearchParams(params).toString()}`)
            return { status: res.status, body: await res.json() }
          },
          close: () => app.close(),
        }
      },
      numRuns: 30,
    })
    expect(report.ok, report.ok ? '' : report.report).toBe(true)
  })
})
