import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { decodeRequest } from '../codec/request.js'
import { loadSnapshot } from '../codec/snapshot.js'
import { explain } from '../engine/operations.js'
import type { Snapshot } from '../model/snapshot.js'
import type { ResponseBody } from '../wire/envelope.js'
import { handle } from '../wire/handle.js'
import type { SnapshotJson } from '../model/json.js'
import type { RequestParams } from './arbitraries.js'
import { requestArbitrary, snapshotArbitrary } from './arbitraries.js'
import { lifecycleRequestArbitrary, lifecycleSnapshotArbitrary } from './lifecycle-arbitraries.js'

/** What the system under test answers: an HTTP status and the response body (parsed JSON). */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

/** The system under test, set up on a snapshot: it answers one request at a time, in order. */
export interface System {
  readonly send: (params: RequestParams) => Reply | Promise<Reply>
  /** Called after each run (to stop a server, say). */
  readonly close?: () => void | Promise<void>
}

export interface ConformanceOptions {
  /**
   * Starts a fresh system holding this snapshot (your emulator loaded with it, say). Called once a
   * run; the system's `close` is called when the run ends.
   */
  readonly setup: (snapshot: SnapshotJson) => System | Promise<System>
  /** The snapshots runs start from; `snapshotArbitrary()` by default, `lifecycleSnapshotArbitrary()` with `lifecycle`. */
  readonly snapshots?: fc.Arbitrary<SnapshotJson>
  /**
   * Sequences of a HaVip's whole life instead of binding alone: CreateHaVip, DeleteHaVip,
   * ModifyHaVipAttributes, GetAsyncTaskStatus, AssociateHaVip, DisassociateHaVip and DescribeHaVips
   * (`lifecycleRequestArbitrary`), on lifecycle snapshots unless `snapshots` says otherwise. Every
   * success's `Result` is compared too: the `HaVipId` and `IpAddress` a Create issues, every write's
   * `AsyncTaskId`, GetAsyncTaskStatus's `AsyncTaskStatus`, and each HaVip DescribeHaVips lists (id
   * and `Status`, so `Creating` → `Available` after the documented steps). Default `false`.
   */
  readonly lifecycle?: boolean
  /** How many runs (a snapshot and a request sequence each); unless set, fast-check's global setting (100 unless `fc.configureGlobal` says otherwise). */
  readonly numRuns?: number
  /** Replays the runs of an earlier report (give the same `numRuns`); unless set, fast-check's global seed, if any. */
  readonly seed?: number
  /** The longest request sequence of a run; fast-check's default for `commands` unless set. */
  readonly maxCommands?: number
  /**
   * After each request naming a HaVip havip-rules lists, ask the system for that HaVip with
   * DescribeHaVips and compare its `Status`, `AssociatedInstanceType` and `AssociatedInstanceIds`
   * (in any order) with havip-rules'; with `lifecycle`, also after each Create (the HaVip it
   * issued), also its `IpAddress`, `HaVipName` and `Description`, and that a HaVip havip-rules no
   * longer lists is gone. Default `true`; turn it off for a system that does not serve DescribeHaVips.
   */
  readonly compareDescribe?: boolean
}

export type ConformanceReport =
  | { readonly ok: true; readonly numRuns: number; readonly seed: number }
  | {
      readonly ok: false
      /** Passed back (with the same `numRuns`), replays the run, its failure and its shrinking. */
      readonly seed: number
      /** The first divergence of the shrunk sequence: the request, and what differed. */
      readonly divergence: string
      /** The divergence, then fast-check's report: the seed, the starting snapshot and the shrunk request sequence. */
      readonly report: string
    }

interface Model {
  snapshot: Snapshot
  step: number
  /** havip-rules' RequestId of each answered request → the one the system answered with. */
  readonly requestIds: Map<string, unknown>
}

interface Real {
  readonly system: System
  readonly compareDescribe: boolean
  readonly lifecycle: boolean
}

type WireBody = Readonly<{ ResponseMetadata?: Readonly<Record<string, unknown>> & { Error?: Readonly<Record<string, unknown>> } }>

const metaOf = (body: unknown) => (body as WireBody | null | undefined)?.ResponseMetadata

const isObject = (body: unknown): body is Readonly<Record<string, unknown>> => typeof body === 'object' && body !== null && !Array.isArray(body)

/** A value as a report shows it: JSON, cut short when long; what JSON cannot write, as JavaScript would. */
const shown = (value: unknown): string => {
  let text: string
  try {
    // JSON.stringify answers undefined (though typed as a string) for undefined, a function or a symbol.
    const json: unknown = JSON.stringify(value)
    text = typeof json === 'string' ? json : String(value)
  } catch {
    text = String(value)
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/** Why havip-rules answers an error: its id and the facts of the snapshot behind it. Empty for a success. */
const factsOf = (snapshot: Snapshot, params: RequestParams): string => {
  const request = decodeRequest(params)
  const reason = E.isLeft(request) ? request.left : explain(snapshot, request.right)[0]
  return reason === undefined ? '' : ` (havip-rules answers ${reason.id} because ${reason.facts})`
}

const expectations = (expected: ResponseBody, expectedStatus: number, actual: Reply, theirId: unknown): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (actual.status !== expectedStatus) problems.push(`status ${String(actual.status)}, expected ${String(expectedStatus)}`)
  // Listing every field of a body that is not even an object as undefined would hide what it is.
  if (!isObject(actual.body)) return [...problems, `the body is not an object: ${shown(actual.body)}`]
  const want = 'Error' in expected.ResponseMetadata ? expected.ResponseMetadata.Error : undefined
  const meta = metaOf(actual.body)
  const got = meta?.Error
  for (const field of ['Code', 'Message', 'CodeN'] as const) {
    if (want?.[field] !== got?.[field]) problems.push(`Error.${field} ${JSON.stringify(got?.[field])}, expected ${JSON.stringify(want?.[field])}`)
  }
  for (const field of ['Action', 'Version', 'Service', 'Region'] as const) {
    if (meta?.[field] !== expected.ResponseMetadata[field]) problems.push(`ResponseMetadata.${field} ${JSON.stringify(meta?.[field])}, expected ${JSON.stringify(expected.ResponseMetadata[field])}`)
  }
  if (theirId !== undefined && meta?.RequestId !== theirId) {
    problems.push(`RequestId ${JSON.stringify(meta?.RequestId)}, expected ${JSON.stringify(theirId)}, the id of the success this request replays`)
  }
  return problems
}

const describeFields = ['Status', 'AssociatedInstanceType', 'AssociatedInstanceIds'] as const
const lifecycleFields = ['IpAddress', 'HaVipName', 'Description'] as const

/** What DescribeHaVips says of one HaVip, in the terms compared: the type `""` when absent, the ids in any order. */
const bindingsOf = (haVip: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const ids = haVip.AssociatedInstanceIds
  return {
    ...haVip,
    AssociatedInstanceType: haVip.AssociatedInstanceType ?? '',
    AssociatedInstanceIds: Array.isArray(ids) ? [...(ids as ReadonlyArray<unknown>)].map(String).sort() : ids ?? [],
  }
}

const describeOne = (haVipId: string): RequestParams => ({ Action: 'DescribeHaVips', Version: '2020-04-01', 'HaVipIds.1': haVipId })

type Result = Readonly<{ Result?: { HaVips?: ReadonlyArray<Readonly<Record<string, unknown>>> } }>

const listed = (body: unknown): ReadonlyArray<Readonly<Record<string, unknown>>> => {
  const haVips: unknown = (body as Result | null)?.Result?.HaVips
  return Array.isArray(haVips) ? (haVips as ReadonlyArray<unknown>).filter(isObject) : []
}

/**
 * DescribeHaVips of the HaVip a request named, on both sides: what differs, and havip-rules'
 * snapshot after it (in asynchronous mode a read takes a step, on both sides).
 */
const describeProblems = async (snapshot: Snapshot, haVipId: string, real: Real, request: string): Promise<{ problems: ReadonlyArray<string>; snapshot: Snapshot }> => {
  const expected = handle(snapshot, describeOne(haVipId), { requestId: 'describe' })
  const ours = listed(expected.body).find((h) => h.HaVipId === haVipId)
  if (ours === undefined && !real.lifecycle) return { problems: [], snapshot }
  const actual = await sent(real.system, describeOne(haVipId), `${request}: then DescribeHaVips of ${haVipId}`)
  const at = `then DescribeHaVips of ${haVipId}`
  if (actual.status !== 200) return { problems: [`${at} answered status ${String(actual.status)}, expected 200`], snapshot: expected.snapshot }
  const theirs = listed(actual.body).find((h) => h.HaVipId === haVipId)
  if (ours === undefined) return { problems: theirs === undefined ? [] : [`${at} still lists it, expected it gone`], snapshot: expected.snapshot }
  if (theirs === undefined) return { problems: [`${at} did not list it`], snapshot: expected.snapshot }
  const want = bindingsOf(ours)
  const got = bindingsOf(theirs)
  const problems = [...describeFields, ...(real.lifecycle ? lifecycleFields : [])]
    .filter((field) => JSON.stringify(got[field]) !== JSON.stringify(want[field]))
    .map((field) => `${at} says ${field} ${JSON.stringify(got[field])}, expected ${JSON.stringify(want[field])}`)
  return { problems, snapshot: expected.snapshot }
}

/** The fields of a success's `Result` that a lifecycle run compares: ids issued, addresses chosen, tasks' states. */
const resultFields: Readonly<Record<string, ReadonlyArray<string>>> = {
  CreateHaVip: ['HaVipId', 'IpAddress', 'AsyncTaskId'],
  DeleteHaVip: ['AsyncTaskId'],
  ModifyHaVipAttributes: ['AsyncTaskId'],
  AssociateHaVip: ['AsyncTaskId'],
  DisassociateHaVip: ['AsyncTaskId'],
  GetAsyncTaskStatus: ['AsyncTaskId', 'AsyncTaskStatus'],
}

type Results = Readonly<{ Result?: Readonly<Record<string, unknown>> & { HaVips?: unknown } }>

const resultProblems = (action: string, expected: unknown, actual: unknown): ReadonlyArray<string> => {
  const want = (expected as Results).Result ?? {}
  const got = (actual as Results | null)?.Result
  const problems = (resultFields[action] ?? [])
    .filter((field) => got?.[field] !== want[field])
    .map((field) => `Result.${field} ${JSON.stringify(got?.[field])}, expected ${JSON.stringify(want[field])}`)
  if (action === 'DescribeHaVips') {
    // Which HaVips a read lists, and in which state: a Create's Creating, a Delete's Deleting, and when each ends.
    const show = (body: unknown) => JSON.stringify(listed(body).map((h) => `${String(h.HaVipId)} ${String(h.Status)}`))
    if (show(actual) !== show(expected)) problems.push(`Result.HaVips ${show(actual)}, expected ${show(expected)}`)
  }
  return problems
}

/** What the system answers, or a divergence naming the request it threw on. */
const sent = async (system: System, params: RequestParams, what: string): Promise<Reply> => {
  try {
    return await system.send(params)
  } catch (error) {
    throw new Error(`${what}: the system under test threw ${error instanceof Error ? `${error.name}: ${error.message}` : shown(error)}`, { cause: error })
  }
}

/** One request, sent to both; any difference is a divergence. */
class RequestCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly params: RequestParams) {}

  check(): boolean {
    return true
  }

  async run(model: Model, real: Real): Promise<void> {
    const ours = `havip-rules-${String(model.step++)}`
    const expected = handle(model.snapshot, this.params, { requestId: ours })
    const actual = await sent(real.system, this.params, this.toString())
    // A replay must answer with the RequestId the system gave the success it replays.
    const theirId = model.requestIds.get(expected.body.ResponseMetadata.RequestId)
    const problems = [...expectations(expected.body, expected.status, actual, theirId)]
    if (problems.length === 0 && real.lifecycle && expected.status === 200) problems.push(...resultProblems(this.params.Action ?? '', expected.body, actual.body))
    if (problems.length > 0) throw new Error(`${this.toString()}: ${problems.join('; ')}${factsOf(model.snapshot, this.params)}`)
    model.requestIds.set(ours, metaOf(actual.body)?.RequestId)
    model.snapshot = expected.snapshot
    const created = real.lifecycle && this.params.Action === 'CreateHaVip' ? (expected.body as Results).Result?.HaVipId : undefined
    const haVipId = typeof created === 'string' ? created : this.params.HaVipId
    // An empty HaVipId names no HaVip (and would ask for every one).
    if (!real.compareDescribe || haVipId === undefined || haVipId === '') return
    const described = await describeProblems(model.snapshot, haVipId, real, this.toString())
    if (described.problems.length > 0) throw new Error(`${this.toString()}: ${described.problems.join('; ')}`)
    model.snapshot = described.snapshot
  }

  toString(): string {
    return new URLSearchParams(this.params).toString()
  }
}

/**
 * Model-based conformance: sequences of AssociateHaVip / DisassociateHaVip requests, or with
 * `lifecycle` of every action of a HaVip's life (fast-check `commands`, `size: '+1'` so that
 * sequences are long enough to reach the limits), each sent to the system and to havip-rules,
 * every response compared: status, `Error.Code`, `Message`, `CodeN`, the metadata, and the
 * RequestId of replays (with `lifecycle`, the `Result`'s ids, addresses and task states too); then
 * what DescribeHaVips says of the HaVip. Reports the first divergence of the shrunk sequence, with
 * the seed that replays it.
 */
export const checkConformance = async (options: ConformanceOptions): Promise<ConformanceReport> => {
  const lifecycle = options.lifecycle ?? false
  const scenario = (options.snapshots ?? (lifecycle ? lifecycleSnapshotArbitrary() : snapshotArbitrary())).chain((snapshot) =>
    fc.tuple(
      fc.constant(snapshot),
      fc.commands([(lifecycle ? lifecycleRequestArbitrary(snapshot) : requestArbitrary(snapshot)).map((params) => new RequestCommand(params))], {
        size: '+1',
        ...(options.maxCommands === undefined ? {} : { maxCommands: options.maxCommands }),
      }),
    ))
  const property = fc.asyncProperty(scenario, async ([json, commands]) => {
    const loaded = loadSnapshot(json)
    if (E.isLeft(loaded)) throw new Error(`the snapshot arbitrary made a snapshot that does not load: ${loaded.left.message}`)
    const system = await options.setup(json)
    try {
      const real = { system, compareDescribe: options.compareDescribe ?? true, lifecycle }
      await fc.asyncModelRun(() => ({ model: { snapshot: loaded.right, step: 0, requestIds: new Map() }, real }), commands)
    } finally {
      await system.close?.()
    }
  })
  const details = await fc.check(property, {
    ...(options.numRuns === undefined ? {} : { numRuns: options.numRuns }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  })
  if (!details.failed) return { ok: true, numRuns: details.numRuns, seed: details.seed }
  const error = details.errorInstance
  const divergence = error instanceof Error ? error.message : String(error)
  return { ok: false, seed: details.seed, divergence, report: `${divergence}\n\n${fc.defaultReportMessage(details) ?? ''}` }
}
