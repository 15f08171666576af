import * as fs from 'node:fs'
import type { JournalChange, SnapshotMark } from './format.js'
import { journalLine, lengthLine } from './format.js'

/** What is waiting to be flushed: changes (grouped into one line) and checkpoints, in order. */
type Item =
  | { readonly kind: 'change'; readonly seq: number; readonly change: JournalChange }
  | { readonly kind: 'checkpoint'; readonly mark: SnapshotMark }

/** Items flushed together, and the one promise they all wait on. */
interface Batch {
  readonly items: Array<Item>
  readonly done: Promise<void>
  readonly resolve: () => void
  readonly reject: (e: Error) => void
}

const newBatch = (): Batch => {
  let resolve: () => void = () => undefined
  let reject: (e: Error) => void = () => undefined
  const done = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  // Whoever waits on it handles its failure; the batch itself must not count as unhandled.
  done.catch(() => undefined)
  return { items: [], done, resolve, reject }
}

/** The filesystem calls the writer makes; tests put failing ones in (a full disk). */
export interface JournalIo {
  /** To the page cache: microseconds, so it is done in place; only the flush waits on the disk. */
  readonly writeSync: (fd: number, data: Buffer, offset: number, length: number, position: number) => number
  readonly fdatasync: (fd: number, done: (e: NodeJS.ErrnoException | null) => void) => void
  readonly ftruncateSync: (fd: number, length: number) => void
  readonly fdatasyncSync: (fd: number) => void
}

export const nodeJournalIo: JournalIo = {
  writeSync: (fd, data, offset, length, position) => fs.writeSync(fd, data, offset, length, position),
  fdatasync: fs.fdatasync,
  ftruncateSync: fs.ftruncateSync,
  fdatasyncSync: fs.fdatasyncSync,
}

export interface WriterHooks {
  /** Called before each flush; throwing stops this flush and every later change. */
  readonly beforeFlush?: () => void
  /** Every change up to `seq` is on the disk (called before their promises resolve). */
  readonly onDurable: (seq: number) => void
  /** A flush failed: every change not yet durable is lost (called before their promises reject). */
  readonly onFailure: (e: Error) => void
}

interface Line {
  readonly bytes: Buffer
  readonly checkpoint: boolean
}

/** The journal's lines for these items: consecutive changes in one line, each checkpoint in its own. */
const linesOf = (items: ReadonlyArray<Item>): ReadonlyArray<Line> => {
  const lines: Array<Line> = []
  let batch: Array<JournalChange> = []
  let first = 0
  const close = (): void => {
    if (batch.length > 0) lines.push({ bytes: journalLine({ seq: first, changes: batch }), checkpoint: false })
    batch = []
  }
  for (const item of items) {
    if (item.kind === 'checkpoint') {
      close()
      lines.push({ bytes: journalLine({ checkpoint: item.mark }), checkpoint: true })
    } else {
      if (batch.length === 0) first = item.seq
      batch.push(item.change)
    }
  }
  close()
  return lines
}

const errorOf = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)))

/**
 * A version 2 journal is grown ahead of its lines by this much, in zeros (free space, to the
 * reader). Why: a flush that writes into blocks the file already has need not change its size, so
 * `fdatasync` carries the data alone, without a metadata commit; appending pays one at every
 * flush (a third of a lone flush's time on ext4: 150 → 102 µs, measured in a loop). One flush a
 * mebibyte pays it.
 */
export const preallocationBytes = 1024 * 1024
let zeros: Buffer | undefined

/**
 * Appends to a journal with group commit: everything added while a flush is on its way goes out in
 * the next one, as one write and one `fdatasync`, so many clients share a flush, and a lone client
 * waits for nothing but its own (flushed in place, synchronously). A promise resolves
 * once its item is on the disk. A failed flush (a full disk) cuts the file back to what was
 * durable; if even that fails, the journal refuses every later change.
 */
export class JournalWriter {
  private waiting: Batch | undefined
  private flushing = false
  private scheduled = false
  private broken: Error | undefined
  private tracked: Array<Buffer> | undefined
  private idle: Array<() => void> = []
  private paused = false
  /** Whether to grow the file ahead of its lines: not once it failed (a full disk), until `reopen`. */
  private preallocating: boolean

  constructor(
    private fd: number,
    /** Bytes on the disk: the next line goes here. */
    private size: number,
    /** The number of the last change written. */
    private seq: number,
    private readonly hooks: WriterHooks,
    private readonly io: JournalIo = nodeJournalIo,
    /** Where the journal's length line is (version 2), rewritten with every flush; none in a version 1 journal. */
    private lengthAt?: number,
    /** The file's size: past `size`, zeros written ahead (version 2 only). */
    private allocated: number = size,
  ) {
    this.preallocating = lengthAt !== undefined
  }

  /**
   * Appends a change: its number now, and a promise that resolves once it is durable. Throws at
   * once when the journal can no longer be written.
   */
  addChange(change: JournalChange): { readonly seq: number; readonly durable: Promise<void> } {
    if (this.broken !== undefined) throw this.broken
    const seq = ++this.seq
    return { seq, durable: this.enqueue({ kind: 'change', seq, change }) }
  }

  /** Appends a checkpoint: a snapshot file that holds every change up to `mark.seq`. */
  addCheckpoint(mark: SnapshotMark): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken)
    return this.enqueue({ kind: 'checkpoint', mark })
  }

  /** The bytes on the disk. */
  get length(): number {
    return this.size
  }

  /** From now on, keep a copy of every line flushed, for `takeTracked`. */
  track(): void {
    this.tracked = []
  }

  /** The lines flushed since `track`, checkpoints left out; stops keeping them. */
  takeTracked(): ReadonlyArray<Buffer> {
    const lines = this.tracked ?? []
    this.tracked = undefined
    return lines
  }

  /**
   * Runs `action` when no flush is on its way, and starts none until it is done: the moment to swap
   * the file underneath (`reopen`). Changes added meanwhile wait for the next flush.
   */
  async exclusive<T>(action: () => T | Promise<T>): Promise<T> {
    while (this.flushing || this.paused) await new Promise<void>((resolve) => this.idle.push(resolve))
    this.paused = true
    try {
      return await action()
    } finally {
      this.paused = false
      this.settleIdle()
      this.schedule()
    }
  }

  /** Continues in another file (a new journal that replaced this one). */
  reopen(fd: number, size: number, lengthAt?: number): void {
    fs.closeSync(this.fd)
    this.fd = fd
    this.size = size
    this.lengthAt = lengthAt
    this.allocated = size
    this.preallocating = lengthAt !== undefined
  }

  /** Waits for every item added so far to be flushed (or to fail). */
  async drain(): Promise<void> {
    while (this.flushing || this.paused || this.waiting !== undefined) {
      this.schedule()
      await new Promise<void>((resolve) => this.idle.push(resolve))
    }
  }

  close(): void {
    fs.closeSync(this.fd)
  }

  private enqueue(item: Item): Promise<void> {
    const batch = (this.waiting ??= newBatch())
    batch.items.push(item)
    this.schedule()
    return batch.done
  }

  // Once the requests that arrived in this turn of the event loop have been applied (setImmediate runs
  // after every I/O callback of the turn): they share one flush, and whatever is added while a flush
  // is on its way goes in the next one.
  private schedule(): void {
    if (this.scheduled || this.flushing || this.paused || this.waiting === undefined) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    const batch = this.waiting
    // A flush scheduled before `exclusive` began waits for it to end, like any other.
    if (this.flushing || this.paused || batch === undefined) return
    this.flushing = true
    this.waiting = undefined
    try {
      this.hooks.beforeFlush?.()
    } catch (e) {
      this.broken = errorOf(e)
      this.fail(this.broken, batch)
      return
    }
    const lines = linesOf(batch.items)
    const data = Buffer.concat(lines.map((l) => l.bytes))
    try {
      if (this.preallocating && this.size + data.length > this.allocated) this.preallocate(this.size + data.length)
      this.writeAt(data, this.size)
      // In the same flush: a journal later found shorter than where this flush began was cut after it was written.
      if (this.lengthAt !== undefined) this.writeAt(lengthLine(this.size, this.size + data.length), this.lengthAt)
      // One item alone (a lone client): flushed here, without the round trip through the thread
      // pool, which costs more than the flush itself on a fast disk. Several: flushed off the event
      // loop, which meanwhile reads and applies the requests that will share the next flush.
      if (batch.items.length === 1) this.io.fdatasyncSync(this.fd)
      else await new Promise<void>((resolve, reject) => { this.io.fdatasync(this.fd, (e) => { if (e) reject(e); else resolve() }) })
    } catch (e) {
      this.fail(errorOf(e), batch)
      return
    }
    this.size += data.length
    if (this.tracked !== undefined) this.tracked.push(...lines.filter((l) => !l.checkpoint).map((l) => l.bytes))
    const last = batch.items.findLast((item) => item.kind === 'change')
    if (last?.kind === 'change') this.hooks.onDurable(last.seq)
    batch.resolve()
    this.settle()
  }

  /** Zeros from the file's end to the next whole mebibyte past `end`, flushed with the lines that need them. */
  private preallocate(end: number): void {
    const target = (Math.floor(end / preallocationBytes) + 1) * preallocationBytes
    try {
      zeros ??= Buffer.alloc(preallocationBytes)
      for (let at = this.allocated; at < target; at += preallocationBytes) this.writeAt(zeros.subarray(0, Math.min(preallocationBytes, target - at)), at)
      this.allocated = target
    } catch {
      // A full disk: the lines are appended as they come, as a version 1 journal's are, and the
      // zeros that did reach the file are given back, for the snapshot a fold has to write.
      this.preallocating = false
      try {
        this.io.ftruncateSync(this.fd, this.allocated)
      } catch {
        // Left as free space past the lines: the reader takes it so.
      }
    }
  }

  private writeAt(data: Buffer, position: number): void {
    let done = 0
    while (done < data.length) {
      const written = this.io.writeSync(this.fd, data, done, data.length - done, position + done)
      if (written <= 0) throw Object.assign(new Error('no space left on the device'), { code: 'ENOSPC' })
      done += written
    }
  }

  private fail(e: Error, batch: Batch): void {
    // Whatever reached the file past the durable length was never acknowledged: cut it off.
    try {
      this.io.ftruncateSync(this.fd, this.size)
      this.allocated = this.size
      this.io.fdatasyncSync(this.fd)
    } catch (cut) {
      this.broken = new Error(`the journal cannot be written or repaired: ${errorOf(cut).message}`)
    }
    const lost = this.waiting === undefined ? [batch] : [batch, this.waiting]
    this.waiting = undefined
    // Numbers of lost changes are given out again.
    this.seq -= lost.reduce((n, b) => n + b.items.filter((item) => item.kind === 'change').length, 0)
    this.hooks.onFailure(e)
    for (const b of lost) b.reject(e)
    this.settle()
  }

  private settle(): void {
    this.flushing = false
    this.settleIdle()
    this.schedule()
  }

  private settleIdle(): void {
    const idle = this.idle
    this.idle = []
    for (const resolve of idle) resolve()
  }
}
