import { isUtf8 } from 'node:buffer'
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { errorCode, fsReason, UsageError } from './usage-error.js'

/**
 * An input file read as text, with a bound: a regular file only (a FIFO would block forever, a
 * device never ends), at most `maxBytes`, UTF-8 with or without a byte-order mark. UTF-16 (what
 * Windows PowerShell's `>` writes) is named, and bytes that are not UTF-8 are refused at their
 * offset rather than replaced: two ids differing only there would read as one. Every failure is a
 * usage error naming the file.
 */

const mib = (bytes: number): string => `${String(Math.round(bytes / 1024 / 1024))} MiB`

const reason = (e: unknown): string => (errorCode(e) === 'ELOOP' ? 'a symbolic link that leads back to itself' : fsReason(e))

/** Reads at most `limit + 1` bytes from a descriptor: one more than allowed tells it is too large. */
const readUpTo = (fd: number, limit: number, name: string): Buffer => {
  const chunks: Array<Buffer> = []
  let total = 0
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total))
    let n: number
    try {
      n = readSync(fd, chunk, 0, chunk.length, null)
    } catch (e) {
      if (errorCode(e) === 'EAGAIN') continue
      throw new UsageError(`${name}: cannot read it: ${reason(e)}`)
    }
    if (n === 0) break
    chunks.push(chunk.subarray(0, n))
    total += n
    if (total > limit) throw new UsageError(`${name}: larger than ${mib(limit)}, the most havip reads of it`)
  }
  return Buffer.concat(chunks, total)
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence. */
const firstInvalid = (bytes: Uint8Array): number => {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (length === 0) return i
    if (!isUtf8(bytes.subarray(i, i + length))) return i
    i += length
  }
  return bytes.length
}

/** The bytes as text: a UTF-8 byte-order mark skipped, UTF-16 named, invalid UTF-8 refused at its offset. */
export const decodeText = (bytes: Buffer, name: string): string => {
  const [a, b] = bytes
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff) || (bytes.length >= 2 && (a === 0 || b === 0))) {
    throw new UsageError(`${name}: is UTF-16, not UTF-8 (Windows PowerShell's > writes UTF-16): save it as UTF-8, for example with | Out-File -Encoding utf8`)
  }
  const body = a === 0xef && b === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  if (!isUtf8(body)) {
    const at = firstInvalid(body) + body.byteOffset - bytes.byteOffset
    throw new UsageError(`${name}: not UTF-8: the byte at offset ${String(at)} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}) is not part of a UTF-8 character`)
  }
  return body.toString('utf8')
}

/** A regular file's text (`-`: standard input), bounded by `maxBytes`; `name` is how messages call it. */
export const readTextInput = (path: string, maxBytes: number, name = path === '-' ? 'standard input' : path): string => {
  if (path === '-') return decodeText(readUpTo(0, maxBytes, name), name)
  let fd: number
  try {
    // Non-blocking, so that opening a FIFO returns at once and is refused below.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    throw new UsageError(`${name}: cannot read it: ${reason(e)}`)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'something else'
      throw new UsageError(`${name}: is ${kind}, not a regular file`)
    }
    if (stat.size > maxBytes) throw new UsageError(`${name}: ${mib(stat.size)}, larger than ${mib(maxBytes)}, the most havip reads of it`)
    return decodeText(readUpTo(fd, maxBytes, name), name)
  } finally {
    closeSync(fd)
  }
}
