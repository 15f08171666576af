import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ByteReader } from '../src/io/text-input.js'
import { decodeText, readTextInput, readUpTo } from '../src/io/text-input.js'
import { UsageError } from '../src/io/usage-error.js'
import { tempFolder } from './support/temp.js'

/**
 * What a user sees when havip reads a text input (a snapshot, a plan, a baseline, a .tf file, or
 * standard input): the text, or one usage error naming the input and saying what is wrong with it.
 */

/** The message of the usage error `read` throws (fails the test if it throws nothing or something else). */
const refusal = (read: () => unknown): string => {
  try {
    read()
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    return (e as UsageError).message
  }
  throw new Error('expected a usage error, got none')
}

const bytes = (...b: Array<number>): Uint8Array => new Uint8Array(b)

/** A file in a new temp folder holding `content`. */
const fileWith = (content: Uint8Array | string, name = 'input.json'): string => {
  const path = join(tempFolder(), name)
  writeFileSync(path, content)
  return path
}

/** Standard input holding `content`, handed out `step` bytes at a time at most; counts what was taken. */
const stdinOf = (content: Uint8Array, step = Number.POSITIVE_INFINITY): ByteReader & { taken: () => number } => {
  let at = 0
  const read: ByteReader = (chunk) => {
    const n = Math.min(chunk.length, step, content.length - at)
    chunk.set(content.subarray(at, at + n))
    at += n
    return n
  }
  return Object.assign(read, { taken: () => at })
}

const utf16Advice = "; save it as UTF-8 (Windows PowerShell's > writes UTF-16: use | Out-File -Encoding utf8)"

describe('a text input in UTF-16 is named as such', () => {
  it('says which UTF-16 it is, by its byte order mark or by a NUL in its first two bytes', () => {
    const cases: ReadonlyArray<readonly [Uint8Array, string]> = [
      [bytes(0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00), 'UTF-16 (little-endian, with a byte order mark)'],
      [bytes(0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d), 'UTF-16 (big-endian, with a byte order mark)'],
      [bytes(0x7b, 0x00, 0x7d, 0x00), 'UTF-16 (little-endian)'],
      [bytes(0x00, 0x7b, 0x00, 0x7d), 'UTF-16 (big-endian)'],
      [bytes(0x7b, 0x00), 'UTF-16 (little-endian)'],
      [bytes(0x00, 0x7b), 'UTF-16 (big-endian)'],
    ]
    for (const [input, encoding] of cases) {
      expect(refusal(() => decodeText(input, 'plan.json'))).toBe(`plan.json: the file is ${encoding}${utf16Advice}`)
    }
  })

  it('says so when the file is read from disk, naming the file', () => {
    const path = fileWith(Buffer.from('\ufeff{"HaVips":[]}', 'utf16le'))
    expect(refusal(() => readTextInput(path, 1024))).toBe(`${path}: the file is UTF-16 (little-endian, with a byte order mark)${utf16Advice}`)
  })

  it('does not take a lone 0xff or 0xfe, or one of them second, for a byte order mark', () => {
    expect(refusal(() => decodeText(bytes(0xff, 0x41), 'f'))).toBe('f: not UTF-8: byte 0 (0xff) starts no UTF-8 character; save the file as UTF-8')
    expect(refusal(() => decodeText(bytes(0xfe, 0x41), 'f'))).toBe('f: not UTF-8: byte 0 (0xfe) starts no UTF-8 character; save the file as UTF-8')
    expect(refusal(() => decodeText(bytes(0x41, 0xfe), 'f'))).toBe('f: not UTF-8: byte 1 (0xfe) starts no UTF-8 character; save the file as UTF-8')
    expect(refusal(() => decodeText(bytes(0x41, 0xff), 'f'))).toBe('f: not UTF-8: byte 1 (0xff) starts no UTF-8 character; save the file as UTF-8')
    expect(refusal(() => decodeText(bytes(0xfe, 0xfe), 'f'))).toBe('f: not UTF-8: byte 0 (0xfe) starts no UTF-8 character; save the file as UTF-8')
    expect(refusal(() => decodeText(bytes(0xff, 0xff), 'f'))).toBe('f: not UTF-8: byte 0 (0xff) starts no UTF-8 character; save the file as UTF-8')
  })

  it('reads a single byte, even a NUL, as UTF-8 (one byte is not UTF-16)', () => {
    expect(decodeText(bytes(0x00), 'f')).toBe('\u0000')
    expect(decodeText(bytes(0x7b), 'f')).toBe('{')
    expect(decodeText(bytes(), 'f')).toBe('')
  })
})

describe('a text input that is not UTF-8 is refused at the first byte that is not', () => {
  const notUtf8 = (at: number, byte: string): string => `f: not UTF-8: byte ${String(at)} (0x${byte}) starts no UTF-8 character; save the file as UTF-8`

  it('names the offset and the byte, after valid characters of every length', () => {
    expect(refusal(() => decodeText(bytes(0x41, 0xff), 'f'))).toBe(notUtf8(1, 'ff'))
    // U+0080 and U+07FF, the first and last two-byte characters (lead bytes 0xc2 and 0xdf)
    expect(refusal(() => decodeText(bytes(0xc2, 0x80, 0xff), 'f'))).toBe(notUtf8(2, 'ff'))
    expect(refusal(() => decodeText(bytes(0xdf, 0xbf, 0xff), 'f'))).toBe(notUtf8(2, 'ff'))
    // U+FFFF, the last three-byte character (lead byte 0xef)
    expect(refusal(() => decodeText(bytes(0xef, 0xbf, 0xbf, 0xc0), 'f'))).toBe(notUtf8(3, 'c0'))
    // U+10000 and U+10FFFF, the first and last four-byte characters
    expect(refusal(() => decodeText(bytes(0xf0, 0x90, 0x80, 0x80, 0xff), 'f'))).toBe(notUtf8(4, 'ff'))
    expect(refusal(() => decodeText(bytes(0xf4, 0x8f, 0xbf, 0xbf, 0xff), 'f'))).toBe(notUtf8(4, 'ff'))
  })

  it('refuses a lead byte past 0xf4, a lone continuation byte and an overlong four-byte form at their first byte, not at a later one', () => {
    expect(refusal(() => decodeText(bytes(0xf5, 0x80, 0x80, 0x80, 0xff), 'f'))).toBe(notUtf8(0, 'f5'))
    expect(refusal(() => decodeText(bytes(0x41, 0x80, 0x80, 0x80, 0x80, 0xff), 'f'))).toBe(notUtf8(1, '80'))
    expect(refusal(() => decodeText(bytes(0xf0, 0x80, 0x80, 0x80, 0xff), 'f'))).toBe(notUtf8(0, 'f0'))
  })

  it('refuses a file on disk the same way, naming the file', () => {
    const path = fileWith(bytes(0x5b, 0x22, 0x61, 0xe9, 0x22, 0x5d)) // ["aé"] in Latin-1
    expect(refusal(() => readTextInput(path, 1024))).toBe(`${path}: not UTF-8: byte 3 (0xe9) starts no UTF-8 character; save the file as UTF-8`)
  })
})

describe('a UTF-8 byte order mark is skipped, and only that', () => {
  it('skips EF BB BF at the start', () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x41), 'f')).toBe('A')
    expect(readTextInput(fileWith(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d)), 1024)).toBe('{}')
  })

  it('keeps characters that share some of its bytes', () => {
    expect(decodeText(bytes(0xef, 0xbf, 0xbf, 0x41), 'f')).toBe('\uffffA') // U+FFFF: EF BF BF
    expect(decodeText(bytes(0xef, 0xbb, 0x80, 0x41), 'f')).toBe('\ufec0A') // U+FEC0: EF BB 80
    expect(decodeText(bytes(0xe0, 0xbb, 0xbf, 0x41), 'f')).toBe('\u0effA') // U+0EFF: E0 BB BF
    expect(decodeText(bytes(0x41, 0xc2, 0xbf), 'f')).toBe('A¿') // a third byte BF
  })
})

describe('reading standard input', () => {
  it('reads up to the limit exactly, and refuses one byte more', () => {
    const ten = new Uint8Array(Buffer.from('0123456789'))
    expect(readTextInput('-', 10, stdinOf(ten))).toBe('0123456789')
    expect(readTextInput('-', 10, stdinOf(ten, 3))).toBe('0123456789')
    expect(refusal(() => readTextInput('-', 9, stdinOf(ten)))).toBe('standard input: larger than 0 MiB, the most havip reads of it')
    expect(refusal(() => readTextInput('-', 2 * 1024 * 1024, stdinOf(new Uint8Array(2 * 1024 * 1024 + 1))))).toBe('standard input: larger than 2 MiB, the most havip reads of it')
  })

  it('takes no more than one byte past the limit from an endless input, however it comes', () => {
    const endless = new Uint8Array(4 * 1024 * 1024)
    for (const step of [Number.POSITIVE_INFINITY, 5, 1]) {
      const stdin = stdinOf(endless, step)
      expect(refusal(() => readUpTo(stdin, 10, 'standard input'))).toBe('standard input: larger than 0 MiB, the most havip reads of it')
      expect(stdin.taken()).toBe(11)
    }
    // Hands over 5 bytes first, then fills whatever room it is given.
    let calls = 0
    let taken = 0
    const burst: ByteReader = (chunk) => {
      const n = calls++ === 0 ? 5 : chunk.length
      taken += n
      return n
    }
    expect(refusal(() => readUpTo(burst, 10, 'standard input'))).toBe('standard input: larger than 0 MiB, the most havip reads of it')
    expect(taken).toBe(11)
  })

  it('waits through EAGAIN (a non-blocking standard input with nothing yet) and reads on', () => {
    const text = stdinOf(new Uint8Array(Buffer.from('{"a":1}')), 3)
    let again = 2
    const stdin: ByteReader = (chunk) => {
      if (again-- > 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, read'), { code: 'EAGAIN' })
      return text(chunk)
    }
    expect(readTextInput('-', 1024, stdin)).toBe('{"a":1}')
  })

  it('says why it cannot read it, in words', () => {
    const failing = (code: string, message: string): ByteReader => () => { throw Object.assign(new Error(message), { code }) }
    expect(refusal(() => readTextInput('-', 1024, failing('EISDIR', 'EISDIR: illegal operation on a directory, read')))).toBe('standard input: cannot read it: it is a folder, not a file')
    expect(refusal(() => readTextInput('-', 1024, failing('ELOOP', 'ELOOP: too many symbolic links encountered')))).toBe('standard input: cannot read it: a symbolic link that leads back to itself')
    expect(refusal(() => readUpTo(failing('EIO', 'EIO: i/o error, read'), 1024, 'the query', (why) => `the query is unreadable: ${why}`))).toBe('the query is unreadable: EIO: i/o error, read')
  })

  it('names standard input in its refusals', () => {
    expect(refusal(() => readTextInput('-', 1024, stdinOf(bytes(0x41, 0xff))))).toBe('standard input: not UTF-8: byte 1 (0xff) starts no UTF-8 character; save the file as UTF-8')
  })
})

describe('reading a file', () => {
  it('reads a file up to the limit exactly, and refuses a larger one saying both sizes', () => {
    const path = fileWith('x'.repeat(1024))
    expect(readTextInput(path, 1024)).toBe('x'.repeat(1024))
    expect(refusal(() => readTextInput(path, 1023))).toBe(`${path}: 0 MiB, larger than 0 MiB, the most havip reads of it`)
    const big = fileWith(new Uint8Array(3 * 1024 * 1024), 'big.json')
    expect(refusal(() => readTextInput(big, 1024 * 1024))).toBe(`${big}: 3 MiB, larger than 1 MiB, the most havip reads of it`)
  })

  it('names the file when it cannot open it', () => {
    const folder = tempFolder()
    const missing = join(folder, 'missing.json')
    expect(refusal(() => readTextInput(missing, 1024))).toBe(`${missing}: cannot read it: no such file or folder`)
    const loop = join(folder, 'loop.json')
    symlinkSync(loop, loop)
    expect(refusal(() => readTextInput(loop, 1024))).toBe(`${loop}: cannot read it: a symbolic link that leads back to itself`)
  })

  it('refuses a folder, a FIFO and a device as not regular files, without waiting on them', () => {
    const folder = tempFolder()
    const sub = join(folder, 'snapshot.json')
    mkdirSync(sub)
    expect(refusal(() => readTextInput(sub, 1024))).toBe(`${sub}: is a folder, not a regular file`)
    const fifo = join(folder, 'fifo.json')
    execFileSync('mkfifo', [fifo])
    expect(refusal(() => readTextInput(fifo, 1024))).toBe(`${fifo}: is a FIFO, not a regular file`)
    expect(refusal(() => readTextInput('/dev/null', 1024))).toBe('/dev/null: is a device, not a regular file')
  })

  it('refuses a Unix socket as a socket, not with the ENXIO that opening one gives', async () => {
    const socket = join(tempFolder(), 'plan.sock')
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    try {
      expect(refusal(() => readTextInput(socket, 1024))).toBe(`${socket}: is a socket, not a regular file`)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it.runIf(existsSync('/proc/self/fd'))('leaves no file open, whether it reads the file or refuses it', () => {
    const open = (): number => readdirSync('/proc/self/fd').length
    const good = fileWith('{}')
    const bad = fileWith(bytes(0xff), 'bad.json')
    const before = open()
    for (let i = 0; i < 5; i++) {
      expect(readTextInput(good, 1024)).toBe('{}')
      expect(refusal(() => readTextInput(bad, 1024))).toContain('not UTF-8')
      expect(refusal(() => readTextInput('/dev/null', 1024))).toContain('not a regular file')
    }
    expect(open()).toBe(before)
  })
})
