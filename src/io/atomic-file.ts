import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ownership, resolveTarget } from './target.js'
import { errorCode, fsReason, UsageError } from './usage-error.js'

/** The filesystem calls an atomic write makes; tests put failing ones in. */
export interface FileOps {
  readonly openSync: (path: string, flags: string | number, mode?: number) => number
  readonly writeSync: (fd: number, data: Uint8Array, offset: number, length: number) => number
  readonly fsyncSync: (fd: number) => void
  /** The same flush without blocking the event loop, for large files written in the background. */
  readonly fsync: (fd: number, done: (e: NodeJS.ErrnoException | null) => void) => void
  /** A write off the event loop: writing hundreds of MiB can stall on the kernel's dirty-page throttling. */
  readonly write: (fd: number, data: Uint8Array, offset: number, length: number, done: (e: NodeJS.ErrnoException | null, written: number) => void) => void
  readonly fchmodSync: (fd: number, mode: number) => void
  readonly fchownSync: (fd: number, uid: number, gid: number) => void
  readonly ftruncateSync: (fd: number, length: number) => void
  readonly closeSync: (fd: number) => void
  readonly renameSync: (from: string, to: string) => void
  readonly unlinkSync: (path: string) => void
}

export const nodeFileOps: FileOps = {
  openSync: fs.openSync,
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: fs.fsyncSync,
  fsync: fs.fsync,
  write: (fd, data, offset, length, done) => { fs.write(fd, data, offset, length, null, done) },
  fchmodSync: fs.fchmodSync,
  fchownSync: fs.fchownSync,
  ftruncateSync: fs.ftruncateSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
}

/** Writes every byte: a short write (a nearly full disk) is continued, never taken as complete. */
export const writeAll = (ops: FileOps, fd: number, data: Uint8Array): void => {
  let done = 0
  while (done < data.length) {
    const written = ops.writeSync(fd, data, done, data.length - done)
    if (written <= 0) throw diskFull()
    done += written
  }
}

// A write that makes no progress would be retried forever: the disk is full.
const diskFull = (): Error => Object.assign(new Error('a write made no progress'), { code: 'ENOSPC' })

// Some filesystems cannot flush a folder (EINVAL); any other failure is a real one.
const unflushableFolder = (e: unknown): boolean => errorCode(e) === 'EINVAL' || errorCode(e) === 'EISDIR'

/** Makes a rename durable: until its folder is flushed, a power cut may undo it. */
export const syncFolder = (folder: string, ops: FileOps): void => {
  let fd: number | undefined
  try {
    fd = ops.openSync(folder, fs.constants.O_RDONLY)
    ops.fsyncSync(fd)
  } catch (e) {
    if (!unflushableFolder(e)) throw e
  } finally {
    if (fd !== undefined) ops.closeSync(fd)
  }
}

/** `syncFolder`, off the event loop. */
export const syncFolderInBackground = async (folder: string, ops: FileOps): Promise<void> => {
  const fd = ops.openSync(folder, fs.constants.O_RDONLY)
  try {
    await new Promise<void>((resolve, reject) => { ops.fsync(fd, (e) => { if (e === null || unflushableFolder(e)) resolve(); else reject(e) }) })
  } finally {
    ops.closeSync(fd)
  }
}

/** The temporary files of a target are named after it, so that the next writer can clear a killed one's. */
const temporaryName = (target: string): string => join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)

export const isTemporaryOf = (target: string, name: string): boolean =>
  name.startsWith(`.${basename(target)}.`) && /\.[0-9a-f]{12}\.tmp$/.test(name)

/** Removes what killed writers of this target left behind. Call it holding the target's lock. */
export const removeStaleTemporaries = (target: string): void => {
  let names: ReadonlyArray<string>
  try {
    names = fs.readdirSync(dirname(target))
  } catch {
    return
  }
  for (const name of names) {
    if (!isTemporaryOf(target, name)) continue
    try {
      fs.unlinkSync(join(dirname(target), name))
    } catch {
      // Gone already, or not a file: nothing of ours.
    }
  }
}

/**
 * A file being replaced atomically: written to a temporary file beside the target (created
 * exclusively, with the target's mode and owner), flushed, then renamed over it and the folder
 * flushed. Until `commit`, the target is untouched; a crash at any moment leaves the old file or the
 * new one, whole. Writes go to the file a symbolic link points at; only regular files are written.
 */
export class AtomicFile {
  readonly target: string
  private readonly temporary: string
  private fd: number | undefined

  constructor(path: string, private readonly ops: FileOps = nodeFileOps) {
    this.target = resolveTarget(path)
    this.temporary = temporaryName(this.target)
    const owner = ownership(this.target)
    this.fd = this.attempt('create', () => ops.openSync(this.temporary, 'wx', owner?.mode ?? 0o666))
    if (owner !== undefined) {
      this.attempt('keep the mode of', () => { ops.fchmodSync(this.fdOrThrow(), owner.mode) })
      // Only root may give a file away; anyone else keeps the owner they can.
      if (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.()) {
        try {
          ops.fchownSync(this.fdOrThrow(), owner.uid, owner.gid)
        } catch {
          // Not permitted: the new file keeps this process's owner.
        }
      }
    }
  }

  /** Appends bytes (every one of them). */
  write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    this.attempt('write', () => { writeAll(this.ops, this.fdOrThrow(), bytes) })
  }

  /**
   * Appends these pieces, one after the other. Making a piece may fail too (a value nested too
   * deeply for JSON, say): the file is then given up like any failed write.
   */
  writePieces(pieces: Iterable<string | Uint8Array>): void {
    try {
      for (const piece of pieces) this.write(piece)
    } catch (e) {
      // A failed write has given the file up already.
      if (e instanceof UsageError) throw e
      this.fail('write', e)
    }
  }

  /** `write`, off the event loop. */
  async writeInBackground(data: Uint8Array): Promise<void> {
    const fd = this.fdOrThrow()
    let done = 0
    try {
      while (done < data.length) {
        const written = await new Promise<number>((resolve, reject) => {
          this.ops.write(fd, data, done, data.length - done, (e, n) => { if (e === null) resolve(n); else reject(e) })
        })
        if (written <= 0) throw diskFull()
        done += written
      }
    } catch (e) {
      this.fail('write', e)
    }
  }

  /** Flushes what was written to the disk; the target is still untouched. */
  flush(): void {
    this.attempt('flush', () => { this.ops.fsyncSync(this.fdOrThrow()) })
  }

  /** `flush`, off the event loop: a large file's flush can take seconds. */
  async flushInBackground(): Promise<void> {
    const fd = this.fdOrThrow()
    await new Promise<void>((resolve, reject) => {
      this.ops.fsync(fd, (e) => { if (e === null) resolve(); else reject(e) })
    }).catch((e: unknown) => { this.fail('flush', e) })
  }

  /** Renames the flushed file over the target and flushes the folder: the new file is in place, durably. */
  replace(): void {
    this.closeAndRename()
    try {
      syncFolder(dirname(this.target), this.ops)
    } catch (e) {
      throw this.folderNotFlushed(e)
    }
  }

  /** `replace`, with the folder's flush off the event loop. */
  async replaceInBackground(): Promise<void> {
    this.closeAndRename()
    try {
      await syncFolderInBackground(dirname(this.target), this.ops)
    } catch (e) {
      throw this.folderNotFlushed(e)
    }
  }

  /** `flush`, then `replace`. */
  commit(): void {
    this.flush()
    this.replace()
  }

  /** Gives up: the temporary file is removed, the target untouched. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        this.ops.closeSync(this.fd)
      } catch {
        // Closing is best effort here: the file is being thrown away.
      }
      this.fd = undefined
    }
    try {
      this.ops.unlinkSync(this.temporary)
    } catch {
      // Never created, or already renamed.
    }
  }

  /** Closes the flushed file and renames it over the target. */
  private closeAndRename(): void {
    this.attempt('close', () => { this.ops.closeSync(this.fdOrThrow()) })
    this.fd = undefined
    this.attempt('replace', () => { this.ops.renameSync(this.temporary, this.target) })
  }

  private folderNotFlushed(e: unknown): UsageError {
    return new UsageError(`${this.target}: replaced, but its folder cannot be flushed: ${fsReason(e)}; a power cut may undo the change`)
  }

  private fdOrThrow(): number {
    if (this.fd === undefined) throw new UsageError(`${this.target}: the file is already closed`)
    return this.fd
  }

  private attempt<T>(step: string, action: () => T): T {
    try {
      return action()
    } catch (e) {
      return this.fail(step, e)
    }
  }

  private fail(step: string, e: unknown): never {
    this.abort()
    if (e instanceof UsageError) throw e
    throw new UsageError(`${this.target}: cannot ${step} the file: ${fsReason(e)}; it is unchanged`)
  }
}

/** Replaces a file atomically with these pieces of text, written one after the other. */
export const writeFileAtomic = (path: string, pieces: Iterable<string | Uint8Array>, ops: FileOps = nodeFileOps): string => {
  const file = new AtomicFile(path, ops)
  file.writePieces(pieces)
  file.commit()
  return file.target
}
