import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { ApiError, SnapshotJson, TaskOutput, TaskStatus, Written } from 'havip-rules'
import { advance, createHaVip, decodeRequest, deleteHaVip, getAsyncTaskStatus, handle, modifyHaVipAttributes, snapshotToJson } from 'havip-rules'
import { lifecycleRequestArbitrary, lifecycleSnapshotArbitrary } from 'havip-rules/testing'
import type { Account } from './spec/specification.js'
import { specExplain, specHandle } from './spec/specification.js'
import { ledgerLimit, specAdvance } from './spec/lifecycle.js'
import type { Form, Params } from './spec/requests.js'
import { formArbitrary, written } from './spec/requests.js'
import { engineExplain, rarelyMetPairs, reasonOf, wire } from './support/differential.js'
import { load } from './support/snapshots.js'
import { runs } from './support/runs.js'

/**
 * The engine against the executable specification of a HaVip's life (test/spec/lifecycle.ts):
 * over generated accounts with small subnets, addresses in use, EIP- and route-held HaVips, VPCs
 * and regions near their quotas, tasks in progress, in synchronous and asynchronous mode, and
 * sequences mixing every action, every answer must be the same — status, envelope (ids issued,
 * addresses chosen, task ids and statuses), the account written back, and explain's whole list.
 */

interface Step { readonly params: Params; readonly form: Form; readonly now?: string | undefined }

// Some requests carry the host's time, as `havip serve` passes it.
const nowArbitrary = fc.option(fc.constantFrom('2026-12-05T10:00:00Z', '2026-12-05T10:00:01.500Z'), { nil: undefined, freq: 2 })

const scenario = (maxRequests: number) => lifecycleSnapshotArbitrary().chain((s) =>
  fc.tuple(fc.constant(s), fc.array(fc.record({ params: lifecycleRequestArbitrary(s), form: formArbitrary, now: nowArbitrary }), { minLength: 1, maxLength: maxRequests })))


/** An account with every top-level key at its documented default left out, and every task's StepsLeft written. */
const normal = (json: unknown): Record<string, unknown> => {
  const a = Object.fromEntries(Object.entries(structuredClone(json) as Record<string, unknown>)
    .filter(([key, value]) => !((Array.isArray(value) && value.length === 0) || ((key === 'IdCounter' || key === 'AsyncSteps') && value === 0))))
  if (Array.isArray(a.AsyncTasks)) a.AsyncTasks = (a.AsyncTasks as Array<Record<string, unknown>>).map((t) => ({ ...t, StepsLeft: t.StepsLeft ?? 0 }))
  return a
}

/** Runs the steps through both, expecting the same at every step. */
const expectAlike = (json: SnapshotJson, steps: ReadonlyArray<Step>): void => {
  let s = load(json)
  let account = structuredClone(json) as Account
  for (const [i, { params, form, now }] of steps.entries()) {
    const input = written(params, form)
    const requestId = `REQ-${String(i)}`
    const at = `request ${String(i)} ${JSON.stringify(params).slice(0, 400)}${now === undefined ? '' : ` at ${now}`}`
    expect(engineExplain(s, input), `${at}: explain`).toEqual(specExplain(account, input))
    const engine = handle(s, input, now === undefined ? { requestId } : { requestId, now })
    const spec = specHandle(account, input, requestId, now)
    expect(wire(engine), `${at}: the answer`).toEqual(wire(spec))
    s = engine.snapshot
    account = spec.account
    expect(normal(snapshotToJson(s)), `${at}: the account written back`).toEqual(normal(account))
  }
}

/** The rules of each lifecycle action in order (docs/rules.md), each as the error ids it answers. */
const createRules: ReadonlyArray<ReadonlyArray<string>> = [
  ['IdempotentProcessing', 'IdempotentParameterMismatch'], ['InvalidSubnet.NotFound'], ['InvalidSubnet.InvalidStatus'],
  ['InvalidIpAddress.OutOfRange'], ['InvalidIpAddress.NotAvailable'], ['InvalidIpAddress.InUse'], ['InsufficientIpAddress.Subnet'],
  ['QuotaExceeded.HaVipsPerVpc'], ['QuotaExceeded.HaVipsPerRegion'],
]
const deleteRules: ReadonlyArray<ReadonlyArray<string>> = [['InvalidHaVip.NotFound'], ['InvalidHaVip.InvalidStatus'], ['InvalidHaVip.InUse.Eip'], ['InvalidHaVip.InUse.RouteEntry']]
const modifyRules: ReadonlyArray<ReadonlyArray<string>> = [['InvalidHaVip.NotFound'], ['InvalidHaVip.InvalidStatus']]
const rulesOf: Readonly<Record<string, ReadonlyArray<ReadonlyArray<string>>>> = { CreateHaVip: createRules, DeleteHaVip: deleteRules, ModifyHaVipAttributes: modifyRules }
/**
 * Pairs that cannot be broken together: a rule about a subnet or a HaVip says nothing when it is
 * missing; a reserved address is inside its block (but for the one after a /32's only address, too
 * rare to count on); C6 asks about a given address, C7 about none.
 */
const neverTogether = [
  'CreateHaVip InvalidSubnet.NotFound + InvalidSubnet.InvalidStatus',
  'CreateHaVip InvalidIpAddress.OutOfRange + InvalidIpAddress.NotAvailable',
  'CreateHaVip InvalidIpAddress.InUse + InsufficientIpAddress.Subnet',
  'DeleteHaVip InvalidHaVip.NotFound + InvalidHaVip.InvalidStatus',
  'ModifyHaVipAttributes InvalidHaVip.NotFound + InvalidHaVip.InvalidStatus',
]

describe('the engine and the executable specification of the lifecycle', () => {
  test.prop([scenario(10)], { numRuns: runs(400) })('answer every request of a HaVip\'s life alike through handle: status, envelope, ids, addresses, tasks, the account, explain', ([json, steps]) => {
    expectAlike(json, steps)
  })

  test.prop([scenario(8)], { numRuns: runs(200) })('answer alike through the typed API: createHaVip, deleteHaVip, modifyHaVipAttributes, getAsyncTaskStatus', ([json, steps]) => {
    let s = load(json)
    let account = structuredClone(json) as Account
    for (const [i, { params, now }] of steps.entries()) {
      const request = decodeRequest(params)
      if (E.isLeft(request)) continue
      const r = request.right
      const requestId = `REQ-${String(i)}`
      const ctx = now === undefined ? { requestId } : { requestId, now }
      const at = `request ${String(i)} ${JSON.stringify(params).slice(0, 400)}`
      const refusal = specExplain(account, params)[0]
      const spec = specHandle(account, params, requestId, now)
      // A read through the typed API takes no step: only handle does.
      const got: E.Either<ApiError, Written<TaskOutput> | TaskStatus> | undefined = r.action === 'CreateHaVip' ? createHaVip(s, r, ctx) : r.action === 'DeleteHaVip' ? deleteHaVip(s, r, ctx)
        : r.action === 'ModifyHaVipAttributes' ? modifyHaVipAttributes(s, r, ctx) : r.action === 'GetAsyncTaskStatus' ? getAsyncTaskStatus(s, r) : undefined
      if (got === undefined) {
        s = handle(s, params, { requestId }).snapshot
        account = spec.account
        continue
      }
      if (refusal !== undefined) {
        expect(E.isLeft(got) ? reasonOf(got.left) : 'accepted', at).toEqual(refusal)
        continue
      }
      expect(E.isRight(got), at).toBe(true)
      if (E.isLeft(got)) return
      const { RequestId: _, ...result } = spec.body.Result ?? {}
      if ('snapshot' in got.right) {
        expect(got.right.result, at).toEqual(result)
        s = got.right.snapshot
        account = spec.account
        expect(normal(snapshotToJson(s)), at).toEqual(normal(account))
      } else {
        // Without handle's step, the status before it: the same in synchronous mode.
        if ((account.AsyncSteps ?? 0) === 0) expect(got.right, at).toEqual(result)
        s = handle(s, params, { requestId }).snapshot
        account = spec.account
      }
    }
  })

  test.prop([lifecycleSnapshotArbitrary(), fc.nat(4)], { numRuns: runs(200) })('advance the tasks alike, step by step', (json, steps) => {
    expect(normal(snapshotToJson(advance(load(json), steps)))).toEqual(normal(specAdvance(structuredClone(json) as Account, steps)))
    expect(normal(snapshotToJson(advance(load(json))))).toEqual(normal(specAdvance(structuredClone(json) as Account, 1)))
  })

  test.prop([lifecycleSnapshotArbitrary(), fc.integer({ min: -2, max: 1 }), fc.nat(5)], { numRuns: 4 })('keep the task ledger to its limit alike, never dropping a task in progress', (json, over, inProgress) => {
    // A full ledger (one over, at, or under its limit), some of its oldest tasks in progress.
    const tasks = Array.from({ length: ledgerLimit + over }, (_, k) => ({
      AsyncTaskId: `at-full-${String(k)}`, Action: 'AssociateHaVip', ResourceId: 'havip-1', Status: k < inProgress ? 'InProgress' : 'Succeeded', RequestId: `r-${String(k)}`, StepsLeft: k < inProgress ? 2 : 0,
    }))
    const full = { ...json, AsyncTasks: [...tasks, ...(json.AsyncTasks ?? [])] }
    const requests: ReadonlyArray<Params> = [
      { Action: 'CreateHaVip', Version: '2020-04-01', SubnetId: 'subnet-a' },
      { Action: 'GetAsyncTaskStatus', Version: '2020-04-01', AsyncTaskId: `at-full-${String(inProgress)}` },
      { Action: 'GetAsyncTaskStatus', Version: '2020-04-01', AsyncTaskId: 'at-full-0' },
      { Action: 'ModifyHaVipAttributes', Version: '2020-04-01', HaVipId: json.HaVips?.[0]?.HaVipId ?? 'havip-1', HaVipName: 'renamed' },
    ]
    expectAlike(full, requests.map((params) => ({ params, form: 'object' })))
  })

  it('meet, for every two adjacent rules of each action, requests that break both (so that their order is tested)', () => {
    const samples = fc.sample(scenario(10), { numRuns: 1500, seed: 20261126 })
    const rare = rarelyMetPairs(samples, rulesOf, neverTogether)
    expect(rare).toEqual([])
  })
})
