import * as E from 'fp-ts/lib/Either.js'
import type { Problem } from '../codec/problems.js'
import { loadSnapshot, snapshotToJson } from '../codec/snapshot.js'
import { packageVersion } from '../io/version.js'
import type { AsyncTaskJson, SnapshotJson } from '../model/json.js'
import type { Snapshot } from '../model/snapshot.js'
import { isSnapshot, withChanges } from '../model/snapshot.js'
import { stepped, tasksInProgress } from '../engine/tasks.js'
import type { FaultRule, FaultStatus, RuleContext } from './faults.js'
import { checkRule, faultLimits, FaultRules, shown } from './faults.js'
import type { Store } from './store.js'
import type { Exchange } from './trace.js'
import { Trace } from './trace.js'

/** A control operation refused: a code, the HTTP status the route answers with, and what is wrong. */
export class ControlError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** A snapshot's problems, each at its JSON path, when one was refused. */
    readonly problems?: ReadonlyArray<Problem>,
  ) {
    super(message)
    this.name = 'ControlError'
  }
}

/** What `health` answers: what the server is and holds. */
export interface Health {
  readonly version: string
  /** The actions the server answers. */
  readonly actions: ReadonlyArray<string>
  /** The snapshot file the state is kept in; `null` in memory. */
  readonly snapshot: string | null
  /** How many changes the journal holds now; `null` in memory. */
  readonly journal: { readonly records: number } | null
  readonly asyncSteps: number
  /** How many fault rules the server holds. */
  readonly faults: number
}

/** The fault rules, as the handle's `faults` offers them. */
export interface FaultControl {
  /** Every rule, in order, with `hits` and `remaining`. */
  readonly list: () => ReadonlyArray<FaultStatus>
  /** Replaces every rule; throws a `ControlError` naming the field, and keeps the old ones, when one is bad. */
  readonly set: (rules: ReadonlyArray<FaultRule>) => ReadonlyArray<FaultStatus>
  /** Appends one rule; throws a `ControlError` naming the field when it is bad. */
  readonly add: (rule: FaultRule) => ReadonlyArray<FaultStatus>
  readonly clear: () => ReadonlyArray<FaultStatus>
}

/** The trace, as the handle's `trace` offers it. */
export interface TraceControl {
  /** The last API exchanges (at most 1,000), oldest first. */
  readonly list: () => ReadonlyArray<Exchange>
  readonly clear: () => void
}

/** What the control routes and the handle's methods do: one implementation for both. */
export interface ControlPlane {
  readonly health: () => Health
  readonly reset: (snapshot?: unknown) => Promise<void>
  readonly state: () => SnapshotJson
  readonly setState: (snapshot: unknown) => Promise<void>
  /** Takes `steps` asynchronous steps (default 1); the tasks still in progress, once durable. */
  readonly advance: (steps?: number) => Promise<ReadonlyArray<AsyncTaskJson>>
  readonly faults: FaultControl
  readonly trace: TraceControl
  /** The rules and the trace the API path consults. */
  readonly rules: FaultRules
  readonly exchanges: Trace
}

export interface ControlDeps {
  readonly store: Store
  /** The actions the server answers. */
  readonly actions: ReadonlyArray<string>
  /** The asynchronous mode every state put in place gets (`--async-steps`), if one was set. */
  readonly asyncSteps?: number
}

/** The most steps one advance may take. */
export const maxSteps = 1_000_000

const loaded = (json: unknown): Snapshot => {
  if (isSnapshot(json)) return json
  const result = loadSnapshot(json)
  if (E.isLeft(result)) {
    throw new ControlError('InvalidSnapshot', 400, `the snapshot does not load; nothing was changed:\n${result.left.message}`, result.left.problems)
  }
  return result.right
}

const invalidRules = (problems: ReadonlyArray<{ readonly field: string; readonly message: string }>): ControlError =>
  new ControlError('InvalidField', 400, `the fault rules were refused; nothing was changed: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)

/**
 * The control plane of one server (docs/control.md): state put in place through the store (so
 * journaled and durable like any change), fault rules and the trace in memory.
 */
export const controlPlane = (deps: ControlDeps): ControlPlane => {
  const { store } = deps
  const start = store.snapshot()
  const rules = new FaultRules()
  const exchanges = new Trace()
  const asyncStepsNow = (): number => { const s = store.snapshot(); return isSnapshot(s) ? s.asyncSteps : 0 }
  const context: RuleContext = {
    actions: deps.actions,
    failTask: (action) => action !== 'CreateHaVip' && action !== 'DeleteHaVip'
      ? `fail-task applies to CreateHaVip and DeleteHaVip only, not ${action}`
      : asyncStepsNow() === 0 ? 'fail-task needs the asynchronous mode (havip serve --async-steps N, or AsyncSteps in the snapshot)' : undefined,
  }
  /** A state put in place gets the server's asynchronous mode, when it was given one. */
  const withMode = (s: Snapshot): Snapshot =>
    deps.asyncSteps === undefined || !isSnapshot(s) || s.asyncSteps === deps.asyncSteps ? s : withChanges(s, { asyncSteps: deps.asyncSteps })

  const saved = async (durable: Promise<void> | undefined): Promise<void> => {
    try {
      await durable
    } catch (e) {
      throw new ControlError('NotSaved', 500, `the state could not be saved, and is as it was: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const put = (next: Snapshot): Promise<void> => saved(store.replace(withMode(next)).durable)

  /** The rules, checked, to be held beside `kept` others; every problem with them refused at once. */
  const checked = (list: ReadonlyArray<unknown>, path: (i: number) => string, kept: number): ReadonlyArray<FaultStatus> => {
    if (kept + list.length > faultLimits.rules) {
      throw new ControlError('TooManyRules', 400, `a server holds at most ${String(faultLimits.rules)} fault rules`)
    }
    const out: Array<FaultStatus> = []
    const problems: Array<{ readonly field: string; readonly message: string }> = []
    list.forEach((u, i) => {
      const rule = checkRule(u, path(i), context)
      if ('effect' in rule && 'hits' in rule) out.push(rule)
      else problems.push(...rule)
    })
    if (problems.length > 0) throw invalidRules(problems)
    return out
  }

  return {
    health: () => ({
      version: packageVersion(),
      actions: deps.actions,
      snapshot: store.file?.path ?? null,
      journal: store.file === undefined ? null : { records: store.file.records() },
      asyncSteps: asyncStepsNow(),
      faults: rules.size,
    }),
    reset: async (snapshot) => {
      await put(snapshot === undefined ? start : loaded(snapshot))
      rules.clear()
      exchanges.clear()
    },
    state: () => snapshotToJson(store.snapshot()),
    setState: async (snapshot) => { await put(loaded(snapshot)) },
    advance: async (steps = 1) => {
      if (!Number.isSafeInteger(steps) || steps < 0 || steps > maxSteps) {
        throw new ControlError('InvalidField', 400, `steps: must be a whole number from 0 to ${String(maxSteps)}; got ${shown(steps)}`)
      }
      const now = store.snapshot()
      if (!isSnapshot(now)) return []
      const next = stepped(now, steps)
      await saved(store.replace(next, { advance: steps }).durable)
      return tasksInProgress(next)
    },
    faults: {
      list: () => rules.list(),
      set: (list) => {
        if (!Array.isArray(list)) throw invalidRules([{ field: 'faults', message: 'must be a list of rules' }])
        rules.set(checked(list, (i) => `faults[${String(i)}]`, 0))
        return rules.list()
      },
      add: (rule) => {
        for (const r of checked([rule], () => '', rules.size)) rules.add(r)
        return rules.list()
      },
      clear: () => {
        rules.clear()
        return rules.list()
      },
    },
    trace: { list: () => exchanges.list(), clear: () => { exchanges.clear() } },
    rules,
    exchanges,
  }
}
