import type { ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { CliIo } from '../src/cli/io.js'
import { processIo } from '../src/cli/io.js'
import { runCli } from '../src/cli/run.js'
import type { HavipRun } from './support/cli.js'
import { bytesReader, runHavip as havip } from './support/cli.js'
import { baseJson, query } from './support/snapshots.js'
import { basePage, writeBasePages, writeJson } from './support/base-pages.js'
import { tempFolder } from './support/temp.js'

// The cli mutation set's survivors: what a user of the command line sees that the other cli tests
// did not pin down (the command a flag error names, the limits in the help, the order of a folder's
// pages, the holder a lock names, the bin itself).

const folder = (): string => tempFolder('havip-cli-survivors-')

const snapshotFile = (): string => writeJson(folder(), 'snapshot.json', baseJson())

/** An io whose outputs are kept, as runHavip's, with `out` of one's own. */
const ioWith = (out: (text: string) => void, env: Readonly<Record<string, string | undefined>> = {}): { io: CliIo; stderr: () => string } => {
  let stderr = ''
  return {
    io: { out, err: (text) => { stderr += text }, stdin: bytesReader(new Uint8Array()), env, stdoutIsTTY: false, stderrIsTTY: false, stopRequested: () => new Promise(() => undefined) },
    stderr: () => stderr,
  }
}

describe('the command a flag error names', () => {
  for (const [argv, command] of [[['check', '--bogus'], 'check'], [['plan', '--bogus'], 'plan'], [['snapshot', 'build', '--bogus'], 'snapshot build'], [['snapshot', 'pull', '--bogus'], 'snapshot pull']] as const) {
    it(`names havip ${command} for an unknown flag of it`, async () => {
      const r = await havip(argv)
      expect([r.code, r.stdout]).toEqual([2, ''])
      expect(r.stderr).toMatch(new RegExp(`^havip: Unknown option '--bogus'.* \\(see havip ${command} --help\\)\\n$`))
    })
  }
})

describe('havip check and plan', () => {
  it('check reports a query that does not decode as a violation, exit 1', async () => {
    const r = await havip(['check', '--snapshot', snapshotFile(), '--json', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1'])
    expect(r.code).toBe(1)
    const [line] = r.stdout.trimEnd().split('\n')
    const violations = (JSON.parse(line ?? '') as { violations: ReadonlyArray<{ id: string }> }).violations
    expect(violations.length).toBe(1)
    expect(r.stderr).toBe('')
  })

  it('plan counts exactly the problems it does not show', async () => {
    const path = writeJson(folder(), 'plan.json', { format_version: '1.2', resource_changes: Array.from({ length: 100 }, () => ({ address: 7 })) })
    const r = await havip(['plan', '--snapshot', snapshotFile(), path])
    expect(r.code).toBe(2)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(22)
    expect(lines.at(-1)).toBe('  and 380 more problems')
  })
})

describe('havip call', () => {
  it('names havip call as the holder of the snapshot it is writing, to a second writer', async () => {
    const path = snapshotFile()
    let second: Promise<HavipRun> | undefined
    const first = ioWith(() => {
      // While call --write holds the snapshot (its answers are printed before the save), another writer comes.
      second ??= havip(['call', '--snapshot', path, '--write', query({ HaVipId: 'havip-1', InstanceId: 'i-1' })])
    })
    expect(await runCli(['call', '--snapshot', path, '--write', query({ HaVipId: 'havip-1', InstanceId: 'i-1' })], first.io)).toBe(0)
    const r = await (second ?? Promise.reject(new Error('nothing printed')))
    expect([r.code, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toMatch(new RegExp(`^havip: .*havip call \\(pid ${String(process.pid)}, since `))
  })
})

describe('an unexpected failure', () => {
  it('with HAVIP_DEBUG, prints no stack an error does not have', async () => {
    const failing = ioWith(() => {
      const e = new Error('the output broke')
      delete e.stack
      throw e
    }, { HAVIP_DEBUG: '1' })
    expect(await runCli(['--version'], failing.io)).toBe(2)
    expect(failing.stderr()).toBe('havip: unexpected failure: the output broke\n')
  })
})

describe('the process io and the bin', () => {
  it('gives the process environment and terminals', () => {
    const io = processIo()
    expect(io.env).toBe(process.env)
    expect(io.stdin).toBeTypeOf('function')
    expect(io.stdoutIsTTY).toBe(process.stdout.isTTY)
    expect(io.stderrIsTTY).toBe(process.stderr.isTTY)
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`asks to stop on ${signal}`, async () => {
      const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') }
      const stop = processIo().stopRequested()
      const added = (s: 'SIGINT' | 'SIGTERM') => process.listeners(s).filter((l) => !before[s].includes(l))
      const [listener] = added(signal)
      try {
        // The signal's own listener, called as the process would on the signal (without signalling the test runner).
        listener?.(signal)
        const next = new Promise<string>((resolve) => { setImmediate(() => { resolve('not stopped') }) })
        expect(await Promise.race([stop.then(() => 'stopped'), next])).toBe('stopped')
      } finally {
        for (const s of ['SIGINT', 'SIGTERM'] as const) for (const l of added(s)) process.removeListener(s, l)
      }
    })
  }

  it('the bin runs havip on the arguments after the script and exits with its code', async () => {
    const argv = process.argv
    const exitCode = process.exitCode
    let written = ''
    let wrote = (): void => undefined
    const printed = new Promise<void>((resolve) => { wrote = resolve })
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk)
      wrote()
      return true
    })
    process.argv = [argv[0] ?? 'node', '/usr/bin/havip', 'frobnicate']
    try {
      await import('../src/cli/main.js')
      await printed
      await new Promise<void>((resolve) => { setImmediate(resolve) })
      const code = process.exitCode
      process.exitCode = exitCode
      expect(written).toBe('havip: unknown command "frobnicate" (see havip --help)\n')
      expect(code).toBe(2)
    } finally {
      spy.mockRestore()
      process.argv = argv
      process.exitCode = exitCode
    }
  })
})

describe('havip snapshot', () => {
  it('names the limits of a pull in MiB in its help', async () => {
    const { stdout } = await havip(['snapshot', '--help'])
    expect(stdout).toContain('a body over 16 MiB (decompressed) or over\n512 MiB in all.')
  })

  const page = basePage
  const pages = (): string => writeBasePages(folder())
  const rest = (dir: string) => ['--instances', join(dir, 'instances.json'), '--enis', join(dir, 'enis.json'), '--subnets', join(dir, 'subnets.json'), '--route-entries', join(dir, 'routes.json')]
  const ids = (stdout: string) => (JSON.parse(stdout) as { HaVips: ReadonlyArray<{ HaVipId: string }> }).HaVips.map((h) => h.HaVipId)
  const listed = () => (baseJson().HaVips as ReadonlyArray<{ HaVipId: string }>).map((h) => h.HaVipId)

  it('build reads a folder\'s pages in the order of their names as JavaScript sorts them, not as the folder lists them', async () => {
    // U+1F600 sorts before U+FF01 by UTF-16 code unit, after it by UTF-8 byte (the file system's order).
    const dir = pages()
    const more = folder()
    writeJson(more, 'p\u{1F600}.json', page('DescribeHaVips', { PageNumber: '1', PageSize: '3' }))
    writeJson(more, 'p\uFF01.json', page('DescribeHaVips', { PageNumber: '2', PageSize: '3' }))
    writeJson(more, 'q.json', page('DescribeHaVips', { PageNumber: '3', PageSize: '3' }))
    const r = await havip(['snapshot', 'build', '--havips', more, ...rest(dir)])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(ids(r.stdout)).toEqual(listed())
  })

  it('build takes -- after a page flag as the end of flags, not as a page', async () => {
    const dir = pages()
    const r = await havip(['snapshot', 'build', ...rest(dir), '--havips', join(dir, 'havips.json'), '--'])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(ids(r.stdout)).toEqual(listed())
  })

  it('build takes a page flag given again as more pages of its kind', async () => {
    const dir = pages()
    const more = folder()
    const p1 = writeJson(more, 'p1.json', page('DescribeHaVips', { PageNumber: '1', PageSize: '3' }))
    const p2 = writeJson(more, 'p2.json', page('DescribeHaVips', { PageNumber: '2', PageSize: '3' }))
    const p3 = writeJson(more, 'p3.json', page('DescribeHaVips', { PageNumber: '3', PageSize: '3' }))
    const r = await havip(['snapshot', 'build', '--havips', p1, ...rest(dir), '--havips', p2, '--havips', p3])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(ids(r.stdout)).toEqual(listed())
  })

  it('build lists each problem of the pages on a line of its own', async () => {
    const dir = pages()
    const one = writeJson(dir, 'one.json', 7)
    const two = writeJson(dir, 'two.json', 8)
    const r = await havip(['snapshot', 'build', '--havips', one, two, ...rest(dir)])
    expect(r.code).toBe(2)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('havip: the pages do not make a snapshot:')
    expect(lines.slice(1).map((l) => l.split(': ')[0])).toEqual([`  ${one}`, `  ${two}`])
  })
})

describe('havip snapshot pull from an endpoint of its own', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0)) await stop() })
  const env = { VOLC_ACCESSKEY: 'AKtest', VOLC_SECRETKEY: 'SKtest' }
  const listKeys: Readonly<Record<string, string>> = {
    DescribeHaVips: 'HaVips', DescribeInstances: 'Instances', DescribeNetworkInterfaces: 'NetworkInterfaceSets', DescribeSubnets: 'Subnets', DescribeRouteTableList: 'RouteTableList', DescribeRouteEntryList: 'RouteEntries',
  }
  /** An endpoint answering each Describe call with one page: `lists[key]` (else empty), in `region`. */
  const endpoint = async (region: string, lists: Readonly<Record<string, ReadonlyArray<unknown>>> = {}): Promise<string> => {
    const server = createServer((req, res: ServerResponse) => {
      const action = new URL(req.url ?? '/', 'http://x').searchParams.get('Action') ?? ''
      const key = listKeys[action] ?? ''
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ResponseMetadata: { RequestId: 'r', Action: action, Version: '2020-04-01', Service: 'vpc', Region: region }, Result: { [key]: lists[key] ?? [], TotalCount: (lists[key] ?? []).length } }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stops.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  }

  it('writes the snapshot in the region asked for, whatever region the pages name', async () => {
    const r = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', await endpoint('cn-shanghai')], { env })
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect((JSON.parse(r.stdout) as { Region: string }).Region).toBe('cn-beijing')
  })

  it('refuses pages that do not make a snapshot, naming the problem', async () => {
    const r = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', await endpoint('cn-beijing', { HaVips: [{ HaVipId: 'havip-x' }] })], { env })
    expect([r.code, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toMatch(/^havip: the account's pages do not make a snapshot:\n./)
  })
})
