import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot } from '../codec/snapshot.js'
import type { Snapshot } from '../model/snapshot.js'
import type { ResponseBody } from '../wire/envelope.js'
import { handle } from '../wire/handle.js'
import type { SnapshotJson } from '../model/json.js'
import type { RequestParams } from './arbitraries.js'
import { requestArbitrary, snapshotArbitrary } from './arbitraries.js'

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
  /** A fresh system holding this snapshot (loaded into your emulator, say). Called once a run. */
  readonly setup: (snapshot: SnapshotJson) => System | Promise<System>
  /** The snapshots to start from; `snapshotArbitrary()` by default. */
  readonly snapshots?: fc.Arbitrary<SnapshotJson>
  readonly numRuns?: number
  readonly seed?: number
  readonly maxCommands?: number
}

export type ConformanceReport =
  | { readonly ok: true; readonly numRuns: number; readonly seed: number }
  | {
      readonly ok: false
      /** Passed back (with the same `numRuns`), replays the run, its failure and its shrinking. */
      readonly seed: number
      /** The first divergence of the shrunk sequence. */
      readonly divergence: string
      /** fast-check's full report: the starting snapshot and the shrunk request sequence. */
      readonly report: string
    }

interface Model {
  snapshot: Snapshot
  step: number
  /** havip-rules' RequestId of each answered request → the one the system answered with. */
  readonly requestIds: Map<string, string>
}

interface Real {
  readonly system: System
}

type WireBody = Readonly<{ ResponseMetadata?: Readonly<Record<string, unknown>> & { Error?: Readonly<Record<string, unknown>> } }>

const errorOf = (body: unknown) => (body as WireBody | null)?.ResponseMetadata?.Error

const expectations = (expected: ResponseBody, expectedStatus: number, actual: Reply, theirId: string | undefined): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (actual.status !== expectedStatus) problems.push(`status ${String(actual.status)}, expected ${String(expectedStatus)}`)
  const want = 'Error' in expected.ResponseMetadata ? expected.ResponseMetadata.Error : undefined
  const got = errorOf(actual.body)
  for (const field of ['Code', 'Message', 'CodeN'] as const) {
    if (want?.[field] !== got?.[field]) problems.push(`Error.${field} ${JSON.stringify(got?.[field])}, expected ${JSON.stringify(want?.[field])}`)
  }
  const meta = (actual.body as WireBody | null)?.ResponseMetadata
  for (const field of ['Action', 'Version', 'Service', 'Region'] as const) {
    if (meta?.[field] !== expected.ResponseMetadata[field]) problems.push(`ResponseMetadata.${field} ${JSON.stringify(meta?.[field])}, expected ${JSON.stringify(expected.ResponseMetadata[field])}`)
  }
  if (theirId !== undefined && meta?.RequestId !== theirId) {
    problems.push(`RequestId ${JSON.stringify(meta?.RequestId)}, expected ${JSON.stringify(theirId)}, the id of the success this request replays`)
  }
  return problems
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
    const actual = await real.system.send(this.params)
    const answeredId = expected.body.ResponseMetadata.RequestId
    // A replay must answer with the RequestId the system gave the success it replays.
    const theirId = answeredId !== ours && answeredId !== '' ? model.requestIds.get(answeredId) : undefined
    const problems = expectations(expected.body, expected.status, actual, theirId)
    if (problems.length > 0) throw new Error(`${this.toString()}: ${problems.join('; ')}`)
    const given = (actual.body as WireBody | null)?.ResponseMetadata?.RequestId
    if (typeof given === 'string') model.requestIds.set(ours, given)
    model.snapshot = expected.snapshot
  }

  toString(): string {
    return new URLSearchParams(this.params).toString()
  }
}

/**
 * Model-based conformance: sequences of AssociateHaVip / DisassociateHaVip requests (fast-check
 * `commands`, `size: '+1'` so that sequences are long enough to reach the limits), each sent to
 * the system and to havip-rules, every response compared: status, `Error.Code`, `Message`,
 * `CodeN`, the metadata, and the RequestId of replays. Reports the first divergence of the shrunk
 * sequence, with the seed that replays it.
 */
export const checkConformance = async (options: ConformanceOptions): Promise<ConformanceReport> => {
  const scenario = (options.snapshots ?? snapshotArbitrary()).chain((snapshot) =>
    fc.tuple(
      fc.constant(snapshot),
      fc.commands([requestArbitrary(snapshot).map((params) => new RequestCommand(params))], {
        size: '+1',
        ...(options.maxCommands === undefined ? {} : { maxCommands: options.maxCommands }),
      }),
    ))
  const property = fc.asyncProperty(scenario, async ([json, commands]) => {
    const loaded = loadSnapshot(json)
    if (E.isLeft(loaded)) throw new Error(`the snapshot arbitrary made a snapshot that does not load: ${loaded.left.message}`)
    const system = await options.setup(json)
    try {
      await fc.asyncModelRun(() => ({ model: { snapshot: loaded.right, step: 0, requestIds: new Map() }, real: { system } }), commands)
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
  return {
    ok: false,
    seed: details.seed,
    divergence: error instanceof Error ? error.message : String(error),
    report: fc.defaultReportMessage(details) ?? '',
  }
}
