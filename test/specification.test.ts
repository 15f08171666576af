import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import { associateHaVip, disassociateHaVip, handle, snapshotToJson } from 'havip-rules'
import type { Account } from './spec/specification.js'
import { specExplain, specHandle } from './spec/specification.js'
import type { Form, Params } from './spec/requests.js'
import { accountArbitrary, describeParamsArbitrary, formArbitrary, paramsArbitrary, replayArbitrary, written } from './spec/requests.js'
import { engineExplain, rarelyMetPairs, reasonOf, wire } from './support/differential.js'
import { load } from './support/snapshots.js'
import { runs } from './support/runs.js'

/**
 * The engine against the executable specification (test/spec/specification.ts), a second
 * implementation written from the documents: over generated accounts and sequences of requests
 * that often break several rules at once, every answer must be the same — status, envelope,
 * RequestIds (replays included), the account written back, and explain's whole list.
 */

interface Step { readonly params: Params; readonly form: Form }

const scenario = (maxRequests: number) => accountArbitrary().chain((s) => {
  const replay = replayArbitrary(s)
  const params = fc.oneof(
    { weight: 10, arbitrary: paramsArbitrary(s) },
    { weight: 3, arbitrary: describeParamsArbitrary(s) },
    ...(replay === undefined ? [] : [{ weight: 2, arbitrary: replay }]),
  )
  return fc.tuple(fc.constant(s), fc.array(fc.record({ params, form: formArbitrary }), { minLength: 1, maxLength: maxRequests }))
})


/** Runs the steps through both, expecting the same at every step. */
const expectAlike = (json: SnapshotJson, steps: ReadonlyArray<Step>): void => {
  let s = load(json)
  let account = structuredClone(json) as Account
  for (const [i, { params, form }] of steps.entries()) {
    const input = written(params, form)
    const requestId = `REQ-${String(i)}`
    const reasons = specExplain(account, input)
    const got = engineExplain(s, input)
    const at = `request ${String(i)} ${JSON.stringify(input)}`
    expect(got, `${at}: explain`).toEqual(reasons)
    const engine = handle(s, input, { requestId })
    const spec = specHandle(account, input, requestId)
    // As written on the wire, key order included, with a key that holds undefined kept in sight.
    expect(wire(engine), `${at}: the answer`).toEqual(wire(spec))
    s = engine.snapshot
    account = spec.account
    expect(snapshotToJson(s), `${at}: the account written back`).toEqual(account)
  }
}

describe('the engine and the executable specification', () => {
  test.prop([scenario(8)], { numRuns: runs(1000) })('answer every request alike through handle: status, envelope, RequestIds, the account, explain', ([json, steps]) => {
    expectAlike(json, steps)
  })

  test.prop([scenario(6)])('answer alike through the typed API', ([json, steps]) => {
    let s = load(json)
    let account = structuredClone(json) as Account
    for (const [i, { params }] of steps.entries()) {
      const action = params.Action
      if ((action !== 'AssociateHaVip' && action !== 'DisassociateHaVip') || params.Version !== '2020-04-01') continue
      const typed = {
        action, haVipId: params.HaVipId ?? '', instanceId: params.InstanceId ?? '', instanceType: (params.InstanceType ?? 'EcsInstance') as 'EcsInstance',
        ...(params.ClientToken === undefined ? {} : { clientToken: params.ClientToken }),
      }
      const requestId = `REQ-${String(i)}`
      const got = action === 'AssociateHaVip' ? associateHaVip(s, { ...typed, action }, requestId) : disassociateHaVip(s, { ...typed, action }, requestId)
      // What a typed request means is what its parameters mean, empty strings and defaults included.
      const spec = specHandle(account, { ...params, HaVipId: typed.haVipId, InstanceId: typed.instanceId }, requestId)
      const refusal = specExplain(account, { ...params, HaVipId: typed.haVipId, InstanceId: typed.instanceId })[0]
      if (refusal !== undefined) {
        expect(E.isLeft(got) ? reasonOf(got.left) : 'accepted').toEqual(refusal)
      } else {
        expect(E.isRight(got)).toBe(true)
        if (E.isRight(got)) s = got.right
        account = spec.account
        expect(snapshotToJson(s)).toEqual(account)
      }
    }
  })

  it('meet, for every two adjacent rules of either action, requests that break both (so that their order is tested)', () => {
    const samples = fc.sample(scenario(8), { numRuns: 1000, seed: 20261126 })
    const rare = rarelyMetPairs(samples, { AssociateHaVip: associateRules, DisassociateHaVip: disassociateRules }, neverTogether)
    expect(rare).toEqual([])
  })
})

/** The rules of each action in order (docs/rules.md), each as the error ids it answers. */
const associateRules: ReadonlyArray<ReadonlyArray<string>> = [
  ['IdempotentProcessing', 'IdempotentParameterMismatch'], ['InvalidHaVip.NotFound'], ['InvalidInstance.NotFound', 'InvalidEniId.NotFound'],
  ['InvalidHaVip.InvalidStatus'], ['InvalidHaVip.NotSupport'], ['InvalidInstance.InvalidStatus'], ['Forbidden.ServiceManagedEni'],
  ['InvalidEni.InvalidStatus'], ['Forbidden.EniNotAttachedToEcs'], ['Forbidden.MixedInstanceTypes'], ['InvalidInstance.HaVipMismatch'],
  ['Forbidden.InstanceAlreadyAssociated'], ['Forbidden.TwoEnisOfOneInstance'], ['LimitExceeded.InstancesPerHaVip'], ['LimitExceeded.HaVipsPerInstance'],
]
const disassociateRules: ReadonlyArray<ReadonlyArray<string>> = [
  ['IdempotentProcessing', 'IdempotentParameterMismatch'], ['InvalidHaVip.NotFound'], ['InvalidInstance.NotFound', 'InvalidEniId.NotFound'],
  ['InvalidHaVip.InvalidStatus'], ['InvalidInstance.InvalidStatus'], ['InvalidEni.InvalidStatus'], ['ResourceNotAssociated'],
]
/** Rules about an ECS target and rules about an ENI never speak together: their order cannot show. */
const neverTogether = [
  'AssociateHaVip InvalidInstance.InvalidStatus + Forbidden.ServiceManagedEni',
  'DisassociateHaVip InvalidInstance.InvalidStatus + InvalidEni.InvalidStatus',
]
