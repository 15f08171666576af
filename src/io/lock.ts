import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { errorCode, fsReason, UsageError } from './usage-error.js'

/** Who holds a snapshot's lock: written into the lock file, shown to whoever is refused. */
interface Holder {
  readonly pid: number
  readonly host: string
  readonly command: string
  readonly since: string
}

/** An exclusive hold on a snapshot file: one writer at a time. */
export interface Lock {
  readonly path: string
  /** Gives the lock up (only if it is still this one's). */
  readonly release: () => void
}

/** What a lock needs from its surroundings: tests put their own host, clock and processes in. */
export interface LockEnv {
  readonly hostname: () => string
  readonly now: () => number
  /** `process.kill`: signal 0 only asks whether the process exists. */
  readonly kill: (pid: number, signal: 0) => void
}

const nodeLockEnv: LockEnv = { hostname, now: Date.now, kill: (pid, signal) => { process.kill(pid, signal) } }

const alive = (pid: number, env: LockEnv): boolean => {
  try {
    env.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, and belongs to someone else.
    return errorCode(e) === 'EPERM'
  }
}

const readHolder = (path: string): Holder | undefined => {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? { pid: holder.pid, host: holder.host, command: String(holder.command), since: String(holder.since) }
      : undefined
  } catch {
    return undefined
  }
}

// A lock file that is empty or unreadable this long after it was made belongs to a writer that died while making it.
const unreadableGraceMs = 10_000

/** Whether a lock file belongs to nobody any more: its holder died (on this host), or it never got written. */
const isStale = (path: string, env: LockEnv): boolean => {
  const holder = readHolder(path)
  if (holder === undefined) {
    try {
      return env.now() - statSync(path).mtimeMs > unreadableGraceMs
    } catch {
      return true
    }
  }
  return holder.host === env.hostname() && !alive(holder.pid, env)
}

const describeHolder = (path: string, env: LockEnv): string => {
  const holder = readHolder(path)
  return holder === undefined
    ? `the lock file ${path} is being written`
    : `${holder.command} (pid ${String(holder.pid)}${holder.host === env.hostname() ? '' : ` on ${holder.host}`}, since ${holder.since}) holds ${path}`
}

/**
 * Takes the lock of a snapshot file: `FILE.lock` beside it, made exclusively and holding the
 * holder's pid. A holder that died (killed, crashed) does not keep it: its lock is taken over.
 * Anyone else holding it is a usage error naming them.
 */
export const lockSnapshot = (target: string, command: string, env: LockEnv = nodeLockEnv): Lock => {
  const path = `${target}.lock`
  const holder: Holder = { pid: process.pid, host: env.hostname(), command, since: new Date(env.now()).toISOString() }
  const text = `${JSON.stringify(holder)}\n`
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx', 0o644)
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') {
        throw new UsageError(`${target}: cannot take its lock ${path}: ${fsReason(e)}`)
      }
      if (!isStale(path, env)) throw new UsageError(`${target} is in use: ${describeHolder(path, env)}; stop it first`)
      // Move the dead holder's lock aside rather than delete it: of two takers, one rename wins.
      const aside = `${path}.stale-${randomBytes(4).toString('hex')}`
      try {
        renameSync(path, aside)
        rmSync(aside)
      } catch {
        // Someone else took it over first; try again.
      }
      continue
    }
    try {
      writeSync(fd, text)
    } finally {
      closeSync(fd)
    }
    return {
      path,
      release: () => {
        const current = readHolder(path)
        if (current?.pid !== holder.pid || current.host !== holder.host || current.since !== holder.since) return
        try {
          rmSync(path)
        } catch {
          // Removed already.
        }
      },
    }
  }
  throw new UsageError(`${target}: cannot take its lock ${path}: it keeps changing hands`)
}
