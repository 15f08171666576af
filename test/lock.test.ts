import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LockEnv } from '../src/io/lock.js'
import { lockSnapshot } from '../src/io/lock.js'
import { UsageError } from '../src/io/usage-error.js'
import { openFiles, systemError } from './support/recording-ops.js'
import { tempFolder } from './support/temp.js'

const since = '2026-11-27T00:00:00.000Z'
const noon = Date.parse(since)

/** This host is `here`, the time `since`, and every process asked about is alive. */
const env = (over: Partial<LockEnv> = {}): LockEnv => ({ hostname: () => 'here', now: () => noon, kill: () => undefined, ...over })
const dead: Partial<LockEnv> = { kill: () => { throw systemError('ESRCH') } }

const target = (): string => join(tempFolder('havip-lock-'), 'snapshot.json')
const holderText = (holder: object): string => `${JSON.stringify(holder)}\n`

describe('lockSnapshot', () => {
  it('writes who holds the lock, and refuses the next writer naming them', () => {
    const file = target()
    const before = openFiles()
    const lock = lockSnapshot(file, 'havip serve', env())
    expect(lock.path).toBe(`${file}.lock`)
    expect(openFiles()).toBe(before)
    const written = JSON.parse(readFileSync(lock.path, 'utf8')) as Record<string, unknown>
    expect(Object.keys(written)).toEqual(['pid', 'host', 'command', 'since', 'start', 'nonce'])
    expect(written).toMatchObject({ pid: process.pid, host: 'here', command: 'havip serve', since })
    expect([String(written.start), String(written.nonce)]).toEqual([expect.stringMatching(/^\d+$/) as unknown, expect.stringMatching(/^[0-9a-f]{16}$/) as unknown])
    expect(() => lockSnapshot(file, 'havip call', env())).toThrow(new UsageError(`${file} is in use: havip serve (pid ${String(process.pid)}, since ${since}) holds ${file}.lock; stop it first`))
    lock.release()
    expect(existsSync(lock.path)).toBe(false)
  })

  it('never takes over the lock of a holder on another host, and names that host', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: 999_999, host: 'there', command: 'havip serve', since }))
    expect(() => lockSnapshot(file, 'havip call', env(dead))).toThrow(new UsageError(`${file} is in use: havip serve (pid 999999 on there, since ${since}) holds ${file}.lock; stop it first`))
  })

  it('takes over the lock of a holder that died on this host, leaving nothing aside', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: 999_999, host: 'here', command: 'havip serve', since: 'yesterday' }))
    const asked: Array<number> = []
    const lock = lockSnapshot(file, 'havip call', env({ kill: (pid) => { asked.push(pid); throw systemError('ESRCH') } }))
    expect(asked).toEqual([999_999])
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: 'here', command: 'havip call', since })
    expect(readdirSync(join(file, '..'))).toEqual(['snapshot.json.lock'])
  })

  it('clears what takers that died left beside the lock (drafts, claims), and nothing a live taker is using', () => {
    const file = target()
    const folder = join(file, '..')
    const deadMaker = holderText({ pid: 999_999, host: 'here', command: 'havip serve', since: 'yesterday' })
    const liveMaker = holderText({ pid: 999_998, host: 'here', command: 'havip serve', since })
    writeFileSync(`${file}.lock.new-0123456789ab`, deadMaker)
    writeFileSync(`${file}.lock.takeover-0123456789abcdef-0`, deadMaker)
    writeFileSync(`${file}.lock.new-unwritten`, '')
    const hourAgo = new Date(Date.now() - 3_600_000)
    utimesSync(`${file}.lock.new-unwritten`, hourAgo, hourAgo)
    // Being written now, a live taker's claim, a remote taker's draft, and files that are not the lock's.
    writeFileSync(`${file}.lock.new-fresh`, '')
    writeFileSync(`${file}.lock.takeover-fedcba9876543210-0`, liveMaker)
    writeFileSync(`${file}.lock.new-remote`, holderText({ pid: 999_999, host: 'there', command: 'havip serve', since }))
    writeFileSync(`${file}.new-0123456789ab`, deadMaker)
    writeFileSync(join(folder, 'other.json.lock.new-0123456789ab'), deadMaker)
    const lock = lockSnapshot(file, 'havip serve', env({ now: Date.now, kill: (pid) => { if (pid === 999_999) throw systemError('ESRCH') } }))
    expect(readdirSync(folder).sort()).toEqual([
      'other.json.lock.new-0123456789ab', 'snapshot.json.lock', 'snapshot.json.lock.new-fresh', 'snapshot.json.lock.new-remote',
      'snapshot.json.lock.takeover-fedcba9876543210-0', 'snapshot.json.new-0123456789ab',
    ])
    lock.release()
  })

  it('takes over a lock naming its own pid when another process wrote it (a container restarted as PID 1), or a pid now another process\'s', () => {
    for (const holder of [{ pid: process.pid, start: '1' }, { pid: process.pid }, { pid: 1, start: 'never' }]) {
      const file = target()
      writeFileSync(`${file}.lock`, holderText({ ...holder, host: 'here', command: 'havip serve', since: 'yesterday' }))
      const lock = lockSnapshot(file, 'havip serve', env())
      expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, since })
      expect(readdirSync(join(file, '..'))).toEqual(['snapshot.json.lock'])
      lock.release()
    }
  })

  it('refuses a file with another name (a hard link): a writer through that name would take another lock', () => {
    const file = target()
    writeFileSync(file, '{}')
    const other = join(file, '..', 'other.json')
    const served = lockSnapshot(file, 'havip serve', env())
    linkSync(file, other)
    expect(() => lockSnapshot(other, 'havip call', env())).toThrow(`${other} is in use under another name: it has 2 hard links`)
    expect(existsSync(`${other}.lock`)).toBe(false)
    served.release()
    // Nor is a server started on a file with two names.
    expect(() => lockSnapshot(file, 'havip serve', env())).toThrow(`${file} is in use under another name: it has 2 hard links`)
  })

  it('counts a holder it may not signal as alive', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: 1, host: 'here', command: 'havip serve', since }))
    expect(() => lockSnapshot(file, 'havip call', env({ kill: () => { throw systemError('EPERM') } }))).toThrow(/is in use: havip serve \(pid 1, since/)
  })

  it('gives a lock file that says nobody ten seconds to be written, then takes it over', () => {
    for (const text of ['', '{', 'null', '{"pid":"1","host":"here"}', '{"pid":1}', '{"host":"here"}']) {
      const file = target()
      writeFileSync(`${file}.lock`, text)
      const made = statSync(`${file}.lock`).mtimeMs
      expect(() => lockSnapshot(file, 'havip call', env({ now: () => made + 10_000 }))).toThrow(new UsageError(`${file} is in use: the lock file ${file}.lock is being written; stop it first`))
      const lock = lockSnapshot(file, 'havip call', env({ now: () => made + 10_001 }))
      expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'havip call' })
    }
  })

  it('tries again when the lock file goes away while it is being looked at', () => {
    const file = target()
    writeFileSync(`${file}.lock`, '')
    let calls = 0
    // The second look at the clock is the one before the lock file's age is read.
    const lock = lockSnapshot(file, 'havip call', env({ now: () => { if (++calls === 2) rmSync(`${file}.lock`); return noon } }))
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid })
  })

  it('says why it cannot make the lock file', () => {
    const file = join(tempFolder('havip-lock-'), 'no-such-folder', 'snapshot.json')
    expect(() => lockSnapshot(file, 'havip call', env())).toThrow(new UsageError(`${file}: cannot take its lock ${file}.lock: no such file or folder`))
  })

  it('releases only its own lock, and a lock already gone quietly', () => {
    for (const other of [{ pid: process.pid + 1, host: 'here', since }, { pid: process.pid, host: 'there', since }, { pid: process.pid, host: 'here', since: 'later' }]) {
      const file = target()
      const lock = lockSnapshot(file, 'havip serve', env())
      writeFileSync(lock.path, holderText({ ...other, command: 'another' }))
      lock.release()
      expect(existsSync(lock.path)).toBe(true)
    }
    const lock = lockSnapshot(target(), 'havip serve', env())
    rmSync(lock.path)
    lock.release()
    mkdirSync(lock.path)
    lock.release()
    expect(statSync(lock.path).isDirectory()).toBe(true)
  })
})

describe('havip call --write through a hard link to a served file', () => {
  it('is refused (exit 2), the file and its journal left as they are', () => {
    const file = target()
    writeFileSync(file, JSON.stringify({ Region: 'cn-beijing' }))
    const served = lockSnapshot(file, 'havip serve')
    const other = join(file, '..', 'other.json')
    linkSync(file, other)
    const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
    const r = spawnSync(process.execPath, [cli, 'call', '--snapshot', other, '--write', 'Action=DescribeHaVips&Version=2020-04-01'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${other} is in use under another name: it has 2 hard links`)
    expect(statSync(file).nlink).toBe(2)
    served.release()
  })
})
