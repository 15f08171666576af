import * as fs from 'node:fs'
import { basename } from 'node:path'
import type { FileOps } from '../../src/io/atomic-file.js'

/** A step to fail, once, with this error (or a write that makes no progress: `written: 0`). */
export interface Failure {
  readonly at: string
  readonly error?: unknown
  readonly written?: number
}

/**
 * File operations that do the real thing and write down each call, with files by name (`folder`
 * for the folder, `temporary` for an atomic file's temporary file) and descriptors by the file
 * they were opened on, so that a test can compare the whole sequence. Each call may be failed once.
 */
export const recordingOps = (folder: string, options: { readonly fail?: Failure; readonly maxWrite?: number } = {}): { readonly ops: FileOps; readonly trace: Array<string> } => {
  const trace: Array<string> = []
  const names = new Map<number, string>()
  let failed = false
  const name = (path: string): string => path === folder ? 'folder' : /\.[0-9a-f]{12}\.tmp$/.test(path) ? 'temporary' : basename(path)
  const of = (fd: number | undefined): string => fd === undefined ? 'undefined' : names.get(fd) ?? String(fd)
  /** Writes the step down; true when it is to give `written` instead of doing it. */
  const step = (entry: string): boolean => {
    trace.push(entry)
    if (failed || options.fail?.at !== entry) return false
    failed = true
    if (options.fail.written !== undefined) return true
    throw options.fail.error
  }
  const cap = (length: number): number => Math.min(length, options.maxWrite ?? length)
  const ops: FileOps = {
    openSync: (path, flags, mode) => {
      step(`open ${name(path)} ${String(flags)}${mode === undefined ? '' : ` ${mode.toString(8)}`}`)
      const fd = fs.openSync(path, flags, mode)
      names.set(fd, name(path))
      return fd
    },
    writeSync: (fd, data, offset, length) =>
      step(`write ${of(fd)} ${String(offset)} ${String(length)}`) ? options.fail?.written ?? 0 : fs.writeSync(fd, data, offset, cap(length)),
    fsyncSync: (fd) => { step(`fsync ${of(fd)}`); fs.fsyncSync(fd) },
    fsync: (fd, done) => {
      try {
        step(`fsync in background ${of(fd)}`)
      } catch (e) {
        done(e as NodeJS.ErrnoException)
        return
      }
      fs.fsync(fd, done)
    },
    write: (fd, data, offset, length, done) => {
      try {
        if (step(`write in background ${of(fd)} ${String(offset)} ${String(length)}`)) {
          done(null, options.fail?.written ?? 0)
          return
        }
      } catch (e) {
        done(e as NodeJS.ErrnoException, 0)
        return
      }
      fs.write(fd, data, offset, cap(length), null, done)
    },
    fchmodSync: (fd, mode) => { step(`fchmod ${of(fd)} ${mode.toString(8)}`); fs.fchmodSync(fd, mode) },
    fchownSync: (fd, uid, gid) => { step(`fchown ${of(fd)} ${String(uid)} ${String(gid)}`); fs.fchownSync(fd, uid, gid) },
    ftruncateSync: (fd, length) => { step(`ftruncate ${of(fd)} ${String(length)}`); fs.ftruncateSync(fd, length) },
    closeSync: (fd) => {
      step(`close ${of(fd)}`)
      names.delete(fd)
      fs.closeSync(fd)
    },
    renameSync: (from, to) => { step(`rename ${name(from)} ${name(to)}`); fs.renameSync(from, to) },
    unlinkSync: (path) => { step(`unlink ${name(path)}`); fs.unlinkSync(path) },
  }
  return { ops, trace }
}

/** How many files this process has open: a test compares it before and after. */
export const openFiles = (): number => fs.readdirSync('/proc/self/fd').length

export const systemError = (code: string, message = `${code}: failed`): Error => Object.assign(new Error(message), { code })
