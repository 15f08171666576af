import { readFileSync } from 'node:fs'
import { isUtf8 } from 'node:buffer'
import { printable } from './printable.js'
import { fsReason, UsageError } from './usage-error.js'

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

/** UTF-16 text, by its byte order mark, or (JSON never holds a NUL byte) by a NUL among its first two bytes. */
const utf16 = (bytes: Uint8Array): string | undefined => {
  const [a, b] = bytes
  if (a === 0xff && b === 0xfe) return 'UTF-16 (little-endian, with a byte order mark)'
  if (a === 0xfe && b === 0xff) return 'UTF-16 (big-endian, with a byte order mark)'
  if (bytes.length >= 2 && (a === 0) !== (b === 0)) return `UTF-16 (${a === 0 ? 'big' : 'little'}-endian)`
  return undefined
}

/**
 * A JSON file's text: UTF-8, with or without a byte order mark. UTF-16 (what some editors and
 * PowerShell's `>` write) is named, not misread; a byte that is not UTF-8 is refused with its
 * offset, since decoding it as U+FFFD would make two different ids the same.
 */
export const jsonText = (bytes: Uint8Array, file: string): string => {
  const encoding = utf16(bytes)
  if (encoding !== undefined) throw new UsageError(`${file}: the file is ${encoding}; save it as UTF-8`)
  if (!isUtf8(bytes)) {
    const at = invalidUtf8Offset(bytes) ?? 0
    throw new UsageError(`${file}: not UTF-8: byte ${String(at)} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}) starts no UTF-8 character; save the file as UTF-8`)
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  return Buffer.from(bytes.buffer, bytes.byteOffset + (bom ? 3 : 0), bytes.byteLength - (bom ? 3 : 0)).toString('utf8')
}

/** A file's JSON (`jsonText`, then parsed); every failure a usage error naming the file and saying what it holds (`what`). */
export const readJsonFile = (file: string, what: string): unknown => {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (e) {
    throw new UsageError(`${file}: cannot read the ${what}: ${fsReason(e)}`)
  }
  const text = jsonText(bytes, file)
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${printable(e instanceof Error ? e.message : String(e))}`)
  }
}
