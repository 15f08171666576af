import { crc32 } from 'node:zlib'

/**
 * The journal beside a snapshot (`FILE.journal`): the changes acknowledged since the snapshot was
 * written, one line each group of them, every line `CRC32 JSON` so that damage is seen, not
 * replayed. The first line says which snapshot the journal continues (by the SHA-256 of its bytes)
 * and from which change number; a checkpoint line says that a newer snapshot holds every change
 * up to its number.
 */

/** One API request as it was applied: its parameters and the RequestId it answered with. */
export interface JournalRequest {
  readonly requestId: string
  readonly params: Readonly<Record<string, string>>
  /** A `fail-task` fault rule fired on it: its task was marked to fail. */
  readonly failTask?: true
}

/** The whole state put in place through the control routes (a reset, a state put): the snapshot's JSON. */
export interface JournalStateChange {
  readonly state: unknown
}

/** Asynchronous steps taken through the control routes. */
export interface JournalAdvance {
  readonly advance: number
}

/** The asynchronous mode set by the server (`--async-steps`). */
export interface JournalAsyncSteps {
  readonly asyncSteps: number
}

/** A change made through the control routes or by the server itself, not by an API request. */
export type JournalControl = JournalStateChange | JournalAdvance | JournalAsyncSteps

/** One change, in the order it was applied: an API request, or a change made through the control routes. */
export type JournalChange = JournalRequest | JournalControl

/** A snapshot, by the SHA-256 of its file, that holds every change up to `seq`. */
export interface SnapshotMark {
  readonly sha256: string
  readonly seq: number
}

export interface JournalHeader {
  readonly journal: 'havip-rules'
  /** 2: the line after the header holds the journal's length (version 1, without it, is still read). */
  readonly version: 1 | 2
  readonly snapshot: SnapshotMark
}

/**
 * The second line of a version 2 journal, rewritten in place with every flush: the journal's length
 * before the last flush and after it, in fixed-width hex so that the line never changes length. A
 * crash mid-flush can leave the journal shorter than `after`, never shorter than `before`: shorter
 * than that, it was cut after it was written, and acknowledged changes are missing.
 */
export interface JournalLength {
  readonly length: { readonly before: string; readonly after: string }
}

/** Changes flushed together: they are numbered `seq`, `seq + 1`, … */
export interface JournalBatch {
  readonly seq: number
  readonly changes: ReadonlyArray<JournalChange>
}

export interface JournalCheckpoint {
  readonly checkpoint: SnapshotMark
}

export type JournalRecord = JournalBatch | JournalCheckpoint

const hex = (n: number): string => n.toString(16).padStart(8, '0')

/** One line of the journal, ready to append. */
export const journalLine = (record: JournalHeader | JournalLength | JournalRecord): Buffer => {
  // Buffer.from encodes a string as UTF-8; the checksum, the space and the newline are ASCII.
  const json = Buffer.from(JSON.stringify(record))
  return Buffer.concat([Buffer.from(`${hex(crc32(json))} `), json, Buffer.from('\n')])
}

/** A version 1 header: a journal without its length (what earlier versions wrote). */
export const headerRecord = (snapshot: SnapshotMark): JournalHeader => ({ journal: 'havip-rules', version: 1, snapshot })

const width = 16
const fixedHex = (n: number): string => n.toString(16).padStart(width, '0')

/** The length line: always the same number of bytes. */
export const lengthLine = (before: number, after: number): Buffer => journalLine({ length: { before: fixedHex(before), after: fixedHex(after) } })

const lengthLineBytes = lengthLine(0, 0).length

/**
 * The start of a new journal: the header, and the length line saying it is only that, followed by
 * `lines` (records carried over from a journal it replaces). The length line's offset, for the writer.
 */
export const journalStart = (snapshot: SnapshotMark, lines: ReadonlyArray<Buffer> = []): { readonly bytes: Buffer; readonly lengthAt: number } => {
  const header = journalLine({ journal: 'havip-rules', version: 2, snapshot })
  const total = header.length + lengthLineBytes + lines.reduce((n, l) => n + l.length, 0)
  return { bytes: Buffer.concat([header, lengthLine(total, total), ...lines]), lengthAt: header.length }
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isMark = (u: unknown): u is SnapshotMark =>
  isRecord(u) && typeof u.sha256 === 'string' && /^[0-9a-f]{64}$/.test(u.sha256) && Number.isSafeInteger(u.seq) && (u.seq as number) >= 0

const isCount = (u: unknown): boolean => Number.isSafeInteger(u) && (u as number) >= 0

const isChange = (u: unknown): u is JournalChange =>
  isRecord(u) && (Object.hasOwn(u, 'state') || isCount(u.advance) || isCount(u.asyncSteps)
    || (typeof u.requestId === 'string' && isRecord(u.params) && Object.values(u.params).every((v) => typeof v === 'string')
      && (u.failTask === undefined || u.failTask === true)))

const asHeader = (u: unknown): JournalHeader | undefined =>
  isRecord(u) && u.journal === 'havip-rules' && (u.version === 1 || u.version === 2) && isMark(u.snapshot) ? (u as unknown as JournalHeader) : undefined

const isFixedHex = (u: unknown): u is string => typeof u === 'string' && u.length === width && /^[0-9a-f]+$/.test(u)

const asLength = (u: unknown): { readonly before: number; readonly after: number } | undefined => {
  const length = isRecord(u) ? u.length : undefined
  if (!isRecord(length) || !isFixedHex(length.before) || !isFixedHex(length.after)) return undefined
  return { before: parseInt(length.before, 16), after: parseInt(length.after, 16) }
}

const asRecord = (u: unknown): JournalRecord | undefined => {
  if (isRecord(u) && isMark(u.checkpoint)) return u as unknown as JournalCheckpoint
  if (isRecord(u) && Number.isSafeInteger(u.seq) && Array.isArray(u.changes) && u.changes.length > 0 && u.changes.every(isChange)) {
    return u as unknown as JournalBatch
  }
  return undefined
}

/** A journal as read: its header, its records in order, and where a torn last line starts, if any. */
export interface ParsedJournal {
  readonly header: JournalHeader
  /** Each record with the offset of its line. */
  readonly records: ReadonlyArray<{ readonly offset: number; readonly record: JournalRecord }>
  /** The length of the whole lines: a torn last line (a crash mid-append) starts here. */
  readonly validLength: number
  readonly torn: boolean
  /** Version 2: where the length line is, to be rewritten by whoever appends. */
  readonly lengthAt?: number
}

/** Damage that is not a torn last line: the journal cannot be trusted, and nothing is replayed. */
export interface JournalDamage {
  readonly offset: number
  readonly why: string
}

const decodeLine = (line: Buffer): unknown => {
  const text = line.toString('utf8')
  const m = /^([0-9a-f]{8}) (.*)$/s.exec(text)
  if (m === null) return undefined
  const json = Buffer.from(m[2] ?? '', 'utf8')
  if (hex(crc32(json)) !== m[1]) return undefined
  try {
    return JSON.parse(json.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

const allZero = (bytes: Buffer, from: number): boolean => {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

/**
 * Reads a journal's bytes. Only the last line may be bad, and only as a crash leaves it — cut short
 * (no newline), or holding zeros where its data never reached the disk — since it is the one group
 * of changes a crash can cut, and it was never acknowledged: it is then reported torn. A whole last
 * line with a wrong checksum (a bit flipped), a bad line anywhere else, a bad header, or (version 2)
 * a journal shorter than its last flush began (cut after it was written) is damage, with its offset.
 * Zeros after the last line of a version 2 journal are free space (the writer grows the file ahead
 * of its lines); the last flush was torn if its lines end before the length line's `after`.
 */
export const parseJournal = (bytes: Buffer): { readonly ok: true; readonly journal: ParsedJournal } | { readonly ok: false; readonly damage: JournalDamage } => {
  const records: Array<{ offset: number; record: JournalRecord }> = []
  let header: JournalHeader | undefined
  let length: { readonly at: number; readonly before: number; readonly after: number } | undefined
  let offset = 0
  const done = (validLength: number, torn: boolean): { readonly ok: true; readonly journal: ParsedJournal } | { readonly ok: false; readonly damage: JournalDamage } => {
    if (header === undefined) return { ok: false, damage: { offset: 0, why: 'the journal is empty: it has no header' } }
    if (header.version === 2 && length === undefined) return { ok: false, damage: { offset: validLength, why: 'the journal ends before its length line: it was cut short after it was written' } }
    if (length !== undefined && validLength < length.before) {
      return { ok: false, damage: { offset: validLength, why: `the journal ends at byte ${String(validLength)}, but its last flush began at byte ${String(length.before)}: it was cut short after it was written` } }
    }
    return { ok: true, journal: { header, records, validLength, torn, ...(length === undefined ? {} : { lengthAt: length.at }) } }
  }
  while (offset < bytes.length) {
    // Version 2: zeros from here to the end are space the writer grew the file by, ahead of its lines.
    if (length !== undefined && allZero(bytes, offset)) return done(offset, offset < length.after)
    const end = bytes.indexOf(0x0a, offset)
    const line = bytes.subarray(offset, end === -1 ? bytes.length : end)
    const decoded = end === -1 ? undefined : decodeLine(line)
    if (header?.version === 2 && length === undefined) {
      const read = asLength(decoded)
      if (read === undefined) return { ok: false, damage: { offset, why: 'the second line is not the journal\'s length' } }
      length = { at: offset, ...read }
      offset = end + 1
      continue
    }
    const parsed = header === undefined ? asHeader(decoded) : asRecord(decoded)
    if (parsed === undefined) {
      const last = end === -1 || end === bytes.length - 1 || (length !== undefined && allZero(bytes, end + 1))
      // A crash cuts the last line short or leaves zeros in it; a whole line of other bytes that is wrong was damaged after it was written.
      const crashed = end === -1 || line.includes(0)
      if (last && crashed && header !== undefined) return done(offset, true)
      return { ok: false, damage: { offset, why: header === undefined ? 'the first line is not a havip-rules journal header' : last ? 'the last line is damaged (its checksum or its form is wrong), yet whole: not a write a crash cut short' : 'a line is damaged (its checksum or its form is wrong)' } }
    }
    if (header === undefined) header = parsed as JournalHeader
    else records.push({ offset, record: parsed as JournalRecord })
    offset = end + 1
  }
  return done(offset, false)
}
