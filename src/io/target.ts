import { lstatSync, readlinkSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { errorCode, fsReason, UsageError } from './usage-error.js'

const maxLinks = 40

/**
 * The file a path names, after following every symbolic link, so that a write replaces the file
 * the user pointed at and leaves the link alone. What exists there must be a regular file: a write
 * never replaces a folder, a device (`/dev/full`) or a pipe.
 */
export const resolveTarget = (path: string): string => {
  let current = resolve(path)
  for (let hops = 0; hops <= maxLinks; hops++) {
    let kind
    try {
      kind = lstatSync(current)
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return current
      throw new UsageError(`${path}: ${fsReason(e)}`)
    }
    if (kind.isSymbolicLink()) {
      current = resolve(dirname(current), readlinkSync(current))
      continue
    }
    if (!kind.isFile()) throw new UsageError(`${path}: not a regular file${current === resolve(path) ? '' : ` (${current})`}; havip writes only regular files`)
    return current
  }
  throw new UsageError(`${path}: too many symbolic links`)
}

/** The mode, owner and group of an existing regular file, to give its replacement. */
export const ownership = (path: string): { readonly mode: number; readonly uid: number; readonly gid: number } | undefined => {
  try {
    const s = statSync(path)
    return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid }
  } catch {
    return undefined
  }
}
