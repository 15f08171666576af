import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { associateHaVip, decodeRequest, disassociateHaVip, explain, handle, isDescribe, loadSnapshot, snapshotToJson } from 'havip-rules'
import { scenarioArbitrary, snapshotArbitrary } from 'havip-rules/testing'
import { brokenInvariants, deepFreeze } from './support/invariants.js'
import { load } from './support/snapshots.js'

/** Runs the requests in order through handle, each on the state the previous one left. */
const run = (s: Snapshot, requests: ReadonlyArray<unknown>) => {
  const steps: Array<{ before: Snapshot; request: unknown; handled: ReturnType<typeof handle> }> = []
  for (const [i, request] of requests.entries()) {
    const handled = handle(s, request, { requestId: `req-${String(i)}` })
    steps.push({ before: s, request, handled })
    s = handled.snapshot
  }
  return { steps, final: s }
}

describe('properties', () => {
  test.prop([snapshotArbitrary()])('the generated snapshots load and keep every invariant', (json) => {
    expect(E.isRight(loadSnapshot(json))).toBe(true)
    expect(brokenInvariants(json)).toEqual([])
  })

  test.prop([scenarioArbitrary()])('every success keeps every invariant', ({ snapshot, requests }) => {
    const { steps } = run(load(snapshot), requests)
    for (const { handled } of steps) {
      expect(brokenInvariants(snapshotToJson(handled.snapshot))).toEqual([])
    }
  })

  test.prop([scenarioArbitrary()])('a failure leaves the very same snapshot', ({ snapshot, requests }) => {
    for (const { before, handled } of run(load(snapshot), requests).steps) {
      if (handled.status !== 200) expect(handled.snapshot).toBe(before)
    }
  })

  test.prop([scenarioArbitrary()])('a retry with the same ClientToken replays the success and changes nothing', ({ snapshot, requests }) => {
    for (const { request, handled } of run(load(snapshot), requests).steps) {
      const tokened = request as Readonly<Record<string, string>>
      if (handled.status !== 200 || tokened.ClientToken === undefined) continue
      const retry = handle(handled.snapshot, request, { requestId: 'req-retry' })
      expect(retry.status).toBe(200)
      expect(retry.snapshot).toBe(handled.snapshot)
      // The RequestId of the success it replays; one the ledger never recorded is the retry's own.
      const entry = snapshotToJson(handled.snapshot).ClientTokens?.find((t) => t.Action === tokened.Action && t.ClientToken === tokened.ClientToken)
      expect(retry.body.ResponseMetadata.RequestId).toBe(entry?.RequestId === undefined ? 'req-retry' : handled.body.ResponseMetadata.RequestId)
      if (entry?.RequestId !== undefined) expect(entry.RequestId).toBe(handled.body.ResponseMetadata.RequestId)
    }
  })

  test.prop([scenarioArbitrary()])('explain is empty exactly when the action succeeds, and its first violation is the answer', ({ snapshot, requests }) => {
    for (const { before, request } of run(load(snapshot), requests).steps) {
      const decoded = decodeRequest(request)
      if (E.isLeft(decoded) || isDescribe(decoded.right)) continue
      const r = decoded.right
      if (r.action !== 'AssociateHaVip' && r.action !== 'DisassociateHaVip') continue
      const result = r.action === 'AssociateHaVip' ? associateHaVip(before, r) : disassociateHaVip(before, r)
      const violations = explain(before, r)
      expect(violations.length === 0).toBe(E.isRight(result))
      if (E.isLeft(result)) expect(violations[0]).toEqual(result.left)
      expect(new Set(violations.map((v) => v.id)).size).toBe(violations.length)
    }
  })

  test.prop([scenarioArbitrary()])('never mutates its inputs (deep-frozen JSON and requests)', ({ snapshot, requests }) => {
    const copy = structuredClone({ snapshot, requests })
    const frozen = deepFreeze(structuredClone(copy))
    const { final } = run(load(frozen.snapshot), frozen.requests)
    snapshotToJson(final)
    expect(frozen).toEqual(copy)
  })

  test.prop([scenarioArbitrary()])('what it writes loads again to the same state', ({ snapshot, requests }) => {
    expect(snapshotToJson(load(snapshot))).toBe(snapshot)
    const { final } = run(load(snapshot), requests)
    const saved = snapshotToJson(final)
    expect(snapshotToJson(load(saved))).toEqual(saved)
  })

  test.prop([scenarioArbitrary()])('gives the same answers to the same inputs', ({ snapshot, requests }) => {
    const a = run(load(snapshot), requests).steps.map((s) => s.handled.body)
    const b = run(load(snapshot), requests).steps.map((s) => s.handled.body)
    expect(a).toEqual(b)
  })
})

describe('totality: never throws, whatever it is given', () => {
  const anything = fc.anything({ withObjectString: true, withNullPrototype: true, withSparseArray: true })
  const s = load({ HaVips: [{ HaVipId: 'h', SubnetId: 'a', Status: 'Available' }] })

  test.prop([anything])('loadSnapshot answers every value', (json) => {
    const loaded = loadSnapshot(json)
    if (E.isLeft(loaded)) expect(loaded.left.problems.length).toBeGreaterThan(0)
  })
  test.prop([fc.oneof(anything, fc.string())])('decodeRequest answers every value', (params) => {
    decodeRequest(params)
  })
  test.prop([fc.oneof(anything, fc.string(), fc.dictionary(fc.string(), fc.string()))])('handle, the actions and explain answer every value', (params) => {
    expect(handle(s, params).status).toBeGreaterThanOrEqual(200)
    associateHaVip(s, params as never)
    disassociateHaVip(s, params as never)
    explain(s, params as never)
  })
  test.prop([anything, anything])('and every value in place of the snapshot and the context', (notASnapshot, ctx) => {
    const r = { action: 'AssociateHaVip', haVipId: 'h', instanceId: 'i', instanceType: 'EcsInstance' } as const
    expect(handle(notASnapshot as Snapshot, r, ctx as never).status).toBe(500)
    expect(E.isLeft(associateHaVip(notASnapshot as Snapshot, r))).toBe(true)
    expect(E.isLeft(disassociateHaVip(notASnapshot as Snapshot, { ...r, action: 'DisassociateHaVip' }))).toBe(true)
    expect(explain(notASnapshot as Snapshot, r)).toHaveLength(1)
    expect(snapshotToJson(notASnapshot as Snapshot)).toBeUndefined()
  })
})

describe('DisassociateHaVip properties', () => {
  test.prop([scenarioArbitrary()])('associate then disassociate of the same target restores the HaVip\'s bindings and status', ({ snapshot, requests }) => {
    const { steps } = run(load(snapshot), requests)
    for (const { before, request, handled } of steps) {
      const params = request as Readonly<Record<string, string>>
      // A replay changed nothing, so there is nothing to undo.
      if (handled.status !== 200 || params.Action !== 'AssociateHaVip' || handled.snapshot === before) continue
      const { ClientToken: _, ...rest } = params
      const undone = handle(handled.snapshot, { ...rest, Action: 'DisassociateHaVip' }, { requestId: 'undo' })
      expect(undone.status).toBe(200)
      const haVipOf = (s: Snapshot) => (snapshotToJson(s).HaVips ?? []).find((h) => h.HaVipId === params.HaVipId)
      const was = haVipOf(before)
      const now = haVipOf(undone.snapshot)
      expect(now?.AssociatedInstanceIds).toEqual(was?.AssociatedInstanceIds)
      expect(now?.Status).toBe(was?.Status)
      expect(now?.AssociatedInstanceType).toBe((was?.AssociatedInstanceIds ?? []).length === 0 ? '' : was?.AssociatedInstanceType)
    }
  })

  test.prop([scenarioArbitrary()])('never leaves a HaVip InUse with no target', ({ snapshot, requests }) => {
    for (const { handled } of run(load(snapshot), requests).steps) {
      for (const h of snapshotToJson(handled.snapshot).HaVips ?? []) {
        expect(h.Status === 'InUse' && (h.AssociatedInstanceIds ?? []).length === 0, h.HaVipId).toBe(false)
      }
    }
  })
})
