import { fstatSync, readlinkSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * An open file and the path it was opened by: whether that path still leads to it is checked before
 * every flush of the journal, since a change flushed into a file the path no longer leads to could
 * never be found again.
 */
export interface OpenedFile {
  readonly fd: number
  readonly path: string
  readonly dev: number
  readonly ino: number
  /**
   * The kernel's name for the open file (Linux: `/proc/self/fd/N`), when it is the path itself (no
   * symbolic link on the way). While that name is unchanged, the file was neither deleted nor moved.
   */
  readonly name?: string
}

const kernelName = (fd: number): string | undefined => {
  try {
    return readlinkSync(`/proc/self/fd/${String(fd)}`)
  } catch {
    return undefined
  }
}

export const openedFile = (fd: number, path: string): OpenedFile => {
  const { dev, ino } = fstatSync(fd)
  const name = kernelName(fd)
  return { fd, path, dev, ino, ...(name === resolve(path) ? { name } : {}) }
}

/**
 * Why `path` no longer leads to the open file (deleted, or replaced by another file), if it does not.
 * Read from the kernel's name for the file where it has one: a `stat` queries the file's times, and
 * on Linux 6.13 and later a file whose times were queried gets a fine-grained time at its next
 * write, which logs its inode again: 50 µs more a flush of the journal, measured (docs/performance.md).
 * Where the name changed, or there is none (no /proc, a symbolic link on the path), a `stat` of the
 * path decides and names what happened.
 */
export const whyGone = (file: OpenedFile): string | undefined => {
  if (file.name !== undefined && kernelName(file.fd) === file.name) return undefined
  let named
  try {
    named = statSync(file.path)
  } catch {
    return 'was deleted'
  }
  return named.dev === file.dev && named.ino === file.ino ? undefined : 'was replaced by another file'
}
