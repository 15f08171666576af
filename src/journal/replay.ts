import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot } from '../codec/snapshot.js'
import type { SnapshotState } from '../model/snapshot.js'
import { isErrorBody } from '../wire/envelope.js'
import type { Handled } from '../wire/handle.js'
import { handle } from '../wire/handle.js'
import { markToFail, stepped } from '../engine/tasks.js'
import { isSnapshot, withChanges } from '../model/snapshot.js'
import type { JournalChange, JournalControl, JournalRequest, ParsedJournal } from './format.js'

/** The state a journal brings its snapshot to, and the number of its last change. */
export interface Replayed {
  readonly snapshot: SnapshotState
  readonly seq: number
  readonly changes: number
}

/** Why a journal cannot be replayed onto this snapshot: it continues another one, or a change in it does not apply. */
export interface ReplayFailure {
  readonly kind: 'another snapshot' | 'damaged'
  readonly offset: number
  readonly why: string
}

/**
 * Replays a journal onto the snapshot file it continues. The snapshot is recognised by its
 * SHA-256: the header's, or a checkpoint's (a newer snapshot written before the journal was
 * replaced), and only the changes after that mark are applied. Each must apply exactly as it did
 * (the engine is deterministic), or the journal is refused.
 */
export const replayJournal = (snapshot: SnapshotState, sha256: string, journal: ParsedJournal): Replayed | ReplayFailure => {
  let from: number | undefined = journal.header.snapshot.sha256 === sha256 ? journal.header.snapshot.seq : undefined
  for (const { record } of journal.records) {
    if ('checkpoint' in record && record.checkpoint.sha256 === sha256) from = record.checkpoint.seq
  }
  if (from === undefined) {
    return { kind: 'another snapshot', offset: 0, why: `it continues another version of the snapshot (SHA-256 ${journal.header.snapshot.sha256.slice(0, 12)}…, this one is ${sha256.slice(0, 12)}…)` }
  }
  let state = snapshot
  let seq = journal.header.snapshot.seq
  let changes = 0
  for (const { offset, record } of journal.records) {
    if ('checkpoint' in record) continue
    if (record.seq !== seq + 1) return { kind: 'damaged', offset, why: `changes jump from ${String(seq)} to ${String(record.seq)}` }
    for (const change of record.changes) {
      seq++
      if (seq <= from) continue
      const applied = applyChange(state, change)
      if (typeof applied === 'string') return { kind: 'damaged', offset, why: `change ${String(seq)} ${applied}` }
      state = applied
      changes++
    }
  }
  return { snapshot: state, seq, changes }
}

/** The outcome of a control change: the state it leads to (the same when it changes nothing). */
export const applyControl = (state: SnapshotState, change: JournalControl): SnapshotState | string => {
  if ('state' in change) {
    const loaded = E.toUnion(loadSnapshot(change.state))
    return isSnapshot(loaded) ? loaded : '(a state put in place) does not load'
  }
  if ('advance' in change) return stepped(state, change.advance)
  return change.asyncSteps === state.asyncSteps ? state : withChanges(state, { asyncSteps: change.asyncSteps })
}

/** An API request applied to a state, as the server applied it: handled, its task marked to fail when a `fail-task` rule fired on it. */
export const handleRequest = (state: SnapshotState, change: JournalRequest): Handled => {
  const handled = handle(state, change.params, { requestId: change.requestId })
  if (change.failTask !== true || isErrorBody(handled.body) || !isSnapshot(handled.snapshot)) return handled
  const taskId = (handled.body.Result as { readonly AsyncTaskId?: unknown }).AsyncTaskId
  return typeof taskId === 'string' ? { ...handled, snapshot: markToFail(handled.snapshot, taskId) } : handled
}

/**
 * One journaled change applied to a state, exactly as it was applied when it was made (the engine
 * is deterministic); why not, in words, when it does not apply.
 */
export const applyChange = (state: SnapshotState, change: JournalChange): SnapshotState | string => {
  if (!('params' in change)) {
    const next = applyControl(state, change)
    return next === state ? '(a control change) changes nothing' : next
  }
  const handled = handleRequest(state, change)
  if (isErrorBody(handled.body) || handled.snapshot === state || !isSnapshot(handled.snapshot)) {
    const code = isErrorBody(handled.body) ? handled.body.ResponseMetadata.Error.Code : 'no change'
    return `(${change.params.Action ?? '?'} ${change.params.HaVipId ?? ''} ${change.params.InstanceId ?? ''}) does not apply: ${code}`
  }
  return handled.snapshot
}
