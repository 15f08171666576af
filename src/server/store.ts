import { createHash } from 'node:crypto'
import { snapshotToJson } from '../codec/snapshot.js'
import { fdatasyncSync, fstatSync, ftruncateSync, lstatSync, openSync, statSync, writeSync } from 'node:fs'
import type { ParamMap } from '../codec/request.js'
import { AtomicFile, removeStaleTemporaries, writeFileAtomic } from '../io/atomic-file.js'
import type { Lock } from '../io/lock.js'
import { lockSnapshot } from '../io/lock.js'
import type { SnapshotOnDisk } from '../io/snapshot-file.js'
import { journalPath, readSnapshotFile, saveSnapshot } from '../io/snapshot-file.js'
import { snapshotText } from '../io/snapshot-text.js'
import { resolveTarget } from '../io/target.js'
import { UsageError } from '../io/usage-error.js'
import { openedFile, whyGone } from '../io/file-identity.js'
import { journalStart, lengthLine } from '../journal/format.js'
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
  /** The clock that spaces out retries of a failed compaction (tests put their own in). */
  readonly now?: () => number
}

// A compaction that failed (a full disk) is tried again after this, doubling each time up to the most.
const firstRetryMs = 1000
const mostRetryMs = 5 * 60 * 1000

const flushEvery = 8 * 1024 * 1024

interface OpenJournal {
  readonly fd: number
  readonly size: number
  readonly lengthAt?: number
  /** The file's size: zeros past `size` are space grown ahead of the lines. */
  readonly allocated?: number
}

const newJournal = (loaded: SnapshotOnDisk): OpenJournal => {
  const path = journalPath(loaded.target)
  const start = journalStart({ sha256: loaded.sha256, seq: 0 })
  writeFileAtomic(path, [start.bytes])
  return { fd: openSync(path, 'r+'), size: statSync(path).size, lengthAt: start.lengthAt }
}

/** The journal a stopped or killed server left, its torn last line (never acknowledged) cut off, ready to be appended to. */
const continuedJournal = (journal: NonNullable<SnapshotOnDisk['journal']>): OpenJournal => {
  const fd = openSync(journal.path, 'r+')
  if (journal.torn) {
    ftruncateSync(fd, journal.validLength)
    if (journal.lengthAt !== undefined) writeAllAt(fd, lengthLine(journal.validLength, journal.validLength), journal.lengthAt)
    fdatasyncSync(fd)
  }
  return { fd, size: journal.validLength, allocated: fstatSync(fd).size, ...(journal.lengthAt === undefined ? {} : { lengthAt: journal.lengthAt }) }
}

const writeAllAt = (fd: number, data: Buffer, position: number): void => {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, position + done)
}

/** A journal that is a symbolic link would become a file of its own at the first compaction, its target left stale: refused. */
const refuseLinkedJournal = (path: string): void => {
  let link = false
  try {
    link = lstatSync(path).isSymbolicLink()
  } catch {
    // None yet.
  }
  if (link) throw new UsageError(`${path} is a symbolic link: the journal is replaced by renaming, which would leave its target stale; make it a regular file beside the snapshot`)
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
    refuseLinkedJournal(journalPath(resolveTarget(path)))
    loaded = readSnapshotFile(path)
  } catch (e) {
    lock.release()
    throw e
  }
  const target = loaded.target
  const journalFile = journalPath(target)
  const now = options.now ?? Date.now
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
  // After a failed compaction, none is started before `retryAt`; the wait doubles each failure.
  let retryAt = 0
  let retryMs = 0
  let closed = false
  let closing: Promise<void> | undefined

  let journal = openedFile(opened.fd, journalFile)
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
      if (!closed && compaction === undefined && writer.length > threshold && now() >= retryAt) {
        compaction = compact().finally(() => { compaction = undefined })
      }
    },
    beforeFlush: () => {
      const why = whyGone(journal)
      if (why === undefined) return
      const e = new Error(`${journalFile} ${why}: changes are refused from now on, since they could not be found again; restart the server`)
      options.log?.(`havip serve: ${e.message}`)
      throw e
    },
    onFailure: () => {
      // Nothing that was not flushed was acknowledged: back to the last durable state.
      state = durable
      pending = []
      latest = undefined
    },
  }, options.journalIo, opened.lengthAt, opened.allocated)

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
        const next = new AtomicFile(journalFile)
        const start = journalStart({ sha256, seq }, writer.takeTracked())
        next.write(start.bytes)
        await next.flushInBackground()
        await next.replaceInBackground()
        const fd = openSync(next.target, 'r+')
        journal = openedFile(fd, journalFile)
        writer.reopen(fd, start.bytes.length, start.lengthAt)
        fileSeq = seq
      })
    } catch (e) {
      file?.abort()
      writer.takeTracked()
      retryMs = Math.min(mostRetryMs, Math.max(firstRetryMs, retryMs * 2))
      retryAt = now() + retryMs
      // Nothing is lost: the journal still holds every change. Said once a try, not once a flush.
      options.log?.(`havip serve: compaction failed, the journal keeps every change; trying again in ${String(retryMs / 1000)} s: ${e instanceof Error ? e.message : String(e)}`)
      return
    }
    retryMs = 0
    retryAt = 0
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
    // Once: a second call gets the first one's promise, so no descriptor is closed twice and nothing is saved without the lock.
    close: () => (closing ??= (async () => {
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
    })()),
  }
}

