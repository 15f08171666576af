import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { pullPages } from '../src/io/pull.js'
import { tempFolder } from './support/temp.js'

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

const listKeys: Readonly<Record<string, string>> = { DescribeHaVips: 'HaVips', DescribeInstances: 'Instances', DescribeNetworkInterfaces: 'NetworkInterfaceSets' }

interface Hostile {
  readonly url: string
  /** Requests answered, and bytes written to the sockets. */
  readonly requests: () => number
  readonly sent: () => number
}

const servers: Array<() => Promise<void>> = []
afterEach(async () => { for (const stop of servers.splice(0)) await stop() })

/** A local endpoint that answers every request with `answer`, counting what it was asked and what it sent. */
const hostile = async (answer: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Hostile> => {
  let requests = 0
  let sent = 0
  const server = createServer((req, res) => {
    requests++
    const write = res.write.bind(res)
    res.write = ((chunk: Buffer | string, ...rest: Array<never>) => {
      sent += Buffer.byteLength(chunk)
      return write(chunk, ...rest)
    }) as typeof res.write
    answer(req, res, requests)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, requests: () => requests, sent: () => sent }
}

const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const actionOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams.get('Action') ?? ''

/** `havip snapshot pull` against an endpoint: its exit code and standard error. */
const pull = (endpoint: string, ...flags: ReadonlyArray<string>) => new Promise<{ code: number | null; stderr: string; out: string }>((resolve) => {
  const out = join(tempFolder('havip-hostile-'), 'pulled.json')
  const child = spawn(process.execPath, [cli, 'snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', endpoint, '--out', out, ...flags], {
    env: { ...process.env, VOLC_ACCESSKEY: 'AKhostile', VOLC_SECRETKEY: 'SKhostile' }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  child.on('exit', (code) => { resolve({ code, stderr, out }) })
})

describe('havip snapshot pull against a hostile endpoint', () => {
  it('stops at --max-pages when every page gives a fresh NextToken and fresh resources', async () => {
    const server = await hostile((req, res, n) => { json(res, { Result: { [listKeys[actionOf(req)] ?? '']: [{ HaVipId: `h-${String(n)}` }], NextToken: `t-${String(n)}` } }) })
    const r = await pull(server.url, '--max-pages', '25')
    expect([r.code, r.stderr]).toEqual([2, 'havip: DescribeHaVips: still a NextToken after 25 pages (the limit of one call, --max-pages): stopped\n'])
    expect(server.requests()).toBe(25)
    expect(existsSync(r.out)).toBe(false)
  })

  it('stops when a fresh NextToken brings only resources already listed', async () => {
    const server = await hostile((_req, res, n) => { json(res, { Result: { HaVips: [{ HaVipId: 'h-1' }], NextToken: `t-${String(n)}` } }) })
    const r = await pull(server.url)
    expect([r.code, r.stderr]).toEqual([2, 'havip: DescribeHaVips page 2 lists only HaVips earlier pages listed, with a new NextToken: the pages do not advance; stopped\n'])
    expect(server.requests()).toBe(2)
  })

  it('stops when the tokens come round again: A, B, A, B', async () => {
    const server = await hostile((_req, res, n) => { json(res, { Result: { HaVips: [{ HaVipId: `h-${String(n)}` }], NextToken: n % 2 === 1 ? 'A' : 'B' } }) })
    const r = await pull(server.url)
    expect([r.code, r.stderr]).toEqual([2, 'havip: DescribeHaVips page 3 gives NextToken "A" again, as page 1 did: the pages loop; stopped\n'])
    expect(server.requests()).toBe(3)
  })

  it('stops reading an endless body past 16 MiB, once, without trying again', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x20)
    const server = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"Result": {"HaVips": [')
      const more = () => { while (!res.destroyed && res.write(chunk)); }
      res.on('drain', more)
      more()
    })
    const r = await pull(server.url)
    expect([r.code, r.stderr]).toEqual([2, 'havip: DescribeHaVips page 1: the answer\'s body is larger than 16 MiB (the limit of one page): stopped\n'])
    expect(server.requests()).toBe(1)
    // What the socket's buffers held beyond the limit, not the gigabytes the endpoint would send.
    expect(server.sent()).toBeLessThan(64 * 2 ** 20)
  })

  it('refuses a body declared larger than 16 MiB before reading it', async () => {
    const server = await hostile((_req, res) => { res.writeHead(200, { 'content-length': String(2 ** 32) }); res.write('{') })
    const r = await pull(server.url)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the answer\'s body is larger than 16 MiB (the limit of one page): stopped')
    expect(server.requests()).toBe(1)
  })

  it('stops decompressing a gzip bomb past 16 MiB', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"Result": {"HaVips": ['), Buffer.alloc(64 * 2 ** 20, 0x20)]))
    const server = await hostile((_req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }); res.end(bomb) })
    const r = await pull(server.url)
    expect([r.code, r.stderr]).toEqual([2, 'havip: DescribeHaVips page 1: the answer\'s body is larger than 16 MiB once decompressed (the limit of one page): stopped\n'])
    expect(server.requests()).toBe(1)
  })

  it('refuses a redirect to another host, and to anywhere else, sending nothing there', async () => {
    const elsewhere = await hostile((_req, res) => { json(res, { Result: { HaVips: [] } }) })
    const port = new URL(elsewhere.url).port
    const server = await hostile((_req, res) => { res.writeHead(302, { location: `http://localhost:${port}/?stolen=1` }); res.end() })
    const r = await pull(server.url)
    expect([r.code, r.stderr]).toEqual([2, `havip: DescribeHaVips page 1: the endpoint redirects to http://localhost:${port}/?stolen=1 (another host): not followed (signed requests go only where --endpoint says)\n`])
    expect(elsewhere.requests()).toBe(0)
    const same = await hostile((_req, res) => { res.writeHead(301, { location: '/v2/' }); res.end() })
    expect((await pull(same.url)).stderr).toBe(`havip: DescribeHaVips page 1: the endpoint redirects to ${same.url}/v2/: not followed (signed requests go only where --endpoint says)\n`)
  })

  it('prints the endpoint\'s error message with its control characters escaped, and cut to 300 characters', async () => {
    const server = await hostile((_req, res) => { json(res, { ResponseMetadata: { Error: { Code: 'Bad\u001b[2J', Message: `\u001b[2J\r\n${'x'.repeat(200_000)}` } } }, 400) })
    const r = await pull(server.url)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`havip: DescribeHaVips was refused: HTTP 400 Bad\\u001b[2J: \\u001b[2J\\u000d\\u000a${'x'.repeat(294)}… (199706 more characters)\n`)
  })

  it('refuses a URL with a password without printing it, and a URL that cannot work at once', async () => {
    const server = await hostile((_req, res) => { json(res, { Result: { HaVips: [] } }) })
    const r = await pull(server.url.replace('http://', 'http://admin:hunter2@'))
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('hunter2')
    expect(r.stderr).toContain(`--endpoint ${server.url.replace('http://', 'http://admin:***@')}: a user name or password in the URL is not sent`)
    expect(server.requests()).toBe(0)
    expect((await pull('127.0.0.1:34565')).stderr).toBe('havip: --endpoint 127.0.0.1:34565: the scheme is missing: write http://127.0.0.1:34565 (or https://)\n')
    expect((await pull('ftp://127.0.0.1/')).stderr).toBe('havip: --endpoint ftp://127.0.0.1: the scheme must be http or https\n')
  })
})

describe('pullPages and a URL that cannot work', () => {
  it('fails at once, calling nothing and waiting for nothing', async () => {
    let calls = 0
    let waits = 0
    const options = {
      region: 'r', credentials: { accessKeyId: 'a', secretKey: 's' },
      fetch: (() => { calls++; return Promise.reject(new Error('called')) }) as unknown as typeof fetch,
      sleep: () => { waits++; return Promise.resolve() },
    }
    await expect(pullPages({ ...options, endpoint: 'http://127.0.0.1:99999' })).rejects.toThrow('--endpoint http://127.0.0.1:99999: not a URL')
    await expect(pullPages({ ...options, endpoint: 'https://u:pw@[::1' })).rejects.toThrow('--endpoint https://u:***@[::1: not a URL')
    expect([calls, waits]).toEqual([0, 0])
  })

  it('stops when the bodies together pass the limit of one pull', async () => {
    const body = JSON.stringify({ Result: { HaVips: [{ HaVipId: 'h' }], NextToken: '' }, Padding: 'x'.repeat(1000) })
    const options = { region: 'r', credentials: { accessKeyId: 'a', secretKey: 's' }, fetch: (() => Promise.resolve(new Response(body))) as unknown as typeof fetch }
    await expect(pullPages({ ...options, limits: { maxTotalBytes: 2500 } }))
      .rejects.toThrow('DescribeNetworkInterfaces page 1: the answers\' bodies together are larger than 2500 bytes (the limit of one pull): stopped')
  })
})
