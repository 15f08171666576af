import { createHash } from 'node:crypto'
import { snapshotToJson } from '../codec/snapshot.js'
import { fdatasyncSync, ftruncateSync, openSync, statSync } from 'node:fs'
import type { ParamMap } from '../codec/request.js'
import { AtomicFile, removeStaleTemporaries, writeFileAtomic } from '../io/atomic-file.js'
import type { Lock } from '../io/lock.js'
import { lockSnapshot } from '../io/lock.js'
import type { SnapshotOnDisk } from '../io/snapshot-file.js'
import { journalPath, readSnapshotFile, saveSnapshot } from '../io/snapshot-file.js'
import { snapshotText } from '../io/snapshot-text.js'
import { resolveTarget } from '../io/target.js'
import { headerRecord, journalLine } from '../journal/format.js'
import type { JournalChange, JournalControl, JournalRequest } from '../journal/format.js'
import { handleRequest } from '../journal/replay.js'
import type { JournalIo } from '../journal/writer.js'
import { JournalWriter } from '../journal/writer.js'
import type { Snapshot, SnapshotState } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import type { Handled } from '../wire/handle.js'
import { handle } from '../wire/handle.js'

/**
 * Where the server's state lives. Requests are applied one at a time, in the order they are
 * submitted, each to the state the previous one left; the answer is released only once every change
 * it saw is durable.
 */
export interface Store {
  /** The state now (changes not yet durable included). */
  readonly snapshot: () => Snapshot
  /**
   * Applies a request now. Its answer may be sent once `durable` resolves (at once when it is
   * absent); if `durable` rejects, a change it saw could not be saved and the answer must not be sent.
   */
  readonly submit: (params: ParamMap, requestId: string, options?: SubmitOptions) => Submitted
  /**
   * Puts a state in place (a reset, a state put, steps taken through the control routes), in turn
   * with the requests, journaled like them as `change` (default: the whole state): the same promise
   * as a request's `durable`. `next` must be what `change` makes of the state now.
   */
  readonly replace: (next: Snapshot, change?: JournalControl) => { readonly durable?: Promise<void> }
  /** The snapshot file the state is kept in, and how many changes its journal holds now; absent in memory. */
  readonly file?: { readonly path: string; readonly records: () => number }
  /** Waits for what is pending, folds the journal into the snapshot file, gives up the lock. */
  readonly close: () => Promise<void>
}

export interface SubmitOptions {
  /** A `fail-task` fault rule fired: the request's task is marked to fail. */
  readonly failTask?: boolean
}

/** What a request did, and what its answer waits for. */
export interface Submitted {
  readonly handled: Handled
  readonly durable?: Promise<void>
}

/** A request as the journal records it. */
const requestOf = (params: ParamMap, requestId: string, options: SubmitOptions): JournalRequest =>
  ({ requestId, params: Object.fromEntries(params), ...(options.failTask === true ? { failTask: true as const } : {}) })

/** A request applied to the state, as replaying its journal record would apply it. */
const applied = (state: Snapshot, params: ParamMap, requestId: string, options: SubmitOptions): Handled =>
  options.failTask === true && isSnapshot(state) ? handleRequest(state, requestOf(params, requestId, options)) : handle(state, params, { requestId })

/** State in memory only: nothing is written. */
export const memoryStore = (snapshot: Snapshot): Store => {
  let state = snapshot
  return {
    snapshot: () => state,
    submit: (params, requestId, options = {}) => {
      const handled = applied(state, params, requestId, options)
      state = handled.snapshot
      return { handled }
    },
    replace: (next) => {
      state = next
      return {}
    },
    close: () => Promise.resolve(),
  }
}

export interface DurableOptions {
  /** Fold the journal into the snapshot once it is larger than this (default: the larger of 16 MiB and a quarter of the snapshot). */
  readonly compactAfterBytes?: number
  /** What the store has to say (a compaction that failed, say): one line each. */
  readonly log?: (line: string) => void
  /** The journal's filesystem calls (tests inject failures). */
  readonly journalIo?: JournalIo
}

const flushEvery = 8 * 1024 * 1024

const newJournal = (loaded: SnapshotOnDisk): { fd: number; size: number } => {
  const path = journalPath(loaded.target)
  writeFileAtomic(path, [journalLine(headerRecord({ sha256: loaded.sha256, seq: 0 }))])
  return { fd: openSync(path, 'r+'), size: statSync(path).size }
}

/** The journal a stopped or killed server left, its torn last line (never acknowledged) cut off, ready to be appended to. */
const continuedJournal = (journal: NonNullable<SnapshotOnDisk['journal']>): { fd: number; size: number } => {
  const fd = openSync(journal.path, 'r+')
  if (journal.torn) {
    ftruncateSync(fd, journal.validLength)
    fdatasyncSync(fd)
  }
  return { fd, size: journal.validLength }
}

/**
 * State in the snapshot file and its write-ahead journal (`FILE.journal`): every change is appended
 * to the journal and flushed before it is acknowledged (changes applied in the same turn of the
 * event loop share one flush); start-up is load + replay. Once the journal is large, the snapshot
 * as it was at its last durable change — immutable, so requests go on meanwhile — is written to a
 * new file in small slices, recorded in the journal as a checkpoint, renamed into place, and the
 * journal restarted with only the changes made since. Holds the file's lock throughout.
 */
export const durableStore = (path: string, options: DurableOptions = {}): Store => {
  const lock: Lock = lockSnapshot(resolveTarget(path), 'havip serve')
  let loaded: SnapshotOnDisk
  try {
    removeStaleTemporaries(resolveTarget(path))
    loaded = readSnapshotFile(path)
  } catch (e) {
    lock.release()
    throw e
  }
  const target = loaded.target
  const threshold = options.compactAfterBytes ?? Math.max(16 * 1024 * 1024, Math.floor(loaded.size / 4))
  const opened = loaded.journal === undefined ? newJournal(loaded) : continuedJournal(loaded.journal)

  let state: SnapshotState = loaded.snapshot
  let durable: SnapshotState = loaded.snapshot
  let durableSeq = loaded.journal?.seq ?? 0
  // The number of the last change the snapshot file holds: the journal holds the ones after it.
  let fileSeq = durableSeq - (loaded.journal?.changes ?? 0)
  // The state after each change not yet durable, in order.
  let pending: Array<{ readonly seq: number; readonly state: SnapshotState }> = []
  // What a request that changes nothing waits for: the durability of every change before it (none: nothing).
  let latest: Promise<void> | undefined
  let compaction: Promise<void> | undefined
  let closed = false

  const writer: JournalWriter = new JournalWriter(opened.fd, opened.size, durableSeq, {
    onDurable: (seq) => {
      let flushed = 0
      while (flushed < pending.length && (pending[flushed]?.seq ?? Infinity) <= seq) flushed++
      const last = pending[flushed - 1]
      if (last !== undefined) {
        durable = last.state
        durableSeq = last.seq
      }
      pending = pending.slice(flushed)
      // Nothing left on its way: later requests need not wait.
      if (pending.length === 0) latest = undefined
      if (!closed && compaction === undefined && writer.length > threshold) {
        compaction = compact().finally(() => { compaction = undefined })
      }
    },
    onFailure: () => {
      // Nothing that was not flushed was acknowledged: back to the last durable state.
      state = durable
      pending = []
      latest = undefined
    },
  }, options.journalIo)

  /** Writes `durable` to a new snapshot file in slices, then swaps it and a fresh journal in. */
  const compact = async (): Promise<void> => {
    const base = durable
    const seq = durableSeq
    writer.track()
    let file: AtomicFile | undefined
    try {
      file = new AtomicFile(target)
      const hash = createHash('sha256')
      // A piece at a time, each written off the event loop: requests go on between pieces. Flushed
      // every few MiB, so that the last flush is short: on a filesystem that orders data (ext4),
      // the journal's own flushes would otherwise wait behind hundreds of MiB.
      let unflushed = 0
      for (const piece of snapshotText(base)) {
        const bytes = Buffer.from(piece, 'utf8')
        hash.update(bytes)
        await file.writeInBackground(bytes)
        unflushed += bytes.length
        if (unflushed >= flushEvery) {
          await file.flushInBackground()
          unflushed = 0
        }
      }
      await file.flushInBackground()
      const sha256 = hash.digest('hex')
      await writer.addCheckpoint({ sha256, seq })
      const done = file
      // Changes go on being applied meanwhile; their flush waits for the new journal.
      await writer.exclusive(async () => {
        await done.replaceInBackground()
        const journal = new AtomicFile(journalPath(target))
        journal.write(journalLine(headerRecord({ sha256, seq })))
        for (const line of writer.takeTracked()) journal.write(line)
        await journal.flushInBackground()
        await journal.replaceInBackground()
        writer.reopen(openSync(journal.target, 'r+'), statSync(journal.target).size)
        fileSeq = seq
      })
    } catch (e) {
      file?.abort()
      writer.takeTracked()
      // Nothing is lost: the journal still holds every change.
      options.log?.(`havip serve: compaction failed, the journal keeps every change: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  /** Journals a change that leads to `after`, which becomes the state; what its answer waits for. */
  const journaled = (change: JournalChange, after: SnapshotState): Promise<void> => {
    let added
    try {
      added = writer.addChange(change)
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)))
    }
    state = after
    pending.push({ seq: added.seq, state })
    latest = added.durable
    return added.durable
  }

  return {
    snapshot: () => state,
    submit: (params, requestId, options = {}) => {
      const handled = applied(state, params, requestId, options)
      const after = handled.snapshot
      if (after === state || !isSnapshot(after)) return latest === undefined ? { handled } : { handled, durable: latest }
      return { handled, durable: journaled(requestOf(params, requestId, options), after) }
    },
    replace: (next, change) => {
      if (!isSnapshot(next) || next === state) return latest === undefined ? {} : { durable: latest }
      return { durable: journaled(change ?? { state: snapshotToJson(next) }, next) }
    },
    file: { path: target, records: () => durableSeq - fileSeq },
    close: async () => {
      closed = true
      await writer.drain()
      await compaction
      try {
        writer.close()
        // One file holds the whole state again.
        saveSnapshot(target, durable, { path: journalPath(target), validLength: writer.length, seq: durableSeq })
      } finally {
        lock.release()
      }
    },
  }
}

