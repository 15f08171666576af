import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ResponseBody } from 'havip-rules'
import type { CliIo } from '../src/cli/io.js'
import { safeWriter } from '../src/cli/io.js'
import { runCli } from '../src/cli/run.js'
import { bytesReader, runHavip as havip, startHavip } from './support/cli.js'
import { association, plan } from './support/plans.js'
import { accessKeyId, secretKey, startServer } from './support/server.js'
import { baseJson, oneHaVipAccount, query } from './support/snapshots.js'
import { basePage, writeBasePages, writeJson } from './support/base-pages.js'
import { tempFolder } from './support/temp.js'

// The command line in the test process, flag by flag: what a user types and what they get back
// (exit code, both outputs, files). test/cli.test.ts has the conformance vectors and the bin itself.

const folder = (): string => tempFolder('havip-cli-commands-')


const snapshotFile = (json: unknown = baseJson()): string => writeJson(folder(), 'snapshot.json', json)

const ok = query({ HaVipId: 'havip-1', InstanceId: 'i-1' })
const refused = query({ HaVipId: 'havip-1', InstanceId: 'i-3' })
const ansi = new RegExp(String.fromCharCode(27) + '\\[')

describe('havip, its commands and help', () => {
  it('prints the usage of every command with --help or -h, anywhere before --', async () => {
    const top = await havip(['--help'])
    expect(top.code).toBe(0)
    for (const command of ['call', 'check', 'plan', 'serve', 'snapshot']) expect(top.stdout).toContain(`havip ${command}`)
    expect(await havip(['-h'])).toEqual(top)
    const firstLines: ReadonlyArray<readonly [string, string]> = [
      ['call', 'usage: havip call --snapshot FILE [--out FILE | --write] QUERY...'],
      ['check', 'usage: havip check --snapshot FILE [--independent] [--json] QUERY...'],
      ['plan', 'usage: havip plan --snapshot FILE [--config DIR [--source-root DIR]] [--baseline FILE] [--write-baseline FILE] [--format text|json|sarif|junit] [--verbose] PLAN'],
      ['serve', 'usage: havip serve --snapshot FILE [--in-memory] [--host HOST] [--port PORT]'],
      ['snapshot', 'usage: havip snapshot build [--havips FILE...]... [--instances FILE...]... [--enis FILE...]... [--subnets FILE...]... [--route-entries FILE...]... [--region R] [--out FILE]'],
    ]
    for (const [command, first] of firstLines) {
      for (const args of [[command, '--help'], [command, '--snapshot', 'x', '-h'], [command, 'build', '--bogus', '--help']]) {
        const r = await havip(args)
        expect([r.code, r.stdout.split('\n')[0], r.stderr], args.join(' ')).toEqual([0, first, ''])
      }
    }
    // After --, --help is a word like any other.
    const after = await havip(['call', '--snapshot', snapshotFile(), '--', '--help'])
    expect(after.stdout).not.toContain('usage:')
    expect(after.code).toBe(1)
  })

  it('names the limits and the default endpoint in the help of snapshot', async () => {
    const { stdout } = await havip(['snapshot', '--help'])
    expect(stdout).toContain('--endpoint URL     default https://open.volcengineapi.com')
    expect(stdout).toContain('(default 2000)')
    expect(stdout).toMatch(/a body over \d+ MiB \(decompressed\) or over\n\d+ MiB in all/)
  })

  it('refuses an unknown command, and a snapshot without build or pull, exit 2 with one line', async () => {
    expect(await havip(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'havip: unknown command "frobnicate" (see havip --help)\n' })
    expect(await havip(['snapshot'])).toEqual({ code: 2, stdout: '', stderr: 'havip: havip snapshot needs build or pull (see havip snapshot --help)\n' })
    expect(await havip(['snapshot', 'push'])).toEqual({ code: 2, stdout: '', stderr: 'havip: havip snapshot has no "push"; it takes build or pull (see havip snapshot --help)\n' })
  })

  it('names the command whose flag is unknown, or whose required flag is missing or empty', async () => {
    const unknown = await havip(['call', '--bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^havip: Unknown option '--bogus'.* \(see havip call --help\)\n$/)
    for (const command of ['call', 'check', 'plan', 'serve']) {
      for (const given of [[], ['--snapshot', '']]) {
        expect(await havip([command, ...given, ok])).toEqual({ code: 2, stdout: '', stderr: `havip: --snapshot is required (see havip ${command} --help)\n` })
      }
    }
    expect(await havip(['snapshot', 'pull'])).toEqual({ code: 2, stdout: '', stderr: 'havip: --region is required (see havip snapshot --help)\n' })
  })

  it('ends an unexpected failure in one line and exit 2; HAVIP_DEBUG adds the stack', async () => {
    // An output that breaks as no stream of the process would: a bug, not the user's doing.
    const failing = (env: Readonly<Record<string, string>>) => {
      const err: Array<string> = []
      const io: CliIo = {
        out: () => { throw new RangeError('the output broke') },
        err: (text) => { err.push(text) },
        stdin: bytesReader(new Uint8Array()), env, stdoutIsTTY: false, stderrIsTTY: false, stopRequested: () => new Promise(() => undefined),
      }
      return { err, code: runCli(['--version'], io) }
    }
    const quietRun = failing({})
    expect(await quietRun.code).toBe(2)
    expect(quietRun.err).toEqual(['havip: unexpected failure: the output broke\n'])
    const debugRun = failing({ HAVIP_DEBUG: '1' })
    expect(await debugRun.code).toBe(2)
    expect(debugRun.err[0]).toBe('havip: unexpected failure: the output broke\n')
    expect(debugRun.err[1]).toMatch(/^RangeError: the output broke\n\s+at /)
    expect(debugRun.err).toHaveLength(2)

    // A query reader that breaks as no file or pipe would.
    const broken = (): number => { throw new RangeError('the reader broke') }
    const quiet = await havip(['check', '--snapshot', snapshotFile(), '-'], { stdin: broken })
    // A read failure of standard input is the user's: a usage error, not a bug.
    expect(quiet).toEqual({ code: 2, stdout: '', stderr: 'havip: cannot read standard input: the reader broke\n' })
    const planBroken = await havip(['plan', '--snapshot', snapshotFile(), '-'], { stdin: broken })
    expect(planBroken).toEqual({ code: 2, stdout: '', stderr: 'havip: standard input: cannot read it: the reader broke\n' })
  })
})

describe('havip call and check: queries', () => {
  it('call --write holds the snapshot\'s lock while it works and lets it go after', async () => {
    const path = snapshotFile()
    expect((await havip(['call', '--snapshot', path, '--write', ok])).code).toBe(0)
    expect((await havip(['call', '--snapshot', path, '--write', query({ HaVipId: 'havip-1', InstanceId: 'i-5' })])).code).toBe(0)
    const running = startHavip(['serve', '--snapshot', path, '--port', '0'])
    await running.printed(/listening on/)
    try {
      for (const args of [['--write'], ['--out', path]]) {
        const r = await havip(['call', '--snapshot', path, ...args, 'Action=DescribeHaVips&Version=2020-04-01'])
        expect([r.code, r.stdout]).toEqual([2, ''])
        expect(r.stderr).toMatch(new RegExp(`^havip: .*${path} is in use: .*havip serve.*; stop it first\\n$`))
      }
      // Without a file to write, no lock is needed: a call only reads.
      expect((await havip(['call', '--snapshot', path, 'Action=DescribeHaVips&Version=2020-04-01'])).code).toBe(0)
    } finally {
      running.stop()
      await running.done
    }
  })


  it('stops reading queries from an endless standard input at 64 MiB, with a usage error', async () => {
    let given = 0
    // Endless: it only stops the test when a reader goes far past the bound.
    const endless = (buffer: Uint8Array): number => {
      if (given > 80 * 1024 * 1024) throw new RangeError('read past the bound')
      buffer.fill(0x23)
      given += buffer.length
      return buffer.length
    }
    for (const command of ['check', 'call']) {
      given = 0
      expect(await havip([command, '--snapshot', snapshotFile(), '-'], { stdin: endless })).toEqual({ code: 2, stdout: '', stderr: 'havip: standard input: larger than 64 MiB, the most havip reads of it\n' })
    }
  })

  it('reads standard input with -: CRLF lines, blanks, comments and indented lines', async () => {
    const r = await havip(['check', '--snapshot', snapshotFile(), '--json', '-'], { stdin: `# first\r\n  ${ok}  \r\n\r\n   # indented comment\n${refused}` })
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { query: string }).query)).toEqual([ok, refused])
    expect(r.code).toBe(1)
  })

  it('mixes queries given as arguments with those of standard input, in order', async () => {
    const r = await havip(['call', '--snapshot', snapshotFile(), ok, '-'], { stdin: `${refused}\n` })
    const codes = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as ResponseBody).ResponseMetadata).map((m) => ('Error' in m ? m.Error.Code : null))
    expect(codes).toEqual([null, 'InvalidInstance.HaVipMismatch'])
  })

  it('says no QUERY was given, for arguments and for an empty standard input', async () => {
    const path = snapshotFile()
    for (const command of ['call', 'check']) {
      for (const args of [[], ['-']]) {
        expect(await havip([command, '--snapshot', path, ...args], { stdin: '# nothing\n\n' })).toEqual({ code: 2, stdout: '', stderr: `havip: no QUERY given (see havip ${command} --help)\n` })
      }
    }
  })

  it('takes one parameter alone as a query (the API answers it), and several whole queries, but not a query split into words', async () => {
    const path = snapshotFile()
    const alone = await havip(['call', '--snapshot', path, 'Version=2020-04-01'])
    expect(alone.code).toBe(1)
    expect(alone.stderr).toBe('')
    expect(alone.stdout).toContain('MissingParameter')
    // Action=… and queries joined with & or starting with ? are whole queries; a bare word is not a parameter.
    for (const args of [[ok, `?${ok}`], [ok, 'Action=DescribeHaVips&Version=2020-04-01'], [ok, 'havip-1'], [ok, '9=x'], [ok, '?HaVipId=havip-1'], [ok, 'HaVipId=havip-1&InstanceId=i-1']]) {
      expect((await havip(['check', '--snapshot', path, '--independent', ...args])).stderr, args.join(' ')).not.toContain('is one parameter')
    }
    for (const word of ['Version=2020-04-01', 'InstanceId=', 'a.b_c=x y', 'HaVipIds.1=havip-1']) {
      const r = await havip(['check', '--snapshot', path, ok, word, '-'])
      expect(r.stderr, word).toBe(`havip: ${JSON.stringify(word)} is one parameter, not a query: join the parameters of a query with & and quote it, as in '${ok}&${word}' (see havip check --help)\n`)
    }
  })

  it('call: --out and --write together is a usage error, and a failed request saves nothing and says so', async () => {
    const path = snapshotFile()
    const out = join(folder(), 'out.json')
    expect(await havip(['call', '--snapshot', path, '--write', '--out', out, ok])).toEqual({ code: 2, stdout: '', stderr: 'havip: give --out FILE or --write, not both\n' })
    const failed = await havip(['call', '--snapshot', path, '--out', out, ok, refused])
    expect([failed.code, failed.stderr]).toEqual([1, `havip: not saved: a request failed, ${out} is unchanged\n`])
    expect(() => readFileSync(out)).toThrow()
    const plain = await havip(['call', '--snapshot', path, ok, refused])
    expect([plain.code, plain.stderr]).toEqual([1, ''])
  })

  it('call: one response line a query, with a fresh upper-case RequestId each', async () => {
    const r = await havip(['call', '--snapshot', snapshotFile(), ok, 'Action=DescribeHaVips&Version=2020-04-01'])
    const ids = r.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as ResponseBody).ResponseMetadata.RequestId)
    expect(ids).toHaveLength(2)
    expect(new Set(ids).size).toBe(2)
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
    expect(r.stdout.endsWith('\n')).toBe(true)
  })

  it('check: chained by default, each on the loaded snapshot with --independent', async () => {
    const path = snapshotFile()
    const chained = await havip(['check', '--snapshot', path, '--json', ok, ok])
    const independent = await havip(['check', '--snapshot', path, '--json', '--independent', ok, ok])
    const oks = (stdout: string) => stdout.trim().split('\n').map((l) => (JSON.parse(l) as { ok: boolean }).ok)
    expect([chained.code, oks(chained.stdout)]).toEqual([1, [true, false]])
    expect([independent.code, oks(independent.stdout)]).toEqual([0, [true, true]])
  })
})

describe('havip plan', () => {
  const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
  const account = join(fixtures, 'account.json')
  const full = association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' })
  const pass = association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })
  const unknown = {
    ...association('maybe', ['create'], { haVip: 'havip-b', instance: 'x' }),
    after: { ha_vip_id: 'havip-b', instance_type: 'EcsInstance' }, afterUnknown: { id: true, instance_id: true },
  }
  const planFile = (changes: Parameters<typeof plan>[0], dir = folder()): string => writeJson(dir, 'plan.json', plan(changes))
  const run = (args: ReadonlyArray<string>, options = {}) => havip(['plan', '--snapshot', account, ...args], options)

  it('exits 0 when every change passes, 1 when one fails, 3 when none fails and one is unknown', async () => {
    expect((await run([planFile([pass])])).code).toBe(0)
    expect((await run([planFile([pass, full, unknown])])).code).toBe(1)
    expect((await run([planFile([pass, unknown])])).code).toBe(3)
    const text = await run([planFile([pass, unknown])])
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('2 bindings: 1 pass, 0 fail, 1 unknown')
    expect(text.stderr).toBe('')
  })

  it('reads the plan from standard input with -, and names standard input when it is not JSON', async () => {
    const r = await run(['--format', 'json', '-'], { stdin: JSON.stringify(plan([pass, full])) })
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { summary: unknown }).summary).toEqual({ pass: 1, fail: 1, unknown: 0 })
    const bad = await run(['-'], { stdin: '{"format_version": ' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^havip: standard input: not JSON: .+ \(give the output of terraform show -json PLANFILE\)\n$/)
    const file = writeJson(folder(), 'plan.json', 'nope')
    expect((await run([file])).stderr).toMatch(new RegExp(`^havip: ${file}: not JSON: .+ \\(give the output of terraform show -json PLANFILE\\)\\n$`))
  })

  it('takes one PLAN and one of its formats', async () => {
    const path = planFile([pass])
    for (const args of [[], [path, path]]) {
      expect(await run(args)).toEqual({ code: 2, stdout: '', stderr: 'havip: give one PLAN: a file of terraform show -json, or - (see havip plan --help)\n' })
    }
    expect(await run(['--format', 'xml', path])).toEqual({ code: 2, stdout: '', stderr: 'havip: --format "xml" is not one of text, json, sarif, junit\n' })
    expect(await run(['--source-root', '.', path])).toEqual({ code: 2, stdout: '', stderr: 'havip: --source-root names files found through --config: give --config too (see havip plan --help)\n' })
  })

  it('names the first 20 problems of a plan that cannot be read, and counts the rest', async () => {
    const changes = Array.from({ length: 23 }, (_, i) => ({ address: i }))
    const path = writeJson(folder(), 'plan.json', { format_version: '1.2', resource_changes: changes })
    const r = await run([path])
    const lines = r.stderr.trimEnd().split('\n')
    expect(r.code).toBe(2)
    expect(lines[0]).toBe(`havip: ${path}: the plan cannot be read:`)
    expect(lines.slice(1, -1)).toHaveLength(20)
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ {2}resource_changes\[\d+\]/)
    expect(lines.at(-1)).toMatch(/^ {2}and \d+ more problems$/)
    const few = writeJson(folder(), 'plan.json', { format_version: '1.2', resource_changes: [{ address: 1 }] })
    const short = (await run([few])).stderr.trimEnd().split('\n')
    expect(short[0]).toBe(`havip: ${few}: the plan cannot be read:`)
    expect(short.slice(1).every((l) => l.startsWith('  resource_changes[0]'))).toBe(true)
    expect((await run(['-'], { stdin: JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 1 }] }) })).stderr).toMatch(/^havip: standard input: the plan cannot be read:\n/)
  })

  it('prints each format: json, sarif (with the version and the source root), junit, and text in colour on a terminal', async () => {
    const path = planFile([pass, full])
    const json = JSON.parse((await run(['--format', 'json', path])).stdout) as { findings: ReadonlyArray<{ verdict: string }> }
    expect(json.findings.map((f) => f.verdict)).toEqual(['fail', 'pass'])
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    const sarif = (await run(['--format', 'sarif', path])).stdout
    const log = JSON.parse(sarif) as { runs: ReadonlyArray<{ tool: { driver: { version: string } }; originalUriBaseIds?: unknown }> }
    expect(log.runs[0]?.tool.driver.version).toBe(version)
    expect(log.runs[0]?.originalUriBaseIds).toBeUndefined()
    const junit = await run(['--format', 'junit', path])
    expect(junit.stdout).toMatch(/^<\?xml/)
    expect(junit.stdout).toContain('<failure')
    expect((await run([path], { stdoutIsTTY: true })).stdout).toMatch(ansi)
    expect((await run([path], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ansi)
    expect((await run([path])).stdout).not.toMatch(ansi)
  })

  it('with --config, locates findings and reads inline waivers; --source-root names the files from elsewhere; sarif gets the root', async () => {
    const root = folder()
    mkdirSync(join(root, 'infra'))
    writeFileSync(join(root, 'infra', 'main.tf'), [
      'resource "volcengine_ha_vip_associate" "full" {',
      '  # havip:ignore LimitExceeded.InstancesPerHaVip raised next week',
      '}',
      '',
      'resource "volcengine_ha_vip_associate" "ok" {',
      '}',
      '',
    ].join('\n'))
    const path = planFile([pass, full])
    const waived = await run(['--config', join(root, 'infra'), path])
    expect(waived.code).toBe(0)
    expect(waived.stdout).toContain('(havip:ignore at main.tf:2)')
    expect(waived.stdout).toContain('at main.tf:5')
    const named = await run(['--config', join(root, 'infra'), '--source-root', root, path])
    expect(named.stdout).toContain('(havip:ignore at infra/main.tf:2)')
    expect(named.stdout).toContain('at infra/main.tf:5')
    const sarif = JSON.parse((await run(['--config', join(root, 'infra'), '--source-root', root, '--format', 'sarif', path])).stdout) as { runs: ReadonlyArray<{ originalUriBaseIds?: Readonly<Record<string, { uri: string }>> }> }
    expect(JSON.stringify(sarif.runs[0]?.originalUriBaseIds)).toContain(`file://${root}/`)
  })

  it('--write-baseline writes the findings and says how many; --baseline waives them; a stale waiver is on stderr in other formats than text', async () => {
    const dir = folder()
    const baseline = join(dir, 'baseline.json')
    const one = await run(['--write-baseline', baseline, planFile([pass, full])])
    expect([one.code, one.stderr]).toEqual([1, `havip plan: wrote 1 waiver to ${baseline}: give a reason to each\n`])
    const two = await run(['--write-baseline', baseline, planFile([pass, full, unknown])])
    expect(two.stderr).toBe(`havip plan: wrote 2 waivers to ${baseline}: give a reason to each\n`)
    const none = await run(['--write-baseline', join(dir, 'none.json'), planFile([pass])])
    expect(none.stderr).toBe(`havip plan: wrote 0 waivers to ${join(dir, 'none.json')}: give a reason to each\n`)
    const entries = (JSON.parse(readFileSync(baseline, 'utf8')) as { waivers: ReadonlyArray<{ reason: string }> }).waivers
    writeJson(dir, 'baseline.json', { havipBaseline: 1, waivers: entries.map((w) => ({ ...w, reason: 'accepted' })) })
    const waived = await run(['--baseline', baseline, planFile([pass, full, unknown])])
    expect([waived.code, waived.stderr]).toEqual([0, ''])
    expect(waived.stdout.trimEnd().split('\n').at(-1)).toBe('3 bindings: 1 pass, 0 fail, 0 unknown, 2 waived')
    // The unknown gone, its waiver is stale: named on stderr with json, in the text itself otherwise.
    const stalePlan = planFile([pass, full])
    const staleJson = await run(['--baseline', baseline, '--format', 'json', stalePlan])
    expect(staleJson.code).toBe(0)
    expect(staleJson.stderr).toMatch(/^havip plan: stale waiver at .*baseline\.json waivers\[1\]: KnownAfterApply on volcengine_ha_vip_associate\.maybe.*\n$/)
    const staleText = await run(['--baseline', baseline, stalePlan])
    expect(staleText.stderr).toBe('')
    expect(staleText.stdout).toContain('stale waiver at')
  })

  it('--verbose lists on stderr the resources it does not read', async () => {
    const path = planFile([pass, { type: 'volcengine_vpc', name: 'main', actions: ['create'], after: {} }])
    expect((await run([path])).stderr).toBe('')
    expect((await run(['--verbose', path])).stderr).toBe('havip plan: not read: volcengine_vpc.main (volcengine_vpc)\n')
  })
})

describe('havip snapshot build', () => {
  const page = basePage
  const pages = (): string => writeBasePages(folder())
  const flags = (dir: string) => ['--havips', join(dir, 'havips.json'), '--instances', join(dir, 'instances.json'), '--enis', join(dir, 'enis.json'), '--subnets', join(dir, 'subnets.json'), '--route-entries', join(dir, 'routes.json')]

  it('writes the snapshot to standard output, or to --out FILE, that answers as the account', async () => {
    const dir = pages()
    const r = await havip(['snapshot', 'build', ...flags(dir)])
    expect([r.code, r.stderr]).toEqual([0, ''])
    const built = JSON.parse(r.stdout) as { Region: string; HaVips: ReadonlyArray<unknown> }
    expect(built.Region).toBe('cn-beijing')
    expect(built.HaVips).toHaveLength((baseJson().HaVips as ReadonlyArray<unknown>).length)
    const out = join(dir, 'out.json')
    expect(await havip(['snapshot', 'build', ...flags(dir), '--region', 'cn-shanghai', '--out', out])).toEqual({ code: 0, stdout: '', stderr: '' })
    expect((JSON.parse(readFileSync(out, 'utf8')) as { Region: string }).Region).toBe('cn-shanghai')
  })

  it('takes several files after one flag, and a folder as its .json files, by name', async () => {
    const dir = pages()
    const ids = (stdout: string) => (JSON.parse(stdout) as { HaVips: ReadonlyArray<{ HaVipId: string }> }).HaVips.map((h) => h.HaVipId)
    const listed = (baseJson().HaVips as ReadonlyArray<{ HaVipId: string }>).map((h) => h.HaVipId)
    const [, , ...rest] = flags(dir)
    // Written last page first: the folder's pages are read by name, so the HaVips keep the API's order.
    const more = folder()
    writeJson(more, 'p3.json', page('DescribeHaVips', { PageNumber: '3', PageSize: '3' }))
    writeJson(more, 'p2.json', page('DescribeHaVips', { PageNumber: '2', PageSize: '3' }))
    writeJson(more, 'notes.txt', 'not a page')
    writeJson(more, 'p1.json', page('DescribeHaVips', { PageNumber: '1', PageSize: '3' }))
    const fromFolder = await havip(['snapshot', 'build', '--havips', more, ...rest])
    expect([fromFolder.code, fromFolder.stderr]).toEqual([0, ''])
    expect(ids(fromFolder.stdout)).toEqual(listed)
    const files = await havip(['snapshot', 'build', '--havips', join(more, 'p1.json'), join(more, 'p2.json'), join(more, 'p3.json'), ...rest])
    expect(files).toEqual(fromFolder)
  })

  it('refuses a word before any page flag, no page at all, a missing page, an empty folder, and pages that do not make a snapshot', async () => {
    const dir = pages()
    expect(await havip(['snapshot', 'build', 'x.json'])).toEqual({ code: 2, stdout: '', stderr: 'havip: unexpected "x.json": pages are given with --havips, --instances, --enis, --subnets or --route-entries (see havip snapshot --help)\n' })
    expect(await havip(['snapshot', 'build', '--region', 'cn-beijing', 'x.json'])).toMatchObject({ code: 2, stderr: 'havip: unexpected "x.json": pages are given with --havips, --instances, --enis, --subnets or --route-entries (see havip snapshot --help)\n' })
    expect(await havip(['snapshot', 'build'])).toEqual({ code: 2, stdout: '', stderr: 'havip: no page given (see havip snapshot --help)\n' })
    expect(await havip(['snapshot', 'build', '--region', 'cn-beijing', '--'])).toEqual({ code: 2, stdout: '', stderr: 'havip: no page given (see havip snapshot --help)\n' })
    const missing = join(dir, 'missing.json')
    expect(await havip(['snapshot', 'build', '--havips', missing])).toEqual({ code: 2, stdout: '', stderr: `havip: ${missing}: cannot read the page: no such file or folder\n` })
    const empty = folder()
    expect(await havip(['snapshot', 'build', '--havips', empty])).toEqual({ code: 2, stdout: '', stderr: `havip: ${empty}: a folder without a .json page\n` })
    const [, , ...rest] = flags(dir)
    const wrong = await havip(['snapshot', 'build', '--havips', join(dir, 'instances.json'), ...rest])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr.split('\n')[0]).toBe('havip: the pages do not make a snapshot:')
    expect(wrong.stderr.split('\n')[1]).toMatch(new RegExp(`^ {2}${join(dir, 'instances.json')}: `))
    const listless = writeJson(dir, 'listless.json', 7)
    expect((await havip(['snapshot', 'build', '--havips', listless, ...rest])).stderr).toContain(`  ${listless}: (root): `)
  })
})

describe('havip snapshot pull', () => {
  const env = { VOLC_ACCESSKEY: accessKeyId, VOLC_SECRETKEY: secretKey }

  it('reads the account from an endpoint, signed with VOLC_ACCESSKEY and VOLC_SECRETKEY, with progress on a terminal', async () => {
    const { app, port } = await startServer(baseJson())
    try {
      const endpoint = `http://127.0.0.1:${String(port)}`
      const r = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', endpoint], { env })
      expect([r.code, r.stderr]).toEqual([0, ''])
      expect((JSON.parse(r.stdout) as { HaVips: ReadonlyArray<unknown> }).HaVips).toHaveLength((baseJson().HaVips as ReadonlyArray<unknown>).length)
      const shown = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', endpoint, '--max-pages', '5', '--vpc-id', 'vpc-none'], { env, stderrIsTTY: true })
      expect(shown.code).toBe(0)
      const counts = ['HaVips 0 (1 page)', 'Instances 0 (1 page)', 'NetworkInterfaces 0 (1 page)', 'Subnets 0 (1 page)']
      expect(shown.stderr).toBe(`${counts.map((_, i) => `\rpulling: ${counts.slice(0, i + 1).join(', ')}`).join('')}\n`)
      expect((JSON.parse(shown.stdout) as { HaVips: ReadonlyArray<unknown> }).HaVips).toEqual([])
      const out = join(folder(), 'pulled.json')
      expect(await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', endpoint, '--out', out], { env })).toEqual({ code: 0, stdout: '', stderr: '' })
      expect(readFileSync(out, 'utf8')).toContain('"havip-1"')
      const unsigned = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', endpoint], { env: { VOLC_ACCESSKEY: accessKeyId, VOLC_SECRETKEY: 'wrong' } })
      expect(unsigned.code).toBe(2)
    } finally {
      await app.close(0)
    }
    const many = await startServer(oneHaVipAccount(150))
    try {
      const r = await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', `http://127.0.0.1:${String(many.port)}`], { env, stderrIsTTY: true })
      expect(r.code).toBe(0)
      expect(r.stderr).toContain(', Instances 150 (2 pages)')
      expect((await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', `http://127.0.0.1:${String(many.port)}`, '--max-pages', '1'], { env })).stderr).toMatch(/^havip: .*1 page/)
    } finally {
      await many.app.close(0)
    }
  })

  it('needs both keys, pages of at least 1, a usable endpoint, and no other word', async () => {
    const needKeys = 'havip: set VOLC_ACCESSKEY and VOLC_SECRETKEY to the account\'s access key (see havip snapshot --help)\n'
    for (const keys of [{}, { VOLC_ACCESSKEY: accessKeyId }, { VOLC_SECRETKEY: secretKey }, { VOLC_ACCESSKEY: '', VOLC_SECRETKEY: secretKey }, { VOLC_ACCESSKEY: accessKeyId, VOLC_SECRETKEY: '' }]) {
      expect(await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', 'http://127.0.0.1:1'], { env: keys }), JSON.stringify(keys)).toEqual({ code: 2, stdout: '', stderr: needKeys })
    }
    for (const n of ['0', '1.5', 'many', '']) {
      expect(await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--max-pages', n], { env }), n).toEqual({ code: 2, stdout: '', stderr: `havip: --max-pages ${JSON.stringify(n)}: expected a whole number of pages, at least 1\n` })
    }
    // A URL that cannot work is named before the keys are asked for.
    expect((await havip(['snapshot', 'pull', '--region', 'cn-beijing', '--endpoint', 'ftp://127.0.0.1/'])).stderr).toBe('havip: --endpoint ftp://127.0.0.1: the scheme must be http or https\n')
    expect(await havip(['snapshot', 'pull', '--region', 'cn-beijing', 'extra'], { env })).toEqual({ code: 2, stdout: '', stderr: 'havip: unexpected "extra" (see havip snapshot --help)\n' })
  })
})

describe('havip serve', () => {
  const serveArgs = (path: string, ...flags: ReadonlyArray<string>) => ['serve', '--snapshot', path, '--port', '0', ...flags]

  /** A request of the server a serve command started: its status and body. */
  const get = async (url: string, path: string): Promise<{ status: number; body: string }> => {
    const r = await fetch(`${url}${path}`)
    return { status: r.status, body: await r.text() }
  }

  it('listens on the port it prints, answers, and on SIGTERM saves the state and exits 0', async () => {
    const path = snapshotFile()
    const running = startHavip(serveArgs(path))
    const [, url = ''] = await running.printed(/listening on (http:\/\/\S+)\n/)
    expect(running.stdout()).toBe(`havip serve: listening on ${url}\n`)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const bound = await get(url, `/?${ok}`)
    expect(bound.status).toBe(200)
    running.stop()
    const done = await running.done
    expect(done.code).toBe(0)
    expect(done.stderr).toContain('havip serve: no credentials given: unsigned requests are accepted')
    expect(done.stderr).not.toContain('warning')
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { HaVips: ReadonlyArray<{ HaVipId: string; AssociatedInstanceIds: ReadonlyArray<string> }> }
    expect(saved.HaVips.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual(['i-1'])
  })

  it('--in-memory never writes the file; --no-control answers 404 under /_havip/; --log-format json logs JSON lines', async () => {
    const path = snapshotFile()
    const before = readFileSync(path)
    const running = startHavip(serveArgs(path, '--in-memory', '--no-control', '--log-format', 'json', '--host', 'localhost'))
    const [, url = ''] = await running.printed(/listening on (http:\/\/\S+)\n/)
    expect((await get(url, `/?${ok}`)).status).toBe(200)
    expect((await get(url, '/_havip/state')).status).toBe(404)
    running.stop()
    const done = await running.done
    expect(done.code).toBe(0)
    expect(readFileSync(path)).toEqual(before)
    // A request a line, as JSON; the server's own notes stay text.
    const requests = done.stderr.trim().split('\n').filter((line) => !line.startsWith('havip serve: '))
    expect(requests.map((line) => (JSON.parse(line) as { status: number }).status)).toEqual([200, 404])
    expect(done.stderr).not.toContain('warning')
  })

  it('checks signatures with the keys of the flags or of VOLC_ACCESSKEY and VOLC_SECRETKEY; control routes answer on loopback', async () => {
    for (const [flags, env] of [[['--access-key', accessKeyId, '--secret-key', secretKey], {}], [[], { VOLC_ACCESSKEY: accessKeyId, VOLC_SECRETKEY: secretKey }]] as const) {
      const running = startHavip(serveArgs(snapshotFile(), '--async-steps', '2', ...flags), { env })
      const [, url = ''] = await running.printed(/listening on (http:\/\/\S+)\n/)
      expect((await get(url, `/?${ok}`)).status).toBe(401)
      const state = await get(url, '/_havip/state')
      expect(state.status).toBe(200)
      expect(state.body).toContain('"AsyncSteps":2')
      running.stop()
      const done = await running.done
      expect(done.code).toBe(0)
      expect(done.stderr).not.toContain('no credentials given')
    }
  })

  it('warns that --control-from-anywhere lets any client reset the state', async () => {
    const running = startHavip(serveArgs(snapshotFile(), '--in-memory', '--control-from-anywhere', '--grace', '3600'))
    await running.printed(/listening on/)
    running.stop()
    const done = await running.done
    expect(done.code).toBe(0)
    expect(done.stderr).toContain('havip serve: warning: --control-from-anywhere: any client that reaches this port can reset the state and inject faults (docs/security.md)')
  })

  it('--compact-after BYTES folds the journal into the file while it serves', async () => {
    const path = snapshotFile()
    const running = startHavip(serveArgs(path, '--compact-after', '0'))
    const [, url = ''] = await running.printed(/listening on (http:\/\/\S+)\n/)
    try {
      expect((await get(url, `/?${ok}`)).status).toBe(200)
      // Folded in the background: wait until the file holds the binding (without the flag, not before the end).
      while (!readFileSync(path, 'utf8').includes('"i-1"')) await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      running.stop()
      expect((await running.done).code).toBe(0)
    }
  })

  it('exits 2 saying the journal keeps every change when the final save fails', async () => {
    const dir = folder()
    const path = writeJson(dir, 'snapshot.json', baseJson())
    const running = startHavip(serveArgs(path))
    await running.printed(/listening on/)
    rmSync(dir, { recursive: true, force: true })
    running.stop()
    const done = await running.done
    expect(done.code).toBe(2)
    expect(done.stderr).toMatch(/havip: stopped, but the state could not be saved: .+; the journal keeps every change\n$/)
  })

  it('exits 2 naming the address when the port is taken', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const port = String((taken.address() as AddressInfo).port)
      const path = snapshotFile()
      const r = await havip(['serve', '--snapshot', path, '--port', port])
      expect([r.code, r.stdout]).toEqual([2, ''])
      expect(r.stderr).toMatch(new RegExp(`^havip: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
      // The store it opened is closed again: the file's lock is free for the next writer.
      expect((await havip(['call', '--snapshot', path, '--write', ok])).code).toBe(0)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('refuses bad flags before opening anything, one line each', async () => {
    const path = snapshotFile()
    const refusals: ReadonlyArray<readonly [ReadonlyArray<string>, Readonly<Record<string, string>>, string]> = [
      [['extra'], {}, 'havip serve takes no QUERY (see havip serve --help)'],
      [['--access-key', 'AK'], {}, 'give both --access-key and --secret-key, or neither (see havip serve --help)'],
      [['--secret-key', 'SK'], {}, 'give both --access-key and --secret-key, or neither (see havip serve --help)'],
      [[], { VOLC_ACCESSKEY: 'AK' }, 'give both --access-key and --secret-key, or neither (see havip serve --help)'],
      [['--access-key', '', '--secret-key', 'SK'], {}, '--access-key is empty; give the access key, or neither key to accept unsigned requests'],
      [[], { VOLC_ACCESSKEY: '', VOLC_SECRETKEY: 'SK' }, 'VOLC_ACCESSKEY is empty; give the access key, or neither key to accept unsigned requests'],
      [['--access-key', 'AK', '--secret-key', ''], {}, '--secret-key is empty; give the secret key, or neither key to accept unsigned requests'],
      [[], { VOLC_ACCESSKEY: 'AK', VOLC_SECRETKEY: '' }, 'VOLC_SECRETKEY is empty; give the secret key, or neither key to accept unsigned requests'],
      [['--port', '65536'], {}, '--port "65536" is not a whole number from 0 to 65535'],
      [['--port', '08'], {}, '--port "08" is not a whole number from 0 to 65535'],
      [['--port', '1x'], {}, '--port "1x" is not a whole number from 0 to 65535'],
      [['--port', 'x1'], {}, '--port "x1" is not a whole number from 0 to 65535'],
      [['--port', '12345678901234567'], {}, '--port "12345678901234567" is not a whole number from 0 to 65535'],
      [['--host', ' '], {}, '--host is empty; give an address (127.0.0.1 to stay on this machine)'],
      [['--async-steps', '1000001'], {}, '--async-steps "1000001" is not a whole number from 0 to 1000000'],
      [['--grace', '3601'], {}, '--grace "3601" is not a whole number from 0 to 3600'],
      [['--compact-after', '1e3'], {}, `--compact-after "1e3" is not a whole number from 0 to ${String(Number.MAX_SAFE_INTEGER)}`],
      [['--log-format', 'xml'], {}, '--log-format "xml" is neither text nor json'],
      [['--no-control', '--control-from-anywhere'], {}, 'give --no-control or --control-from-anywhere, not both'],
    ]
    for (const [flags, env, message] of refusals) {
      expect(await havip(['serve', '--snapshot', path, ...flags], { env }), flags.join(' ')).toEqual({ code: 2, stdout: '', stderr: `havip: ${message}\n` })
    }
    // The defaults (port 8080 on 127.0.0.1) are good flags: the snapshot that cannot be read is what stops it.
    const missing = join(folder(), 'missing.json')
    for (const flags of [['--in-memory'], []]) {
      const r = await havip(['serve', '--snapshot', missing, ...flags])
      expect([r.code, r.stdout]).toEqual([2, ''])
      expect(r.stderr).toMatch(new RegExp(`^havip: [^\\n]*${missing}[^\\n]*\\n$`))
    }
  })
})

describe('the outputs of the process', () => {
  it('drop what is left to print once the reader has left, and never throw', () => {
    const written: Array<string> = []
    const stream = new Writable({ write: (chunk: Buffer, _, done) => { written.push(chunk.toString()); done() } })
    const write = safeWriter(stream)
    write('first\n')
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    write('second\n')
    expect(written).toEqual(['first\n'])
    // A stream that throws on write (destroyed under it) is left alone after the first failure.
    let calls = 0
    const throwing = new Writable({ write: (_chunk, _encoding, done) => { done() } })
    throwing.write = () => { calls += 1; throw new Error('destroyed') }
    const writeThrowing = safeWriter(throwing)
    expect(() => { writeThrowing('a') }).not.toThrow()
    writeThrowing('b')
    expect(calls).toBe(1)
  })
})
