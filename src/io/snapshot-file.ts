import type { Hash } from 'node:crypto'
import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs'
import { dirname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { problemText } from '../codec/problems.js'
import { loadSnapshot } from '../codec/snapshot.js'
import { journalLine, parseJournal } from '../journal/format.js'
import { replayJournal } from '../journal/replay.js'
import type { SnapshotState } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import type { FileOps } from './atomic-file.js'
import { AtomicFile, nodeFileOps, removeStaleTemporaries, syncFolder, writeAll } from './atomic-file.js'
import { lockSnapshot } from './lock.js'
import { snapshotText } from './snapshot-text.js'
import { resolveTarget } from './target.js'
import { errorCode, fsReason, UsageError } from './usage-error.js'

/** Where a snapshot file's journal lives: beside the file the path points at. */
export const journalPath = (target: string): string => `${target}.journal`

/** What a journal beside a snapshot file added to it. */
export interface JournalState {
  readonly path: string
  /** The number of the last change in it. */
  readonly seq: number
  /** How many changes were replayed from it. */
  readonly changes: number
  /** The length of its whole lines: a torn last line starts here. */
  readonly validLength: number
  readonly torn: boolean
  /** Where its length line is (a version 2 journal). */
  readonly lengthAt?: number
}

/** A snapshot file as read: the state (its journal replayed) and what the writers need to know of it. */
export interface SnapshotOnDisk {
  /** The file, after following symbolic links. */
  readonly target: string
  readonly snapshot: SnapshotState
  /** The SHA-256 of the file's bytes, which a journal names to say what it continues. */
  readonly sha256: string
  readonly size: number
  readonly journal?: JournalState
}

const readOptional = (path: string): Buffer | undefined => {
  try {
    return readFileSync(path)
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined
    throw new UsageError(`${path}: cannot read the journal: ${fsReason(e)}`)
  }
}

const sleep = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

/**
 * A file's JSON, and the SHA-256 and size of its bytes. The text lives only until it is parsed, and
 * the bytes are never held whole.
 */
const readJson = (path: string, target: string): { readonly json: unknown; readonly sha256: string; readonly size: number } => {
  const { text, sha256, size } = readText(path, target)
  try {
    return { json: JSON.parse(text) as unknown, sha256, size }
  } catch (e) {
    throw new UsageError(`${path}: not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const readText = (path: string, target: string): { readonly text: string; readonly sha256: string; readonly size: number } => {
  let fd: number | undefined
  try {
    fd = openSync(target, 'r')
    // The text straight from the file, then the hash from a second pass in small pieces: holding the
    // bytes beside the text would double what a large snapshot costs while it is parsed.
    const text = readFileSync(fd, 'utf8')
    return { text, ...hashOf(fd) }
  } catch (e) {
    throw new UsageError(`${path}: cannot read the snapshot: ${fsReason(e)}`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** The SHA-256 and size of a file's bytes, read from its start a MiB at a time. */
const hashOf = (fd: number): { readonly sha256: string; readonly size: number } => {
  const hash = createHash('sha256')
  const chunk = Buffer.allocUnsafe(1 << 20)
  let size = 0
  for (let n = readSync(fd, chunk, 0, chunk.length, 0); n > 0; n = readSync(fd, chunk, 0, chunk.length, size)) {
    hash.update(chunk.subarray(0, n))
    size += n
  }
  return { sha256: hash.digest('hex'), size }
}

const attemptRead = (path: string): SnapshotOnDisk | 'changed under us' => {
  const target = resolveTarget(path)
  const { json, sha256, size } = readJson(path, target)
  const loaded = loadSnapshot(json)
  if (E.isLeft(loaded)) {
    throw new UsageError(`${path}: the snapshot does not load:\n${loaded.left.problems.map((p) => `  ${problemText(p)}`).join('\n')}`)
  }
  if (!isSnapshot(loaded.right)) throw new UsageError(`${path}: the snapshot does not load`)
  const base = { target, snapshot: loaded.right, sha256, size }
  const journalFile = journalPath(target)
  const journalBytes = readOptional(journalFile)
  if (journalBytes === undefined) return base
  const parsed = parseJournal(journalBytes)
  if (!parsed.ok) throw new UsageError(`${journalFile}: damaged at byte ${String(parsed.damage.offset)}: ${parsed.damage.why}; nothing was replayed`)
  const replayed = replayJournal(loaded.right, sha256, parsed.journal)
  if (!('snapshot' in replayed)) {
    if (replayed.kind === 'another snapshot') return 'changed under us'
    throw new UsageError(`${journalFile}: at byte ${String(replayed.offset)}: ${replayed.why}; nothing was replayed`)
  }
  return {
    ...base,
    snapshot: replayed.snapshot,
    journal: {
      path: journalFile, seq: replayed.seq, changes: replayed.changes, validLength: parsed.journal.validLength, torn: parsed.journal.torn,
      ...(parsed.journal.lengthAt === undefined ? {} : { lengthAt: parsed.journal.lengthAt }),
    },
  }
}

/**
 * Reads and loads a snapshot file and replays the journal beside it, if there is one (a server
 * that was killed leaves its last acknowledged changes there). Every failure names the file and
 * says what is wrong. A server may be replacing both files at that moment: a journal that does not
 * match its snapshot is read again, a few times, `wait`ing a little longer each time, before it is refused.
 */
export const readSnapshotFile = (path: string, wait: (ms: number) => void = sleep): SnapshotOnDisk => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const read = attemptRead(path)
    if (read !== 'changed under us') return read
    wait(50 * (attempt + 1))
  }
  throw new UsageError(`${journalPath(resolveTarget(path))}: it continues another version of ${path} (the snapshot was replaced while its journal held changes); ` +
    'move the journal away to use the snapshot as it is')
}

/** Writes a snapshot's text to an atomic file, and gives the SHA-256 of what it wrote. */
export const writeSnapshotText = (file: AtomicFile, state: SnapshotState): string => {
  const hash = createHash('sha256')
  file.writePieces(hashed(snapshotText(state), hash))
  return hash.digest('hex')
}

function* hashed(pieces: Iterable<string>, hash: Hash): Iterable<Buffer> {
  for (const piece of pieces) {
    const bytes = Buffer.from(piece)
    hash.update(bytes)
    yield bytes
  }
}

/** Appends one line to a journal at `at` (cutting off a torn line there), flushed. */
export const appendToJournal = (path: string, at: number, line: Buffer, ops: FileOps = nodeFileOps): void => {
  const fd = ops.openSync(path, 'a')
  try {
    ops.ftruncateSync(fd, at)
    writeAll(ops, fd, line)
    ops.fsyncSync(fd)
  } finally {
    ops.closeSync(fd)
  }
}

/**
 * Saves a snapshot over a file, atomically, and folds away the file's journal if it has one: the
 * new file is written and flushed, the journal records that it holds every change (so that a crash
 * from here on loses nothing and replays nothing twice), the file is renamed into place, and the
 * journal removed. Take the file's lock first.
 */
export const saveSnapshot = (path: string, state: SnapshotState, journal?: Pick<JournalState, 'path' | 'validLength' | 'seq'>, ops: FileOps = nodeFileOps): void => {
  const file = new AtomicFile(path, ops)
  const sha256 = writeSnapshotText(file, state)
  file.flush()
  if (journal !== undefined) {
    try {
      appendToJournal(journal.path, journal.validLength, journalLine({ checkpoint: { sha256, seq: journal.seq } }), ops)
    } catch (e) {
      file.abort()
      throw new UsageError(`${journal.path}: cannot record the new snapshot in the journal: ${fsReason(e)}; ${file.target} is unchanged`)
    }
  }
  file.replace()
  if (journal !== undefined) {
    try {
      ops.unlinkSync(journal.path)
      syncFolder(dirname(file.target), ops)
    } catch (e) {
      // The journal's checkpoint names the new file: left in place, it replays nothing.
      throw new UsageError(`${journal.path}: saved ${file.target}, but cannot remove the journal: ${fsReason(e)}`)
    }
  }
}

/**
 * Saves a snapshot over `path`, whose lock the caller holds: leftovers of killed writers removed,
 * a journal beside it folded away.
 */
export const saveOver = (path: string, state: SnapshotState): void => {
  const target = resolveTarget(path)
  removeStaleTemporaries(target)
  const journal = existsSync(journalPath(target)) ? readSnapshotFile(path).journal : undefined
  saveSnapshot(path, state, journal)
}

/** `saveOver`, taking the file's lock for the time it takes: what `--out FILE` does. */
export const saveLocked = (path: string, state: SnapshotState, command: string): void => {
  const lock = lockSnapshot(resolveTarget(path), command)
  try {
    saveOver(path, state)
  } finally {
    lock.release()
  }
}
