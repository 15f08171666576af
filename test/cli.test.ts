import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ResponseBody } from 'havip-rules'
import { handle } from 'havip-rules'
import { wantsColour } from '../src/cli/io.js'
import { descriptorReader } from '../src/io/text-input.js'
import { runHavip as havip } from './support/cli.js'
import { baseJson, load, query } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'
import { vectorCases } from './support/vectors.js'

// Most tests run the command in this process (test/support/cli.ts); the last ones run the built
// bin itself, where only a real process can show it: the shebang, a pipe, a reader that leaves.
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

const spawnHavip = (args: ReadonlyArray<string>, input?: string, env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, ...(env === undefined ? {} : { env }) })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const folder = (): string => tempFolder('havip-cli-')

const snapshotFile = (json: unknown = baseJson()): string => {
  const path = join(folder(), 'snapshot.json')
  writeFileSync(path, JSON.stringify(json))
  return path
}

const withoutRequestId = (body: ResponseBody): unknown => {
  const { RequestId: _, ...meta } = body.ResponseMetadata
  return { ...body, ResponseMetadata: meta, ...('Result' in body ? { Result: {} } : {}) }
}

const ok = query({ HaVipId: 'havip-1', InstanceId: 'i-1' })
const refused = query({ HaVipId: 'havip-1', InstanceId: 'i-3' })

describe('havip call, on the conformance vectors', () => {
  it.each(vectorCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await havip(['call', '--snapshot', snapshotFile(c.snapshot), ...c.requests])
    const bodies = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as ResponseBody)
    // The same bytes as handle answers, RequestIds aside (the command makes them up).
    let s = load(c.snapshot)
    const expected = c.requests.map((q) => {
      const handled = handle(s, q, { requestId: 'x' })
      s = handled.snapshot
      return withoutRequestId(handled.body)
    })
    expect(bodies.map(withoutRequestId)).toEqual(expected)
    expect(bodies.map((b) => ('Error' in b.ResponseMetadata ? b.ResponseMetadata.Error.Code : null))).toEqual(c.expect.map((e) => e.code))
    for (const body of bodies) {
      expect(body.ResponseMetadata).toMatchObject({ Service: 'vpc', Region: 'cn-beijing' })
      expect(body.ResponseMetadata.RequestId).toMatch(/^[0-9A-F-]{36}$/)
      if ('Result' in body) {
        // Every write answers its task id; a replay of a ledger entry older than tasks answers none.
        const { AsyncTaskId, ...rest } = body.Result as { readonly AsyncTaskId?: string }
        expect(rest).toEqual({ RequestId: body.ResponseMetadata.RequestId })
        if (AsyncTaskId !== undefined) expect(AsyncTaskId).toMatch(/^at-[0-9a-f]{20}$/)
      }
    }
    if (c.sameRequestId !== undefined) {
      const [a, b] = c.sameRequestId
      expect(bodies[b]?.ResponseMetadata.RequestId).toBe(bodies[a]?.ResponseMetadata.RequestId)
    }
    expect(result.code).toBe(c.expect.every((e) => e.code === null) ? 0 : 1)
  })
})

describe('havip call', () => {
  it('exits 0 and saves the final snapshot with --write when every request succeeded', async () => {
    const path = snapshotFile()
    const result = await havip(['call', '--snapshot', path, '--write', ok])
    expect(result.code).toBe(0)
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { HaVips: ReadonlyArray<{ AssociatedInstanceIds: ReadonlyArray<string> }> }
    expect(saved.HaVips[0]?.AssociatedInstanceIds).toEqual(['i-1'])
  })

  it('exits 1 and leaves the file byte for byte as it was when a request failed', async () => {
    const path = snapshotFile()
    const before = readFileSync(path)
    const result = await havip(['call', '--snapshot', path, '--write', ok, refused])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('not saved')
    expect(readFileSync(path)).toEqual(before)
  })

  it('saves to --out FILE and leaves the snapshot file alone', async () => {
    const path = snapshotFile()
    const before = readFileSync(path)
    const out = join(folder(), 'out.json')
    expect((await havip(['call', '--snapshot', path, '--out', out, ok])).code).toBe(0)
    expect(readFileSync(path)).toEqual(before)
    expect(readFileSync(out, 'utf8')).toContain('"i-1"')
  })

  it('reads queries from standard input with -, skipping blank lines and comments, and allows ? and /?', async () => {
    const result = await havip(['call', '--snapshot', snapshotFile(), '-'], { stdin: `# bind\n?${ok}\n\n/?${refused}\n` })
    expect(result.stdout.trim().split('\n')).toHaveLength(2)
    expect(result.code).toBe(1)
  })

  it('exits 2 with one line naming the file when the snapshot cannot be used', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'text.json'), 'not json')
    writeFileSync(join(dir, 'bad.json'), '{"HaVips": [{"HaVipId": 1}]}')
    for (const [file, words] of [['missing.json', 'no such file'], ['text.json', 'not JSON'], ['bad.json', 'HaVips[0].HaVipId']] as const) {
      const result = await havip(['call', '--snapshot', join(dir, file), ok])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(join(dir, file))
      expect(result.stderr).toContain(words)
      expect(result.stderr).not.toMatch(/\n\s+at /)
      expect(result.stdout).toBe('')
    }
  })

  it('exits 2 for usage errors: unknown flag or command, no snapshot, no query, --out with --write', async () => {
    const path = snapshotFile()
    for (const args of [['call', '--bogus'], ['frobnicate'], ['call', ok], ['call', '--snapshot', path], ['call', '--snapshot', path, '--write', '--out', 'x', ok], ['check', '--snapshot', path, '--write', ok]]) {
      const result = await havip(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/^havip: /)
    }
  })

  it('refuses a query given as separate words, with the hint to join them with &, and still takes several whole queries', async () => {
    const path = snapshotFile()
    for (const command of ['call', 'check']) {
      const result = await havip([command, '--snapshot', path, 'Action=AssociateHaVip', 'Version=2020-04-01', 'HaVipId=havip-1', 'InstanceId=i-1'])
      expect([result.code, result.stdout]).toEqual([2, ''])
      expect(result.stderr).toBe(`havip: "Version=2020-04-01" is one parameter, not a query: join the parameters of a query with & and quote it, as in 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1' (see havip ${command} --help)\n`)
    }
    expect((await havip(['check', '--snapshot', path, '--independent', ok, refused])).code).toBe(1)
    expect((await havip(['call', '--snapshot', path, 'Action=DescribeHaVips&Version=2020-04-01', 'Action=DescribeHaVips&Version=2020-04-01'])).code).toBe(0)
  })

  it('prints --help and exits 0', async () => {
    expect(await havip(['call', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--write') as unknown })
    expect(await havip(['check', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--json') as unknown })
  })
})

describe('havip check', () => {
  it('prints every violation with its id, code, both messages and the facts, and exits 1', async () => {
    const q = query({ HaVipId: 'havip-4', InstanceId: 'i-3' })
    const result = await havip(['check', '--snapshot', snapshotFile(), q])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('InvalidHaVip.InvalidStatus')
    expect(result.stdout).toContain('InvalidInstance.HaVipMismatch')
    expect(result.stdout).toContain('指定的实例和高可用虚拟IP不在同一个子网内。')
    expect(result.stdout).toContain('HaVip havip-4 is in subnet-a; instance i-3 is in subnet-b')
  })

  it('answers JSON with --json, one object a query, and never saves', async () => {
    const path = snapshotFile()
    const before = readFileSync(path)
    const result = await havip(['check', '--snapshot', path, '--json', ok, ok])
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; violations: ReadonlyArray<{ id: string }> })
    // The second sees the state the first would leave.
    expect(lines.map((l) => [l.ok, l.violations.map((v) => v.id)])).toEqual([[true, []], [false, ['Forbidden.InstanceAlreadyAssociated']]])
    expect(result.code).toBe(1)
    expect(readFileSync(path)).toEqual(before)
  })

  it('exits 0 when every query would succeed', async () => {
    expect((await havip(['check', '--snapshot', snapshotFile(), ok])).code).toBe(0)
  })
})

describe('havip check, chained and independent', () => {
  // The second binding of one target: refused after the first, fine on the snapshot as loaded.
  const pair = [ok, ok]

  it('judges each query on the state the ones before it leave, by default, and says so in the summary', async () => {
    const result = await havip(['check', '--snapshot', snapshotFile(), ...pair])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Forbidden.InstanceAlreadyAssociated')
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('2 queries: 1 would succeed, 1 would fail')
  })

  it('judges each query on the snapshot as loaded with --independent', async () => {
    const result = await havip(['check', '--snapshot', snapshotFile(), '--independent', ...pair])
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('✗')
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('2 queries: 2 would succeed, 0 would fail')
  })

  it('marks the violation the API would answer, and only that one', async () => {
    const result = await havip(['check', '--snapshot', snapshotFile(), query({ HaVipId: 'havip-4', InstanceId: 'i-3' })])
    const marked = result.stdout.split('\n').filter((line) => line.includes('← the API answers this'))
    expect(marked).toEqual([expect.stringContaining('InvalidHaVip.InvalidStatus') as unknown])
  })

  it('writes --json in the library\'s casing, with the answered violation marked', async () => {
    const result = await havip(['check', '--snapshot', snapshotFile(), '--json', query({ HaVipId: 'havip-4', InstanceId: 'i-3' })])
    const line = JSON.parse(result.stdout) as { query: string; ok: boolean; violations: ReadonlyArray<Readonly<Record<string, unknown>>> }
    expect(line.ok).toBe(false)
    expect(line.violations.map((v) => Object.keys(v))).toEqual(line.violations.map(() => ['id', 'code', 'status', 'message', 'messageZh', 'facts', 'answered']))
    expect(line.violations.map((v) => [v.id, v.answered])).toEqual([['InvalidHaVip.InvalidStatus', true], ['InvalidInstance.HaVipMismatch', false]])
  })

  it('takes a whole URL as a query, as pasted from a browser or a log', async () => {
    const url = `https://open.volcengineapi.com/?${ok}`
    expect((await havip(['check', '--snapshot', snapshotFile(), url])).stdout).toContain('✓ would succeed')
    const body = JSON.parse((await havip(['call', '--snapshot', snapshotFile(), url])).stdout) as ResponseBody
    expect(body.ResponseMetadata.Action).toBe('AssociateHaVip')
    expect('Result' in body).toBe(true)
  })

  it('colours only when asked: never in a pipe, with FORCE_COLOR, and never with NO_COLOR', async () => {
    const ansi = new RegExp(String.fromCharCode(27) + '\\[')
    const run = async (env: Readonly<Record<string, string>>, stdoutIsTTY = false) => (await havip(['check', '--snapshot', snapshotFile(), ok, ok], { env, stdoutIsTTY })).stdout
    expect(await run({})).not.toMatch(ansi)
    expect(await run({ FORCE_COLOR: '1' })).toMatch(ansi)
    expect(await run({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toMatch(ansi)
    expect(await run({}, true)).toMatch(ansi)
    expect(await run({ NO_COLOR: '1' }, true)).not.toMatch(ansi)
  })
})

describe('wantsColour', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
    [false, { FORCE_COLOR: '' }, true],
    [false, { FORCE_COLOR: '1', NO_COLOR: 'yes' }, false],
  ] as const)('on a terminal: %s, with %j: %s', (isTTY, env, expected) => {
    expect(wantsColour(isTTY, env)).toBe(expected)
  })
})

describe('havip, the command itself', () => {
  it('prints its version with --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) expect(await havip([flag])).toMatchObject({ code: 0, stdout: `${version}\n` })
  })

  it('prints its usage on stderr and exits 2 when given nothing', async () => {
    const result = await havip([])
    expect(result).toMatchObject({ code: 2, stdout: '' })
    expect(result.stderr).toContain('usage: havip call')
  })

  it('says what is wrong, without a stack trace, when standard input is a folder', async () => {
    const stdin = fs.openSync(folder(), 'r')
    try {
      const r = await havip(['check', '--snapshot', snapshotFile(), '-'], { stdin: descriptorReader(stdin) })
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'havip: cannot read standard input: it is a folder, not a file\n'])
    } finally {
      fs.closeSync(stdin)
    }
  })
})

describe('havip, the bin', () => {
  it('starts with a shebang, prints its version and exits 0, and exits 2 on a usage error', () => {
    expect(readFileSync(cli, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node')
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(spawnHavip(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(spawnHavip(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'havip: unknown command "frobnicate" (see havip --help)\n' })
  })

  it('reads queries piped to its standard input', () => {
    const result = spawnHavip(['call', '--snapshot', snapshotFile(), '-'], `${ok}\n${refused}\n`)
    expect(result.stdout.trim().split('\n')).toHaveLength(2)
    expect(result.code).toBe(1)
  })

  it('prints an unexpected failure as one line, without a stack trace, and exits 2', () => {
    // A failure no input can cause: reading JSON itself fails, as no file or input could make it.
    const broken = 'data:text/javascript,' + encodeURIComponent("JSON.parse = () => { throw new TypeError('the parser fell over') }")
    const r = spawnSync(process.execPath, ['--import', broken, cli, '--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'havip: unexpected failure: the parser fell over\n'])
  })

  it('finishes its work and exits as it would when the reader of its output leaves', () => {
    const path = snapshotFile()
    // Enough output to fill the pipe after the reader has gone.
    const describes = Array.from({ length: 2000 }, () => 'Action=DescribeHaVips&Version=2020-04-01')
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" call --snapshot "${path}" --write - | head -c 1 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8', input: [ok, ...describes].join('\n'),
    })
    expect(r.stderr).toBe('exit=0\n')
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { HaVips: ReadonlyArray<{ AssociatedInstanceIds: ReadonlyArray<string> }> }
    expect(saved.HaVips[0]?.AssociatedInstanceIds).toEqual(['i-1'])
  })
})
