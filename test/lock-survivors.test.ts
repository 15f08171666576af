import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import type { Lock, LockEnv } from '../src/io/lock.js'
import { lockSnapshot } from '../src/io/lock.js'
import { UsageError } from '../src/io/usage-error.js'
import { openFiles, systemError } from './support/recording-ops.js'
import { tempFolder } from './support/temp.js'

const since = '2026-11-27T00:00:00.000Z'
const noon = Date.parse(since)
const env = (over: Partial<LockEnv> = {}): LockEnv => ({ hostname: () => 'here', now: () => noon, kill: () => undefined, ...over })
const target = (name = 'snapshot.json'): string => join(tempFolder('havip-lock-'), name)
const holderText = (holder: object): string => `${JSON.stringify(holder)}\n`
const deadPid = 999_999
const deadHolder = holderText({ pid: deadPid, host: 'here', command: 'havip serve', since: 'yesterday' })
/** The name of generation `n` of the claim on the lock file now at `lock`. */
const claimOf = (lock: string, n: number): string => {
  const { dev, ino } = statSync(lock)
  const id = createHash('sha256').update(`${String(dev)}:${String(ino)}:${readFileSync(lock, 'utf8')}`).digest('hex').slice(0, 16)
  return `${lock}.takeover-${id}-${String(n)}`
}

/** The lock is now this process's `havip call`; with `file`, nothing but the lock is left beside it (claims and drafts swept). Gives it back. */
const expectTakenOver = (lock: Lock, file?: string): void => {
  expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'havip call' })
  if (file !== undefined) expect(readdirSync(join(file, '..'))).toEqual(['snapshot.json.lock'])
  lock.release()
}

describe('lockSnapshot, in this process', () => {
  it('refuses a second lock of this process even where process start times are unknown', () => {
    const file = target()
    const unknown = env({ startOf: () => undefined })
    const lock = lockSnapshot(file, 'havip serve', unknown)
    expect(() => lockSnapshot(file, 'havip call', unknown)).toThrow(new UsageError(`${file} is in use: havip serve (pid ${String(process.pid)}, since ${since}) holds ${file}.lock; stop it first`))
    lock.release()
    expect(existsSync(lock.path)).toBe(false)
  })

  it('takes over a lock naming this pid and a nonce it never made, where start times are unknown', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: process.pid, host: 'here', command: 'havip serve', since: 'yesterday', nonce: '0123456789abcdef' }))
    const lock = lockSnapshot(file, 'havip call', env({ startOf: () => undefined }))
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'havip call', since })
    lock.release()
  })

  it('asks whether a holder lives when its start time cannot be read now', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: deadPid, host: 'here', command: 'havip serve', since, start: '5' }))
    expect(() => lockSnapshot(file, 'havip call', env({ startOf: () => undefined }))).toThrow(new UsageError(`${file} is in use: havip serve (pid ${String(deadPid)}, since ${since}) holds ${file}.lock; stop it first`))
  })

  it('writes its own start time as the system gives it (field 22 of /proc/self/stat)', () => {
    const file = target()
    const stat = readFileSync('/proc/self/stat', 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const lock = lockSnapshot(file, 'havip serve', env())
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ start: fields[19] })
    lock.release()
  })

  it('closes every file it looks at, refused or not', () => {
    const file = target()
    const before = openFiles()
    const lock = lockSnapshot(file, 'havip serve', env())
    expect(() => lockSnapshot(file, 'havip call', env())).toThrow(/is in use/)
    lock.release()
    expect(openFiles()).toBe(before)
  })
})

describe('lockSnapshot, taking over a dead holder\'s lock', () => {
  it('passes over a claim whose maker died, and takes the lock', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    writeFileSync(claimOf(`${file}.lock`, 0), deadHolder)
    const lock = lockSnapshot(file, 'havip call', env({ kill: (pid) => { if (pid === deadPid) throw systemError('ESRCH') } }))
    expectTakenOver(lock, file)
  })

  it('leaves the lock to a taker alive that holds its claim, until that taker is gone', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    const taker = 999_997
    writeFileSync(claimOf(`${file}.lock`, 0), deadHolder)
    writeFileSync(claimOf(`${file}.lock`, 1), holderText({ pid: taker, host: 'here', command: 'havip call', since }))
    const lockWhileTakerAlive: Array<string> = []
    let asked = 0
    const lock = lockSnapshot(file, 'havip call', env({
      kill: (pid) => {
        if (pid === taker && ++asked <= 2) { lockWhileTakerAlive.push(readFileSync(`${file}.lock`, 'utf8')); return }
        throw systemError('ESRCH')
      },
    }))
    expect(lockWhileTakerAlive).toEqual([deadHolder, deadHolder])
    expectTakenOver(lock, file)
  })

  it('leaves the lock to a claim not yet written, until it is gone', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    const claim = claimOf(`${file}.lock`, 0)
    writeFileSync(claim, '')
    const lockWhileClaimed: Array<string> = []
    const lock = lockSnapshot(file, 'havip call', env({
      kill: () => {
        if (existsSync(claim)) {
          lockWhileClaimed.push(readFileSync(`${file}.lock`, 'utf8'))
          if (lockWhileClaimed.length === 2) rmSync(claim)
        }
        throw systemError('ESRCH')
      },
    }))
    expect(lockWhileClaimed).toEqual([deadHolder, deadHolder])
    expectTakenOver(lock)
  })

  it('never removes a live holder\'s lock that replaced the dead one while it was judged', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    const live = holderText({ pid: 999_996, host: 'here', command: 'havip pull', since })
    const lockEnv = env({
      kill: (pid) => {
        if (pid !== deadPid) return
        rmSync(`${file}.lock`)
        writeFileSync(`${file}.lock`, live)
        throw systemError('ESRCH')
      },
    })
    expect(() => lockSnapshot(file, 'havip call', lockEnv)).toThrow(new UsageError(`${file} is in use: havip pull (pid 999996, since ${since}) holds ${file}.lock; stop it first`))
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(live)
  })

  it('names the holder that is there when it refuses, not one that was there before', () => {
    const file = target()
    writeFileSync(`${file}.lock`, holderText({ pid: 999_995, host: 'here', command: 'havip serve', since }))
    const next = holderText({ pid: 999_994, host: 'here', command: 'havip pull', since })
    let asked = 0
    // The holder changes in place (same file) while the first one is asked about.
    const lockEnv = env({ kill: () => { if (++asked === 1) writeFileSync(`${file}.lock`, next) } })
    expect(() => lockSnapshot(file, 'havip call', lockEnv)).toThrow(new UsageError(`${file} is in use: havip pull (pid 999994, since ${since}) holds ${file}.lock; stop it first`))
  })

  it('takes over a dead holder\'s lock of a file with a long name (its claim\'s name stays short)', () => {
    const file = target(`${'s'.repeat(200)}.json`)
    writeFileSync(`${file}.lock`, deadHolder)
    const lock = lockSnapshot(file, 'havip call', env({ kill: () => { throw systemError('ESRCH') } }))
    expectTakenOver(lock)
  })

  it('gives up, saying so, when the lock file keeps changing hands 400 times', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    let asked = 0
    // Each time a dead holder is judged, another dead holder's lock file has taken its place.
    const lockEnv = env({
      kill: () => {
        if (++asked <= 500) { rmSync(`${file}.lock`); writeFileSync(`${file}.lock`, holderText({ pid: deadPid, host: 'here', command: 'havip serve', since: String(asked) })) }
        throw systemError('ESRCH')
      },
    })
    expect(() => lockSnapshot(file, 'havip call', lockEnv)).toThrow(new UsageError(`${file}: cannot take its lock ${file}.lock: it keeps changing hands`))
    expect(asked).toBe(400)
  })
})

describe('lockSnapshot, a lock file it cannot read', () => {
  it('says why it cannot read the lock file (a symbolic link to itself)', () => {
    const file = target()
    symlinkSync(`${file}.lock`, `${file}.lock`)
    expect(() => lockSnapshot(file, 'havip call', env())).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot take its lock .*\\.lock: (?!it keeps changing hands)`))
  })

  it('says why it cannot claim a dead holder\'s lock (its claim is a symbolic link to itself)', () => {
    const file = target()
    writeFileSync(`${file}.lock`, deadHolder)
    const claim = claimOf(`${file}.lock`, 0)
    symlinkSync(claim, claim)
    expect(() => lockSnapshot(file, 'havip call', env({ kill: () => { throw systemError('ESRCH') } }))).toThrow(/: cannot take its lock .*\.lock: (?!it keeps changing hands)/)
  })

  it('reads at most 64 KiB of a lock file: a longer one is a lock being written', () => {
    const file = target()
    // Longer than 64 KiB, shorter than 68 KiB: not one byte past the bound is read.
    writeFileSync(`${file}.lock`, holderText({ pid: 999_993, host: 'here', command: `havip serve ${'x'.repeat(66_000)}`, since }))
    expect(statSync(`${file}.lock`).size).toBeGreaterThan(65_536)
    expect(() => lockSnapshot(file, 'havip call', env({ now: () => statSync(`${file}.lock`).mtimeMs }))).toThrow(new UsageError(`${file} is in use: the lock file ${file}.lock is being written; stop it first`))
  })

  // The umask can be set only in a process's main thread: the suite runs each file in a forked
  // process; Stryker runs them in worker threads, where this test is skipped.
  it.runIf(isMainThread)('writes its lock readable by all and writable by its owner only, whatever the umask', () => {
    const file = target()
    const umask = process.umask(0)
    try {
      const lock = lockSnapshot(file, 'havip serve', env())
      expect(statSync(lock.path).mode & 0o777).toBe(0o644)
      lock.release()
    } finally {
      process.umask(umask)
    }
  })
})
