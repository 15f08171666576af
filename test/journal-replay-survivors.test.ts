import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import { loadSnapshot, snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import type { JournalChange, JournalRecord } from '../src/journal/format.js'
import { journalLine, journalStart, parseJournal } from '../src/journal/format.js'
import { replayJournal } from '../src/journal/replay.js'
import { isSnapshot } from '../src/model/snapshot.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** A snapshot file and, beside it, a journal of `records` continuing it (or the snapshot `header` names); where each record's line starts. */
const placed = (json: SnapshotJson, records: ReadonlyArray<JournalRecord>, header?: { readonly sha256: string; readonly seq: number }): { path: string; sha256: string; offsets: ReadonlyArray<number> } => {
  const path = join(tempFolder('havip-replay-'), 'snapshot.json')
  const bytes = Buffer.from(JSON.stringify(json))
  writeFileSync(path, bytes)
  const sha256 = sha256Of(bytes)
  const lines = records.map(journalLine)
  const journal = journalStart(header ?? { sha256, seq: 0 }, lines).bytes
  writeFileSync(`${path}.journal`, journal)
  const offsets: Array<number> = []
  let at = journal.length - lines.reduce((n, l) => n + l.length, 0)
  for (const line of lines) {
    offsets.push(at)
    at += line.length
  }
  return { path, sha256, offsets }
}

/** What a reader makes of the snapshot and its journal, as the replay itself answers it. */
const replayOf = (path: string): ReturnType<typeof replayJournal> => {
  const loaded = loadSnapshot(JSON.parse(readFileSync(path, 'utf8')))
  const parsed = parseJournal(readFileSync(`${path}.journal`))
  if (E.isLeft(loaded) || !isSnapshot(loaded.right) || !parsed.ok) throw new Error('the snapshot or its journal does not read')
  return replayJournal(loaded.right, sha256Of(readFileSync(path)), parsed.journal)
}

const associate = (instance: string, requestId = `r-${instance}`): JournalChange =>
  ({ requestId, params: { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance } })

const stateOf = (path: string): SnapshotJson => snapshotToJson(readSnapshotFile(path, () => undefined).snapshot)
const bound = (path: string): ReadonlyArray<string> => stateOf(path).HaVips?.[0]?.AssociatedInstanceIds ?? []

/** An account whose writes finish after `steps` steps. */
const asyncAccount = (n: number, steps: number): SnapshotJson => ({ ...oneHaVipAccount(n), AsyncSteps: steps })

describe('replaying a journal: which snapshot it continues', () => {
  it('applies every change onto the snapshot its header names, whatever another snapshot\'s checkpoint says', () => {
    const { path } = placed(oneHaVipAccount(2), [
      { seq: 1, changes: [associate('i-0')] },
      { checkpoint: { sha256: 'f'.repeat(64), seq: 1 } },
      { seq: 2, changes: [associate('i-1')] },
    ])
    expect(bound(path)).toEqual(['i-0', 'i-1'])
  })

  it('says which snapshot a journal continues and which one it was given, by the start of their SHA-256', () => {
    const other = 'abcdef0123456789'.repeat(4)
    const { path, sha256 } = placed(oneHaVipAccount(1), [{ seq: 1, changes: [associate('i-0')] }], { sha256: other, seq: 0 })
    expect(replayOf(path)).toEqual({
      kind: 'another snapshot', offset: 0,
      why: `it continues another version of the snapshot (SHA-256 abcdef012345…, this one is ${sha256.slice(0, 12)}…)`,
    })
    expect(() => readSnapshotFile(path, () => undefined)).toThrow('snapshot.json.journal: it continues another version of')
  })
})

describe('replaying a journal: refusals of a damaged one name the line and the change', () => {
  it('refuses changes whose numbers jump, at the line where they jump', () => {
    const { path, offsets } = placed(oneHaVipAccount(3), [
      { seq: 1, changes: [associate('i-0')] },
      { seq: 3, changes: [associate('i-1')] },
    ])
    expect(replayOf(path)).toEqual({ kind: 'damaged', offset: offsets[1], why: 'changes jump from 1 to 3' })
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[1])}: changes jump from 1 to 3; nothing was replayed`)
  })

  it('refuses a request that fails, naming its number, its action, HaVip and instance, and the error', () => {
    const { path, offsets } = placed(oneHaVipAccount(2), [
      { seq: 1, changes: [associate('i-0')] },
      { seq: 2, changes: [associate('i-9')] },
    ])
    const refused = replayOf(path)
    expect(refused).toMatchObject({ kind: 'damaged', offset: offsets[1] })
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[1])}: change 2 (AssociateHaVip havip-1 i-9) does not apply: InvalidInstance.NotFound`)
  })

  it('refuses a request without an Action, shown as ?', () => {
    const { path, offsets } = placed(oneHaVipAccount(1), [{ seq: 1, changes: [{ requestId: 'r-1', params: { Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: 'i-0' } }] }])
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[0])}: change 1 (? havip-1 i-0) does not apply: MissingParameter`)
  })

  it('refuses a request that answers but changes nothing (a read): no HaVip or instance shown', () => {
    const { path, offsets } = placed(oneHaVipAccount(1), [
      { seq: 1, changes: [associate('i-0')] },
      { seq: 2, changes: [{ requestId: 'r-2', params: { Action: 'DescribeHaVips', Version: '2020-04-01' } }] },
    ])
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[1])}: change 2 (DescribeHaVips  ) does not apply: no change; nothing was replayed`)
  })

  it('refuses a state put in place that does not load', () => {
    const { path, offsets } = placed(oneHaVipAccount(1), [{ seq: 1, changes: [associate('i-0'), { state: { HaVips: 'none' } }] }])
    expect(replayOf(path)).toEqual({ kind: 'damaged', offset: offsets[0], why: 'change 2 (a state put in place) does not load' })
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[0])}: change 2 (a state put in place) does not load; nothing was replayed`)
  })

  it('refuses an asynchronous mode set to the one the state already has: a change that changes nothing', () => {
    const { path, offsets } = placed(asyncAccount(1, 2), [{ seq: 1, changes: [{ asyncSteps: 2 }] }])
    expect(() => readSnapshotFile(path)).toThrow(`snapshot.json.journal: at byte ${String(offsets[0])}: change 1 (a control change) changes nothing; nothing was replayed`)
  })
})

describe('replaying a journal: control changes and requests apply as the server applied them', () => {
  it('sets the asynchronous mode, then a write starts a task that steps taken later finish', () => {
    const { path } = placed(oneHaVipAccount(1), [
      { seq: 1, changes: [{ asyncSteps: 3 }] },
      { seq: 2, changes: [associate('i-0', 'req-async')] },
      { seq: 3, changes: [{ advance: 5 }] },
    ])
    const state = stateOf(path)
    expect(state.AsyncSteps).toBe(3)
    expect(state.HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0'])
    expect(state.AsyncTasks?.map((t) => [t.Action, t.Status, t.RequestId])).toEqual([['AssociateHaVip', 'Succeeded', 'req-async']])
  })

  it('puts a whole state in place, and the changes after it apply to that state', () => {
    const { path } = placed(oneHaVipAccount(1), [{ seq: 1, changes: [associate('i-0'), { state: oneHaVipAccount(2) }, associate('i-1')] }])
    const state = stateOf(path)
    expect(state.Instances?.map((i) => i.InstanceId)).toEqual(['i-0', 'i-1'])
    expect(state.HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-1'])
  })

  it('keeps the RequestId each write answered with on its task', () => {
    const { path } = placed(oneHaVipAccount(1), [{ seq: 1, changes: [associate('i-0', 'req-kept')] }])
    expect(stateOf(path).AsyncTasks?.map((t) => t.RequestId)).toEqual(['req-kept'])
  })

  it('marks to fail only the task of a request a fail-task rule fired on', () => {
    const { path } = placed(asyncAccount(2, 2), [
      { seq: 1, changes: [{ ...associate('i-0'), failTask: true }, associate('i-1')] },
      { seq: 3, changes: [{ advance: 5 }] },
    ])
    expect(stateOf(path).AsyncTasks?.map((t) => [t.RequestId, t.Status])).toEqual([['r-i-0', 'Failed'], ['r-i-1', 'Succeeded']])
  })
})
