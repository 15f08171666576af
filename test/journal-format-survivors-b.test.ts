import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import type { JournalRecord, SnapshotMark } from '../src/journal/format.js'
import { headerRecord, journalLine, journalStart, parseJournal } from '../src/journal/format.js'
import { durableStore } from '../src/server/store.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

/**
 * Journals written byte by byte beside a snapshot, the way a hand, a bad disk or an older server
 * could leave them, and what a reader makes of them: the changes it replays, or its refusal naming
 * the file and the byte where the damage is.
 */

const params = (instance: string) => ({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance })

/** A snapshot file of three free instances, no journal yet, and the mark a journal continuing it carries. */
const snapshotFile = (): { readonly path: string; readonly mark: SnapshotMark } => {
  const path = join(tempFolder('havip-journal-b-'), 'snapshot.json')
  writeFileSync(path, JSON.stringify(oneHaVipAccount(3)))
  return { path, mark: { sha256: readSnapshotFile(path).sha256, seq: 0 } }
}

/** The line of change `seq`: the instance bound to the HaVip. */
const bind = (seq: number, instance: string): Buffer => journalLine({ seq, changes: [{ requestId: `r-${instance}`, params: params(instance) }] })

/** A line with the right checksum for whatever it holds. */
const anyLine = (u: unknown): Buffer => journalLine(u as JournalRecord)

const v2Header = (mark: SnapshotMark): Buffer => journalLine({ journal: 'havip-rules', version: 2, snapshot: mark })

const fixed = (n: number): string => n.toString(16).padStart(16, '0')

/** What reading the snapshot with these journal bytes beside it gives: the instances bound, or the refusal's message. */
const read = (path: string, journal: Buffer): ReadonlyArray<string> | string => {
  writeFileSync(`${path}.journal`, journal)
  try {
    return snapshotToJson(readSnapshotFile(path).snapshot).HaVips?.[0]?.AssociatedInstanceIds ?? []
  } catch (e) {
    return (e as Error).message
  }
}

const refusal = (path: string, offset: number, why: string): string => `${path}.journal: damaged at byte ${String(offset)}: ${why}; nothing was replayed`

describe('the length line of a version 2 journal', () => {
  it('is taken only as 16 lower-case hex digits before and after: anything else is refused, naming its offset', () => {
    const { path, mark } = snapshotFile()
    const header = v2Header(mark)
    const change = bind(1, 'i-0')
    const lengthOf = (before: unknown, after: unknown): Buffer => anyLine({ length: { before, after } })
    const whole = header.length + lengthOf(fixed(0), fixed(0)).length + change.length
    const bad: ReadonlyArray<readonly [unknown, unknown]> = [
      ['0', '0'], // too short
      [fixed(0).slice(1), fixed(whole)],
      [`${fixed(0)}0`, fixed(whole)], // too long
      [fixed(0).slice(1) + 'g', fixed(whole)], // not hex at its end
      ['g' + fixed(0).slice(1), fixed(whole)], // not hex at its start
      [fixed(0).slice(1) + 'A', fixed(whole)], // upper case
      [null, fixed(whole)],
      [0, fixed(whole)],
      [fixed(0), '0'],
      [fixed(0), null],
    ]
    for (const [before, after] of bad) {
      expect(read(path, Buffer.concat([header, lengthOf(before, after), change]))).toBe(refusal(path, header.length, 'the second line is not the journal\'s length'))
    }
    for (const length of [5, 'x', null, [fixed(0), fixed(0)]]) {
      expect(read(path, Buffer.concat([header, anyLine({ length }), change]))).toBe(refusal(path, header.length, 'the second line is not the journal\'s length'))
    }
    // A change where the length line belongs.
    expect(read(path, Buffer.concat([header, change]))).toBe(refusal(path, header.length, 'the second line is not the journal\'s length'))
    expect(read(path, Buffer.concat([header, lengthOf(fixed(whole), fixed(whole)), change]))).toEqual(['i-0'])
  })

  it('is missing from a journal that ends with its header: cut short after it was written', () => {
    const { path, mark } = snapshotFile()
    const header = v2Header(mark)
    expect(read(path, header)).toBe(refusal(path, header.length, 'the journal ends before its length line: it was cut short after it was written'))
    const parsed = parseJournal(header)
    expect(parsed.ok ? parsed.journal : parsed.damage).toEqual({ offset: header.length, why: 'the journal ends before its length line: it was cut short after it was written' })
    // Version 1 had no length line: its header alone is a journal of no changes.
    expect(read(path, journalLine(headerRecord(mark)))).toEqual([])
  })

  it('is where a reader says it is, and a restarted server keeps it up to date: the journal cut after a later flush is refused', async () => {
    const { path, mark } = snapshotFile()
    const start = journalStart(mark, [bind(1, 'i-0')])
    const parsed = parseJournal(start.bytes)
    expect(parsed.ok && parsed.journal.lengthAt).toBe(start.lengthAt)
    expect(start.lengthAt).toBe(v2Header(mark).length)
    writeFileSync(`${path}.journal`, start.bytes)
    const store = durableStore(path)
    try {
      await store.submit(new Map(Object.entries(params('i-1'))), 'r-i-1').durable
      await store.submit(new Map(Object.entries(params('i-2'))), 'r-i-2').durable
      // What a kill -9 now would leave, then cut after the first change: two acknowledged changes gone.
      const left = readFileSync(`${path}.journal`)
      const copy = join(tempFolder('havip-journal-b-copy-'), 'snapshot.json')
      copyFileSync(path, copy)
      const cut = left.subarray(0, start.bytes.length)
      expect(read(copy, cut)).toBe(refusal(copy, start.bytes.length, `the journal ends at byte ${String(start.bytes.length)}, but its last flush began at byte ${String(start.bytes.length + bind(2, 'i-1').length)}: it was cut short after it was written`))
      expect(read(copy, left)).toEqual(['i-0', 'i-1', 'i-2'])
    } finally {
      await store.close()
    }
  })
})

describe('the records of a journal', () => {
  it('are refused when their form is wrong though their checksum is right: no changes, a change not understood, not an object', () => {
    const { path, mark } = snapshotFile()
    const header = journalLine(headerRecord(mark))
    const forms: ReadonlyArray<unknown> = [
      { seq: 1, changes: [] },
      { seq: 1, changes: [{ advance: 1 }, { bogus: 1 }] },
      { seq: 1, changes: [{ bogus: 1 }, { advance: 1 }] },
      { seq: 1.5, changes: [{ advance: 1 }] },
      { seq: 1, changes: { advance: 1 } },
      { checkpoint: { sha256: 'x', seq: 0 } },
      {},
      42,
      null,
    ]
    for (const form of forms) {
      // Not the last line: damage, whatever follows.
      expect(read(path, Buffer.concat([header, anyLine(form), bind(1, 'i-0')]))).toBe(refusal(path, header.length, 'a line is damaged (its checksum or its form is wrong)'))
      // The last line, whole: damage too, not a torn line to drop.
      expect(read(path, Buffer.concat([header, bind(1, 'i-0'), anyLine(form)]))).toBe(refusal(path, header.length + bind(1, 'i-0').length, 'the last line is damaged (its checksum or its form is wrong), yet whole: not a write a crash cut short'))
    }
    expect(read(path, Buffer.concat([header, bind(1, 'i-0'), anyLine({ checkpoint: mark })]))).toEqual(['i-0'])
  })

  it('are refused when a change is altered after its checksum was written, or its text is not JSON', () => {
    const { path, mark } = snapshotFile()
    const header = journalLine(headerRecord(mark))
    const altered = Buffer.from(bind(1, 'i-0').toString('utf8').replace('"i-0"', '"i-2"'), 'utf8')
    expect(read(path, Buffer.concat([header, bind(1, 'i-1'), bind(2, 'i-2')]))).toEqual(['i-1', 'i-2'])
    expect(read(path, Buffer.concat([header, altered, bind(2, 'i-1')]))).toBe(refusal(path, header.length, 'a line is damaged (its checksum or its form is wrong)'))
    const text = Buffer.from('{"seq":1,', 'utf8')
    const notJson = Buffer.concat([Buffer.from(`${crc32(text).toString(16).padStart(8, '0')} `, 'latin1'), text, Buffer.from('\n', 'latin1')])
    expect(read(path, Buffer.concat([header, notJson, bind(1, 'i-0')]))).toBe(refusal(path, header.length, 'a line is damaged (its checksum or its form is wrong)'))
  })

  it('of a version 1 journal are not followed by free space: a bad line before zeros is damage, not the last line', () => {
    const { path, mark } = snapshotFile()
    const header = journalLine(headerRecord(mark))
    const bad = anyLine({ seq: 1, changes: [] })
    expect(read(path, Buffer.concat([header, bad, Buffer.alloc(64)]))).toBe(refusal(path, header.length, 'a line is damaged (its checksum or its form is wrong)'))
    const zeroed = Buffer.from(bind(1, 'i-0'))
    zeroed.fill(0, 20, 30)
    expect(read(path, Buffer.concat([header, zeroed, Buffer.alloc(64)]))).toBe(refusal(path, header.length, 'a line is damaged (its checksum or its form is wrong)'))
    // The last line, zeros where its data never reached the disk: a crash tore it, never acknowledged.
    expect(read(path, Buffer.concat([header, bind(1, 'i-1'), zeroed]))).toEqual(['i-1'])
  })
})

describe('a journal without a header', () => {
  it('is refused when empty, and when its first line was cut short: nothing to tell which snapshot it continues', () => {
    const { path, mark } = snapshotFile()
    expect(read(path, Buffer.alloc(0))).toBe(refusal(path, 0, 'the journal is empty: it has no header'))
    const header = v2Header(mark)
    for (const cut of [header.subarray(0, 20), header.subarray(0, header.length - 1)]) {
      expect(read(path, cut)).toBe(refusal(path, 0, 'the first line is not a havip-rules journal header'))
    }
    const zeroed = Buffer.from(header)
    zeroed.fill(0, 20, 30)
    expect(read(path, zeroed)).toBe(refusal(path, 0, 'the first line is not a havip-rules journal header'))
  })
})
