import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fstatSync, linkSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { errorCode, fsReason, UsageError } from './usage-error.js'

/** Who holds a snapshot's lock: written into the lock file, shown to whoever is refused. */
interface Holder {
  readonly pid: number
  readonly host: string
  readonly command: string
  readonly since: string
  /** When the process started (Linux: field 22 of /proc/PID/stat): a pid reused by another process, or one's own after a restart, is not the holder. */
  readonly start?: string
  /** Makes every lock file's text unique: a take-over removes exactly the file it judged dead. */
  readonly nonce?: string
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
  /** When a process started, if the system says (`undefined`: no such process, or no way to know). */
  readonly startOf?: (pid: number) => string | undefined
}

/** Field 22 of /proc/PID/stat: the process's start, in clock ticks since boot. The command (field 2) may hold spaces and parentheses. */
const procStart = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

const nodeLockEnv: LockEnv = { hostname, now: Date.now, kill: (pid, signal) => { process.kill(pid, signal) }, startOf: procStart }

// The locks this process holds, by lock path: the nonce of each. Where start times are unknown, a lock naming this process's pid is its own only if listed here.
const heldHere = new Map<string, string>()

const alive = (pid: number, env: LockEnv): boolean => {
  try {
    env.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, and belongs to someone else.
    return errorCode(e) === 'EPERM'
  }
}

const parseHolder = (text: string): Holder | undefined => {
  try {
    const holder = JSON.parse(text) as Partial<Holder>
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? {
          pid: holder.pid, host: holder.host, command: String(holder.command), since: String(holder.since),
          ...(typeof holder.start === 'string' ? { start: holder.start } : {}),
          ...(typeof holder.nonce === 'string' ? { nonce: holder.nonce } : {}),
        }
      : undefined
  } catch {
    return undefined
  }
}

/** A lock file as seen through one descriptor: which file (inode) and what it says. `undefined` when there is none. */
interface Seen {
  readonly dev: number
  readonly ino: number
  readonly mtimeMs: number
  readonly text: string
}

const look = (path: string): Seen | undefined => {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined
    throw e
  }
  try {
    const { dev, ino, mtimeMs } = fstatSync(fd)
    const chunks: Array<Buffer> = []
    const buffer = Buffer.alloc(4096)
    for (let n = readSync(fd, buffer); n > 0 && chunks.length < 16; n = readSync(fd, buffer)) chunks.push(Buffer.from(buffer.subarray(0, n)))
    return { dev, ino, mtimeMs, text: Buffer.concat(chunks).toString('utf8') }
  } finally {
    closeSync(fd)
  }
}

// A lock file that is empty or unreadable this long after it was made belongs to a writer that died while making it
// (this version writes a lock whole before it is in place; an older one wrote it after).
const unreadableGraceMs = 10_000

/** Whether a holder is dead: on this host, and its process gone (or another process under its pid, this one included). */
const holderDead = (holder: Holder, path: string, env: LockEnv): boolean => {
  if (holder.host !== env.hostname()) return false
  const startOf = env.startOf ?? procStart
  const now = startOf(holder.pid)
  if (holder.start !== undefined && now !== undefined) return now !== holder.start
  // Nothing to compare: this process's own pid is its own lock only if it took it; any other pid is asked.
  if (holder.pid === process.pid) return heldHere.get(path) !== holder.nonce || holder.nonce === undefined
  return !alive(holder.pid, env)
}

/** Whether a lock file belongs to nobody any more: its holder died (on this host), or it never got written. */
const isStale = (seen: Seen, path: string, env: LockEnv): boolean => {
  const holder = parseHolder(seen.text)
  return holder === undefined ? env.now() - seen.mtimeMs > unreadableGraceMs : holderDead(holder, path, env)
}

const describeHolder = (seen: Seen, path: string, env: LockEnv): string => {
  const holder = parseHolder(seen.text)
  return holder === undefined
    ? `the lock file ${path} is being written`
    : `${holder.command} (pid ${String(holder.pid)}${holder.host === env.hostname() ? '' : ` on ${holder.host}`}, since ${holder.since}) holds ${path}`
}

const same = (a: Seen | undefined, b: Seen): boolean => a !== undefined && a.dev === b.dev && a.ino === b.ino && a.text === b.text

const sleep = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

/**
 * Puts `text` at `path` whole, or not at all: written to a file of its own, then linked to the name,
 * which the kernel does only if the name is free. The inode that ends up at `path` is checked to be
 * ours. `false`: the name is taken.
 */
const placeExclusively = (path: string, text: string): boolean => {
  const draft = `${path}.new-${randomBytes(6).toString('hex')}`
  writeFileSync(draft, text, { flag: 'wx', mode: 0o644 })
  try {
    linkSync(draft, path)
  } catch (e) {
    if (errorCode(e) === 'EEXIST') return false
    throw e
  } finally {
    try {
      unlinkSync(draft)
    } catch {
      // Gone already.
    }
  }
  return true
}

/**
 * Removes a dead holder's lock file — exactly the one judged dead, never a fresh lock that took its
 * place. The right to remove it is a claim file named after that file's identity and text, made
 * exclusively: among takers alive, one holds it. A claim whose maker died is passed over (the next
 * generation), never removed, so that two takers alive can never hold claims on one lock file.
 * `false`: another taker alive is removing it; look again.
 */
const removeDead = (path: string, dead: Seen, env: LockEnv, holderText: string): boolean => {
  const id = createHash('sha256').update(`${String(dead.dev)}:${String(dead.ino)}:${dead.text}`).digest('hex').slice(0, 16)
  for (let generation = 0; generation < 100; generation++) {
    const claim = `${path}.takeover-${id}-${String(generation)}`
    if (!placeExclusively(claim, holderText)) {
      const other = look(claim)
      const maker = other === undefined ? undefined : parseHolder(other.text)
      // Its maker is at work on it: let it finish.
      if (other === undefined || maker === undefined || !holderDead(maker, claim, env)) return false
      continue
    }
    try {
      // Still the very file judged dead? Only a claim's holder removes it, and this claim is ours.
      if (same(look(path), dead)) unlinkSync(path)
    } finally {
      unlinkSync(claim)
    }
    return true
  }
  return false
}

/**
 * Takes the lock of a snapshot file: `FILE.lock` beside it, put in place whole by an exclusive link
 * and naming the holder (pid, host, process start time). A holder that died (killed, crashed; or
 * whose pid now belongs to another process, this one included after a container restart) does not
 * keep it: its lock is taken over, by one taker at a time. Anyone else holding it is a usage error
 * naming them. A file with more than one name (hard links) is refused: a writer through another
 * name would take another lock, so the lock would not be per file.
 */
export const lockSnapshot = (target: string, command: string, env: LockEnv = nodeLockEnv): Lock => {
  const path = `${target}.lock`
  const startOf = env.startOf ?? procStart
  const start = startOf(process.pid)
  const holder: Holder = {
    pid: process.pid, host: env.hostname(), command, since: new Date(env.now()).toISOString(),
    ...(start === undefined ? {} : { start }), nonce: randomBytes(8).toString('hex'),
  }
  const text = `${JSON.stringify(holder)}\n`
  const cannot = (e: unknown): UsageError => new UsageError(`${target}: cannot take its lock ${path}: ${fsReason(e)}`)
  for (let attempt = 0; attempt < 400; attempt++) {
    let placed: boolean
    try {
      placed = placeExclusively(path, text)
    } catch (e) {
      throw cannot(e)
    }
    if (placed) {
      const lock = held(path, text, holder)
      refuseOtherNames(target, lock)
      sweepLeftovers(path, env)
      return lock
    }
    let seen: Seen | undefined
    try {
      seen = look(path)
    } catch (e) {
      throw cannot(e)
    }
    // Gone meanwhile: try again.
    if (seen === undefined) continue
    if (!isStale(seen, path, env)) {
      // Refused only if it is still there, as it was: one that went meanwhile is tried again.
      let again: Seen | undefined
      try {
        again = look(path)
      } catch (e) {
        throw cannot(e)
      }
      if (!same(again, seen)) continue
      throw new UsageError(`${target} is in use: ${describeHolder(seen, path, env)}; stop it first`)
    }
    let removed: boolean
    try {
      removed = removeDead(path, seen, env, text)
    } catch (e) {
      throw cannot(e)
    }
    if (!removed) sleep(Math.min(20, 1 + attempt))
  }
  throw new UsageError(`${target}: cannot take its lock ${path}: it keeps changing hands`)
}

/**
 * Removes what takers that died left beside the lock: the drafts a lock or claim is written in
 * before it is linked (`.new-*`), and claims (`.takeover-*`). Each names its maker, and only a dead
 * maker's goes (or, naming nobody, one that stayed unwritten past the grace a lock file gets).
 * Done once the lock is held, when no claim can matter any more: a claim gives the right to remove
 * one lock file, identified by inode and text, which is no longer there.
 */
const sweepLeftovers = (path: string, env: LockEnv): void => {
  const prefixes = [`${basename(path)}.new-`, `${basename(path)}.takeover-`]
  let names: ReadonlyArray<string>
  try {
    names = readdirSync(dirname(path)).filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))
  } catch {
    return
  }
  for (const name of names) {
    const file = join(dirname(path), name)
    try {
      const seen = look(file)
      if (seen !== undefined && isStale(seen, file, env)) unlinkSync(file)
    } catch {
      // Gone meanwhile, or not ours to judge: it stays.
    }
  }
}

const held = (path: string, text: string, holder: Holder): Lock => {
  heldHere.set(path, holder.nonce ?? '')
  return {
    path,
    release: () => {
      let now: Seen | undefined
      try {
        now = look(path)
      } catch {
        return
      }
      if (now?.text !== text) return
      heldHere.delete(path)
      try {
        unlinkSync(path)
      } catch {
        // Removed already.
      }
    },
  }
}

/** A snapshot file with another name (a hard link) cannot be locked per file: refused, the lock given back. */
const refuseOtherNames = (target: string, lock: Lock): void => {
  let links: number
  try {
    links = statSync(target).nlink
  } catch {
    // No file yet (or none readable): the reader says why.
    return
  }
  if (links > 1) {
    lock.release()
    throw new UsageError(`${target} is in use under another name: it has ${String(links)} hard links, and a writer through another name would not see this one's lock; give it a copy of its own (cp)`)
  }
}
