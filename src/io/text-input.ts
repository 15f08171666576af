import { isUtf8 } from 'node:buffer'
import type { Stats } from 'node:fs'
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs'
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

const kindOf = (stat: Stats): string =>
  stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'something else'

const notRegular = (name: string, stat: Stats): UsageError => new UsageError(`${name}: is ${kindOf(stat)}, not a regular file`)

/** Why `open` failed; it refuses a Unix socket with ENXIO ("no such device"), so say what the path is instead. */
const openFailure = (path: string, name: string, e: unknown): UsageError => {
  if (errorCode(e) === 'ENXIO') {
    try {
      const stat = statSync(path)
      if (!stat.isFile()) return notRegular(name, stat)
    } catch {
      // Gone or unreadable since the open: the open's own reason stands.
    }
  }
  return new UsageError(`${name}: cannot read it: ${reason(e)}`)
}

/**
 * Where bytes come from: reads into `chunk` from where the input stands and answers how many it
 * read (0 at the end); fails as `readSync` does. Standard input is one (a test gives its own).
 */
export type ByteReader = (chunk: Uint8Array) => number

/** A descriptor's bytes, from where it stands. */
export const descriptorReader = (fd: number): ByteReader => (chunk) => readSync(fd, chunk, 0, chunk.length, null)

/** The process's standard input. */
export const standardInput: ByteReader = descriptorReader(0)

/**
 * Reads at most `limit + 1` bytes: one more than allowed tells it is too large. A failure to read
 * is a usage error saying `cannotRead(why)`.
 */
export const readUpTo = (read: ByteReader, limit: number, name: string, cannotRead = (why: string): string => `${name}: cannot read it: ${why}`): Buffer => {
  const chunks: Array<Buffer> = []
  let total = 0
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total))
    let n: number
    try {
      n = read(chunk)
    } catch (e) {
      if (errorCode(e) === 'EAGAIN') continue
      throw new UsageError(cannotRead(reason(e)))
    }
    if (n === 0) break
    chunks.push(chunk.subarray(0, n))
    total += n
    if (total > limit) throw new UsageError(`${name}: larger than ${mib(limit)}, the most havip reads of it`)
  }
  return Buffer.concat(chunks, total)
}

/** The offset of the first byte of `bytes` that starts no UTF-8 character (or starts one cut short). */
export const invalidUtf8Offset = (bytes: Uint8Array): number | undefined => {
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i] ?? 0
    if (c < 0x80) {
      i++
      continue
    }
    // Continuation bytes after a lead byte; the second one's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0
    if (length === 0) return i
    const low = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80
    const high = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k]
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i
    }
    i += length
  }
  return undefined
}

/** UTF-16 text, by its byte order mark, or (a JSON or .tf file never holds a NUL byte) by a NUL among its first two bytes. */
const utf16 = (bytes: Uint8Array): string | undefined => {
  const [a, b] = bytes
  if (a === 0xff && b === 0xfe) return 'UTF-16 (little-endian, with a byte order mark)'
  if (a === 0xfe && b === 0xff) return 'UTF-16 (big-endian, with a byte order mark)'
  if (bytes.length >= 2 && (a === 0) !== (b === 0)) return `UTF-16 (${a === 0 ? 'big' : 'little'}-endian)`
  return undefined
}

/** The bytes as text: a UTF-8 byte-order mark skipped, UTF-16 named, invalid UTF-8 refused at its offset. */
export const decodeText = (bytes: Uint8Array, name: string): string => {
  const encoding = utf16(bytes)
  if (encoding !== undefined) {
    throw new UsageError(`${name}: the file is ${encoding}; save it as UTF-8 (Windows PowerShell's > writes UTF-16: use | Out-File -Encoding utf8)`)
  }
  if (!isUtf8(bytes)) {
    const at = invalidUtf8Offset(bytes) ?? 0
    throw new UsageError(`${name}: not UTF-8: byte ${String(at)} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}) starts no UTF-8 character; save the file as UTF-8`)
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  return Buffer.from(bytes.buffer, bytes.byteOffset + (bom ? 3 : 0), bytes.byteLength - (bom ? 3 : 0)).toString('utf8')
}

/** A regular file's text (`-`: `stdin`, the process's standard input unless given), bounded by `maxBytes`. */
export const readTextInput = (path: string, maxBytes: number, stdin: ByteReader = standardInput): string => {
  const name = path === '-' ? 'standard input' : path
  if (path === '-') return decodeText(readUpTo(stdin, maxBytes, name), name)
  let fd: number
  try {
    // Non-blocking, so that opening a FIFO returns at once and is refused below.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    throw openFailure(path, name, e)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw notRegular(name, stat)
    if (stat.size > maxBytes) throw new UsageError(`${name}: ${mib(stat.size)}, larger than ${mib(maxBytes)}, the most havip reads of it`)
    return decodeText(readUpTo(descriptorReader(fd), maxBytes, name), name)
  } finally {
    closeSync(fd)
  }
}
