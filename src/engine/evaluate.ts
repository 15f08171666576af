import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RA from 'fp-ts/lib/ReadonlyArray.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { assign } from '../model/layered-map.js'
import type { AnyLedgerEntryJson, LedgerEntryJson } from '../model/json.js'
import { ledgerKey } from '../model/ledger.js'
import type { BindingRequest } from '../model/request.js'
import type { HaVipJson } from '../model/json.js'
import type { Target } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'
import type { PartialBinding, Rule } from '../rules/context.js'
import { ruleContext } from '../rules/context.js'
import { consultLedger, ledgerEntry } from '../rules/idempotency.js'
import { withTask } from './tasks.js'

/** An operation: its rules in the contract's order, and the change it makes when they all pass. */
export interface Operation {
  readonly rules: ReadonlyArray<Rule>
  readonly apply: (s: SnapshotState, haVip: HaVipJson, target: Target) => SnapshotState
}

/** What a write answers in its `Result` besides the RequestId: its task id (absent only in the replay of an entry older than tasks). */
export interface TaskOutput {
  readonly AsyncTaskId?: string
}

/** CreateHaVip's `Result` besides the RequestId. */
export interface CreateHaVipOutput extends TaskOutput {
  readonly HaVipId: string
  readonly IpAddress: string
}

/** A success: the new snapshot, what the `Result` holds, and the ledger entry when it replays an earlier success. */
export interface Outcome<R extends TaskOutput = TaskOutput> {
  readonly snapshot: SnapshotState
  readonly result: R
  readonly replayed?: AnyLedgerEntryJson
}

/** A write's task, then, with a token, its ledger entry (which records the task id). */
const record = (s: SnapshotState, r: BindingRequest, haVipId: string, requestId: string | undefined): Outcome => {
  const { snapshot, taskId } = withTask(s, r.action, haVipId, requestId)
  return {
    snapshot: r.clientToken === undefined
      ? snapshot
      : withChanges(snapshot, { ledger: assign(snapshot.ledger, ledgerKey(r.action, r.clientToken), ledgerEntry(r, r.clientToken, requestId, taskId)) }),
    result: { AsyncTaskId: taskId },
  }
}

/** A replay answers the entry's task id, where it recorded one. */
export const replayResult = (entry: LedgerEntryJson): TaskOutput => (entry.AsyncTaskId === undefined ? {} : { AsyncTaskId: entry.AsyncTaskId })

/** Emulator mode: the first rule that fails is the answer; otherwise the new snapshot. */
export const evaluate = (op: Operation, s: SnapshotState, r: BindingRequest, requestId?: string): E.Either<ApiError, Outcome> => {
  const verdict = consultLedger(s, r)
  if (verdict._tag === 'Replay') return E.right({ snapshot: s, result: replayResult(verdict.entry), replayed: verdict.entry })
  if (verdict._tag === 'Refused') return E.left(verdict.error)
  const ctx = ruleContext(s, r)
  const violation = pipe(op.rules, RA.findFirstMap((rule) => rule(ctx)))
  if (O.isSome(violation)) return E.left(violation.value)
  // Every rule passed, the existence rules among them, so both lookups are Right.
  if (ctx.haVip === undefined || ctx.target === undefined) return E.left(apiError('InternalError', 'a request with an unknown part was executed'))
  if (E.isLeft(ctx.haVip)) return ctx.haVip
  if (E.isLeft(ctx.target)) return ctx.target
  return E.right(record(op.apply(s, ctx.haVip.right, ctx.target.right), r, ctx.haVip.right.HaVipId, requestId))
}

/**
 * Pre-check mode, from the same rules: every failure whose inputs exist, in the contract's order.
 * Its first element is what `evaluate` answers.
 */
export const violations = (op: Operation, s: SnapshotState, r: BindingRequest): ReadonlyArray<ApiError> => {
  const verdict = consultLedger(s, r)
  if (verdict._tag === 'Replay') return []
  const ctx = ruleContext(s, r)
  const found = pipe(op.rules, RA.filterMap((rule) => rule(ctx)))
  return verdict._tag === 'Refused' ? [verdict.error, ...found] : found
}

/**
 * The rules a request breaks when some of what it names is known only later (a Terraform plan's
 * values): a rule speaks only when every input it reads is known, so what it says holds whatever
 * the unknown parts turn out to be. No ClientToken: plans carry none.
 */
export const knownViolations = (op: Operation, s: SnapshotState, r: PartialBinding): ReadonlyArray<ApiError> => {
  const ctx = ruleContext(s, r)
  return pipe(op.rules, RA.filterMap((rule) => rule(ctx)))
}
