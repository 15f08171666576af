import type { ParamMap } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { catalog, errorIds } from '../errors/catalog.js'

/** What a fault rule does to the request it fires on (docs/control.md). */
export type FaultEffect = 'error' | 'delay' | 'drop-before' | 'drop-after' | 'fail-task'

/** A fault rule as written: which requests, how many, and what happens to them. */
export interface FaultRule {
  /** An action the server answers. */
  readonly action: string
  /** Parameters the request must carry, with exactly these values. */
  readonly match?: Readonly<Record<string, string>>
  /** Let this many matching requests through first (default 0). */
  readonly after?: number
  /** Fire on this many matching requests, then be spent (default 1). */
  readonly times?: number
  readonly effect: FaultEffect
  /** `error`: the error's `Code`. */
  readonly code?: string
  /** `error`: its HTTP status (default: the preset's or the catalogue's). */
  readonly status?: number
  /** `error`: its `Message` (default: the preset's or the catalogue's). */
  readonly message?: string
  /** `delay`: how long, in milliseconds. */
  readonly ms?: number
}

/** A rule as the server holds it: every default filled in, and what it has done so far. */
export interface FaultStatus extends FaultRule {
  readonly match: Readonly<Record<string, string>>
  readonly after: number
  readonly times: number
  /** How many requests it fired on. */
  readonly hits: number
  /** How many more it will fire on. */
  readonly remaining: number
}

/** Why a rule was refused: the field (its JSON path in the body) and what is wrong with it. */
export interface RuleProblem {
  readonly field: string
  readonly message: string
}

/** The codes clients retry, with the status and text they come with [choice: the vendor publishes none for these actions]. */
const presets: Readonly<Record<string, { readonly status: number; readonly message: string }>> = {
  InternalError: { status: 500, message: catalog.InternalError.en },
  ServiceUnavailable: { status: 503, message: 'The service is temporarily unavailable. Please try again later.' },
  Throttling: { status: 429, message: 'Request was denied due to request throttling.' },
  FlowLimitExceeded: { status: 429, message: 'Request was denied due to flow control. Please try again later.' },
}

/** A code's status and text: a preset's, else the catalogue's (its first entry with that code). */
const codeDefaults = (code: string): { readonly status: number; readonly message: string; readonly codeN?: number } | undefined => {
  const preset = presets[code]
  const id = errorIds.find((i) => catalog[i].code === code)
  if (id === undefined) return preset
  const entry = catalog[id]
  return { status: preset?.status ?? entry.status, message: preset?.message ?? entry.en.replace(/\{\w+\}/g, '?'), ...('codeN' in entry ? { codeN: entry.codeN } : {}) }
}

const effects: ReadonlyArray<FaultEffect> = ['error', 'delay', 'drop-before', 'drop-after', 'fail-task']
const fieldsOf: Readonly<Record<FaultEffect, ReadonlyArray<string>>> = {
  error: ['code', 'status', 'message'],
  delay: ['ms'],
  'drop-before': [],
  'drop-after': [],
  'fail-task': [],
}
const common = ['action', 'match', 'after', 'times', 'effect']
const allFields = new Set([...common, ...Object.values(fieldsOf).flat()])

/** The bounds of what a rule may say: every input has one. */
export const faultLimits = { rules: 100_000, maxDelayMs: 600_000, maxCount: 1_000_000_000, textLength: 4096 } as const

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)
/**
 * A value as a refusal quotes it. JSON.stringify recurses, so a value nested some thousands deep
 * (which JSON.parse reads) would throw instead of being refused; it is named instead.
 */
export const shown = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  try {
    return JSON.stringify(u)
  } catch {
    return 'a value nested too deeply (or circular) to show'
  }
}
const wholeIn = (u: unknown, min: number, max: number): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= min && u <= max

/** What the server checks a rule against when it is written. */
export interface RuleContext {
  /** The actions the server answers. */
  readonly actions: ReadonlyArray<string>
  /** Why a `fail-task` rule on this action cannot be kept now, if it cannot. */
  readonly failTask: (action: string) => string | undefined
}

/** Checks one rule (at `path` in the body): the rule with its defaults, or every problem with it. */
export const checkRule = (u: unknown, path: string, context: RuleContext): FaultStatus | ReadonlyArray<RuleProblem> => {
  const at = (field: string): string => (path === '' ? field : `${path}.${field}`)
  if (!isObject(u)) return [{ field: path || '(body)', message: `a rule is a JSON object, not ${shown(u)}` }]
  const problems: Array<RuleProblem> = []
  const problem = (field: string, message: string): void => { problems.push({ field: at(field), message }) }
  const effect = u.effect
  const kind = effects.includes(effect as FaultEffect) ? effect as FaultEffect : undefined
  for (const field of Object.keys(u)) {
    if (!allFields.has(field)) problem(field, `is not a field of a rule (${[...allFields].join(', ')})`)
    else if (kind !== undefined && !common.includes(field) && !fieldsOf[kind].includes(field)) problem(field, `does not go with effect ${kind}`)
  }
  if (kind === undefined) problem('effect', `must be one of ${effects.join(', ')}; got ${shown(effect)}`)
  const action = u.action
  if (typeof action !== 'string') problem('action', `is required: the action the rule applies to; got ${shown(action)}`)
  else if (!context.actions.includes(action)) problem('action', `${JSON.stringify(action)} is not an action this server answers (${context.actions.join(', ')})`)
  const match = u.match ?? {}
  if (!isObject(match)) problem('match', `must be an object of parameter values; got ${shown(match)}`)
  else {
    for (const [name, value] of Object.entries(match)) {
      if (typeof value !== 'string') problem(`match.${name}`, `must be a string (parameters are strings); got ${shown(value)}`)
    }
  }
  const after = u.after ?? 0
  if (!wholeIn(after, 0, faultLimits.maxCount)) problem('after', `must be a whole number from 0 to ${String(faultLimits.maxCount)}; got ${shown(after)}`)
  const times = u.times ?? 1
  if (!wholeIn(times, 1, faultLimits.maxCount)) problem('times', `must be a whole number from 1 to ${String(faultLimits.maxCount)}; got ${shown(times)}`)
  if (kind === 'error') {
    const code = u.code
    if (typeof code !== 'string' || !/^[A-Za-z][\w.]{0,127}$/.test(code)) problem('code', `is required with effect error: an error code such as Throttling; got ${shown(code)}`)
    else if (u.status === undefined && codeDefaults(code) === undefined) problem('status', `is required for code ${code}, which has no status of its own`)
    if (u.status !== undefined && !wholeIn(u.status, 400, 599)) problem('status', `must be an HTTP error status from 400 to 599; got ${shown(u.status)}`)
    if (u.message !== undefined && (typeof u.message !== 'string' || u.message.length > faultLimits.textLength)) {
      problem('message', `must be a string of at most ${String(faultLimits.textLength)} characters; got ${shown(u.message)}`)
    }
  }
  if (kind === 'delay' && !wholeIn(u.ms, 0, faultLimits.maxDelayMs)) problem('ms', `is required with effect delay: a whole number of milliseconds from 0 to ${String(faultLimits.maxDelayMs)}; got ${shown(u.ms)}`)
  if (kind === 'fail-task' && typeof action === 'string' && problems.length === 0) {
    const why = context.failTask(action)
    if (why !== undefined) problem('effect', why)
  }
  if (problems.length > 0) return problems
  const rule = u as unknown as FaultRule
  const optional = <K extends 'code' | 'status' | 'message' | 'ms'>(key: K) => (rule[key] === undefined ? {} : { [key]: rule[key] })
  return {
    action: rule.action, match: match as Readonly<Record<string, string>>, after: after as number, times: times as number, effect: rule.effect,
    ...optional('code'), ...optional('status'), ...optional('message'), ...optional('ms'), hits: 0, remaining: times as number,
  }
}

/** The error a rule with effect `error` answers. */
export const faultError = (rule: FaultRule): ApiError => {
  const code = rule.code ?? 'InternalError'
  const base = codeDefaults(code)
  const message = rule.message ?? base?.message ?? code
  return {
    id: 'InternalError',
    code,
    status: rule.status ?? base?.status ?? 500,
    ...(base?.codeN === undefined ? {} : { codeN: base.codeN }),
    message,
    messageZh: message,
    facts: 'a fault rule answered this error',
  }
}

interface Held {
  readonly index: number
  readonly rule: FaultStatus
  seen: number
  hits: number
}

/** The rules of one action: those without `match`, and the others by one of their match's parameters and its value. */
interface ActionRules {
  readonly open: Array<Held>
  readonly byParam: Map<string, Map<string, Array<Held>>>
}

/** A rule that fired, and which one it was (its index in the list). */
export interface Fired {
  readonly index: number
  readonly rule: FaultStatus
}

/**
 * The fault rules a server holds, in memory only. Indexed by action, then by one parameter each
 * rule matches on, so that rules for other actions or other resources cost a request nothing.
 */
export class FaultRules {
  private held: Array<Held> = []
  private index = new Map<string, ActionRules>()

  get size(): number {
    return this.held.length
  }

  /** Every rule with what it has done, in order. */
  list(): ReadonlyArray<FaultStatus> {
    return this.held.map((h) => ({ ...h.rule, hits: h.hits, remaining: h.rule.times - h.hits }))
  }

  /** Replaces every rule (already checked). */
  set(rules: ReadonlyArray<FaultStatus>): void {
    this.clear()
    for (const rule of rules) this.add(rule)
  }

  /** Appends a rule (already checked). */
  add(rule: FaultStatus): void {
    const held: Held = { index: this.held.length, rule, seen: 0, hits: 0 }
    this.held.push(held)
    let rules = this.index.get(rule.action)
    if (rules === undefined) {
      rules = { open: [], byParam: new Map() }
      this.index.set(rule.action, rules)
    }
    const [first] = Object.entries(rule.match)
    if (first === undefined) {
      rules.open.push(held)
      return
    }
    const [name, value] = first
    const values = rules.byParam.get(name) ?? new Map<string, Array<Held>>()
    rules.byParam.set(name, values)
    const list = values.get(value) ?? []
    values.set(value, list)
    list.push(held)
  }

  clear(): void {
    this.held = []
    this.index = new Map()
  }

  /**
   * The rule that fires on a request, if one does. Every rule not yet spent that matches the request
   * counts it (toward its `after`); the first of them, in order, past its `after` fires.
   */
  fire(params: ParamMap): Fired | undefined {
    const rules = this.index.get(params.get('Action') ?? '')
    if (rules === undefined) return undefined
    const candidates: Array<Held> = [...rules.open]
    for (const [name, values] of rules.byParam) {
      const value = params.get(name)
      const list = value === undefined ? undefined : values.get(value)
      if (list !== undefined) candidates.push(...list)
    }
    if (rules.byParam.size > 0) candidates.sort((a, b) => a.index - b.index)
    let fired: Held | undefined
    for (const held of candidates) {
      if (held.hits >= held.rule.times || !matches(held.rule.match, params)) continue
      held.seen++
      if (fired === undefined && held.seen > held.rule.after) {
        held.hits++
        fired = held
      }
    }
    return fired === undefined ? undefined : { index: fired.index, rule: fired.rule }
  }
}

const matches = (match: Readonly<Record<string, string>>, params: ParamMap): boolean => {
  for (const name in match) {
    if (params.get(name) !== match[name]) return false
  }
  return true
}
