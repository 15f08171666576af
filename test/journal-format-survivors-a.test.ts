import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { snapshotToJson } from 'havip-rules'
import type { JournalHeader, JournalRecord } from '../src/journal/format.js'
import { journalLine, journalStart, parseJournal } from '../src/journal/format.js'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

/** A snapshot file of one HaVip and two instances, and the SHA-256 of its bytes (what a journal names). */
const snapshotFile = (): { readonly path: string; readonly sha256: string } => {
  const path = join(tempFolder('havip-format-a-'), 'snapshot.json')
  writeFileSync(path, JSON.stringify(oneHaVipAccount(2)))
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }
}

/** A line of the journal's form (checksum and JSON) holding anything, well-formed record or not. */
const line = (value: unknown): Buffer => journalLine(value as JournalRecord)

const associate = (instance: string): Readonly<Record<string, string>> =>
  ({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance })

/** Never waits: a journal that names another snapshot is refused at once rather than after retries. */
const noWait = (): void => undefined

const bound = (path: string): ReadonlyArray<string> =>
  snapshotToJson(readSnapshotFile(path, noWait).snapshot).HaVips?.[0]?.AssociatedInstanceIds ?? []

/** Writes `bytes` as the journal beside `path`. */
const journalOf = (path: string, bytes: Buffer): void => {
  writeFileSync(`${path}.journal`, bytes)
}

describe('a journal whose first line is not a havip-rules header is refused, naming the file and byte 0', () => {
  // Each header is followed by a length line and a change that would replay: only the header is wrong.
  const refused = (header: (sha256: string) => unknown): void => {
    const { path, sha256 } = snapshotFile()
    const start = journalStart({ sha256, seq: 0 })
    const good = start.bytes.subarray(start.lengthAt)
    journalOf(path, Buffer.concat([line(header(sha256)), good, line({ seq: 1, changes: [{ requestId: 'r-1', params: associate('i-0') }] })]))
    expect(() => readSnapshotFile(path, noWait)).toThrow(
      `${path}.journal: damaged at byte 0: the first line is not a havip-rules journal header; nothing was replayed`)
  }
  const header = (sha256: string, seq = 0): JournalHeader => ({ journal: 'havip-rules', version: 2, snapshot: { sha256, seq } })

  it('the line is JSON null', () => {
    refused(() => null)
  })

  it('it names another program', () => {
    refused((sha256) => ({ ...header(sha256), journal: 'not-havip-rules' }))
  })

  it('its version is one this reader does not know (3)', () => {
    refused((sha256) => ({ ...header(sha256), version: 3 }))
  })

  it('its snapshot is not a mark (no SHA-256, no number)', () => {
    refused(() => ({ journal: 'havip-rules', version: 2, snapshot: 'snapshot.json' }))
  })

  it('its SHA-256 is not a string but a list holding it', () => {
    refused((sha256) => ({ ...header(sha256), snapshot: { sha256: [sha256], seq: 0 } }))
  })

  it('its SHA-256 has a character before or after the 64 hex digits', () => {
    refused((sha256) => header(`x${sha256}`))
    refused((sha256) => header(`${sha256}x`))
  })

  it('its change number is negative', () => {
    refused((sha256) => header(sha256, -1))
  })
})

describe('a journal line whose change is not one a server writes is refused, naming its offset', () => {
  const refused = (change: unknown): void => {
    const { path, sha256 } = snapshotFile()
    const start = journalStart({ sha256, seq: 0 })
    journalOf(path, Buffer.concat([start.bytes, line({ seq: 1, changes: [change] })]))
    expect(() => readSnapshotFile(path, noWait)).toThrow(`${path}.journal: damaged at byte ${String(start.bytes.length)}: ` +
      'the last line is damaged (its checksum or its form is wrong), yet whole: not a write a crash cut short; nothing was replayed')
  }

  it('an asynchronous mode that is negative, fractional or not a number', () => {
    refused({ asyncSteps: -1 })
    refused({ asyncSteps: 1.5 })
    refused({ asyncSteps: 'two' })
  })

  it('an empty change', () => {
    refused({})
  })

  it('a request without a RequestId', () => {
    refused({ params: associate('i-0') })
    refused({ requestId: 7, params: associate('i-0') })
  })

  it('a request with a parameter that is not a string', () => {
    refused({ requestId: 'r-1', params: { ...associate('i-0'), InstanceId: 0 } })
  })

  it('a request whose fail-task mark is anything but true', () => {
    refused({ requestId: 'r-1', params: associate('i-0'), failTask: false })
    refused({ requestId: 'r-1', params: associate('i-0'), failTask: 'yes' })
  })
})

describe('a journal of the changes a server writes is replayed', () => {
  it('asynchronous modes set by the server, 0 (synchronous) among them', () => {
    const { path, sha256 } = snapshotFile()
    journalOf(path, Buffer.concat([journalStart({ sha256, seq: 0 }).bytes, line({ seq: 1, changes: [{ asyncSteps: 2 }, { asyncSteps: 0 }, { asyncSteps: 3 }] })]))
    const read = readSnapshotFile(path, noWait)
    expect(snapshotToJson(read.snapshot).AsyncSteps).toBe(3)
    expect(read.journal?.changes).toBe(3)
  })

  it('a request its fail-task rule fired on: its task is marked to fail', () => {
    const { path, sha256 } = snapshotFile()
    const journal = (failTask: boolean): Buffer => Buffer.concat([journalStart({ sha256, seq: 0 }).bytes,
      line({ seq: 1, changes: [{ asyncSteps: 1 }, { requestId: 'r-1', params: associate('i-0'), ...(failTask ? { failTask: true } : {}) }] })])
    journalOf(path, journal(true))
    const tasks = snapshotToJson(readSnapshotFile(path, noWait).snapshot).AsyncTasks
    expect(tasks).toHaveLength(1)
    expect(tasks?.[0]).toMatchObject({ Status: 'InProgress', Fails: true })
    journalOf(path, journal(false))
    expect(snapshotToJson(readSnapshotFile(path, noWait).snapshot).AsyncTasks?.[0]).not.toHaveProperty('Fails')
  })
})

describe('a journal started with records carried over from the one it replaces', () => {
  const carried = (sha256: string): { readonly bytes: Buffer; readonly lines: ReadonlyArray<Buffer> } => {
    const lines = [line({ seq: 1, changes: [{ requestId: 'r-1', params: associate('i-0') }] }), line({ seq: 2, changes: [{ requestId: 'r-2', params: associate('i-1') }] })]
    return { bytes: journalStart({ sha256, seq: 0 }, lines).bytes, lines }
  }

  it('is read whole: the length line counts the carried records as flushed', () => {
    const { path, sha256 } = snapshotFile()
    const { bytes } = carried(sha256)
    journalOf(path, bytes)
    expect(bound(path)).toEqual(['i-0', 'i-1'])
    const parsed = parseJournal(bytes)
    expect(parsed.ok && [parsed.journal.validLength, parsed.journal.torn, parsed.journal.records.length]).toEqual([bytes.length, false, 2])
  })

  it('cut after it was written, a carried record lost, is refused: those changes were acknowledged', () => {
    const { path, sha256 } = snapshotFile()
    const { bytes, lines } = carried(sha256)
    const cut = bytes.length - (lines[1]?.length ?? 0)
    journalOf(path, bytes.subarray(0, cut))
    expect(() => readSnapshotFile(path, noWait)).toThrow(`${path}.journal: damaged at byte ${String(cut)}: the journal ends at byte ${String(cut)}, ` +
      `but its last flush began at byte ${String(bytes.length)}: it was cut short after it was written; nothing was replayed`)
  })
})
