import { randomBytes } from 'node:crypto'
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Snapshot } from '../model/snapshot.js'
import { problemText } from '../codec/problems.js'
import { loadSnapshot, snapshotToJson } from '../codec/snapshot.js'
import { fsReason as reason, UsageError } from './usage-error.js'

/** Reads and loads a snapshot file; every failure names the file and says what is wrong. */
export const readSnapshotFile = (path: string): Snapshot => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`${path}: cannot read the snapshot: ${reason(e)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${path}: not JSON: ${reason(e)}`)
  }
  const loaded = loadSnapshot(json)
  if (E.isLeft(loaded)) {
    throw new UsageError(`${path}: the snapshot does not load:\n${loaded.left.problems.map((p) => `  ${problemText(p)}`).join('\n')}`)
  }
  return loaded.right
}

/** The filesystem calls an atomic write makes; tests put failing ones in. */
export interface WriteOps {
  readonly openSync: typeof openSync
  readonly writeSync: (fd: number, data: string) => number
  readonly fsyncSync: typeof fsyncSync
  readonly closeSync: typeof closeSync
  readonly renameSync: typeof renameSync
  readonly unlinkSync: typeof unlinkSync
}

const nodeOps: WriteOps = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync }

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one, whole:
 * a temporary file in the same folder, flushed to disk, then renamed over the target.
 */
export const writeFileAtomic = (path: string, data: string, ops: WriteOps = nodeOps): void => {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = ops.openSync(temporary, 'wx', 0o644)
    ops.writeSync(fd, data)
    ops.fsyncSync(fd)
    ops.closeSync(fd)
    fd = undefined
    ops.renameSync(temporary, path)
  } catch (e) {
    if (fd !== undefined) ops.closeSync(fd)
    try {
      ops.unlinkSync(temporary)
    } catch {
      // It was never created, or the rename took it.
    }
    throw new UsageError(`${path}: cannot save the snapshot: ${reason(e)}`)
  }
  syncFolder(dirname(path))
}

/** Makes a rename durable: until its folder is flushed, a power cut may undo it. */
const syncFolder = (folder: string): void => {
  let fd: number | undefined
  try {
    fd = openSync(folder, constants.O_RDONLY)
    fsyncSync(fd)
  } catch {
    // Some filesystems cannot sync a folder; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const snapshotText = (s: Snapshot): string => `${JSON.stringify(snapshotToJson(s), null, 2)}\n`

export const writeSnapshotFile = (path: string, s: Snapshot, ops?: WriteOps): void => { writeFileAtomic(path, snapshotText(s), ops); }
