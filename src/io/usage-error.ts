/**
 * A problem the command line reports in one line and exits 2 for: a file it cannot use, an input
 * that does not load, a bad flag. Its message is for a person; no stack trace is ever shown.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The code of a failed system call (`ENOENT`, `EEXIST`, …); undefined for anything else thrown. */
export const errorCode = (e: unknown): string | undefined => {
  const code = (e as { readonly code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** Why a filesystem call failed, in words (`no such file` rather than `ENOENT: …`). */
export const fsReason = (e: unknown): string => {
  switch (errorCode(e)) {
    case 'ENOENT': return 'no such file or folder'
    case 'EISDIR': return 'it is a folder, not a file'
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'ENOSPC': return 'no space left on the device'
    case 'EDQUOT': return 'disk quota exceeded'
    case 'EROFS': return 'the filesystem is read-only'
    case 'ENOTDIR': return 'a part of the path is not a folder'
    default: return e instanceof Error ? e.message : String(e)
  }
}
