import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeRequest, endpointErrorIds, errorIds, explain, loadSnapshot } from 'havip-rules'
import { scenarioArbitrary } from 'havip-rules/testing'

it('in 2,000 generated requests, produces every error id of AssociateHaVip and DisassociateHaVip, and success', () => {
  const seen = new Map<string, number>()
  for (const { snapshot, requests } of fc.sample(scenarioArbitrary(1), 2000)) {
    const s = loadSnapshot(snapshot)
    if (E.isLeft(s)) throw new Error(s.left.message)
    const r = decodeRequest(requests[0])
    const id = E.isLeft(r) ? r.left.id : (explain(s.right, r.right)[0]?.id ?? 'OK')
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  // Neither DescribeHaVips' InvalidParameter nor InternalError (a snapshot not from loadSnapshot) is theirs.
  const wanted = [...errorIds.filter((id) => id !== 'InvalidParameter' && id !== 'InternalError' && !endpointErrorIds.includes(id)), 'OK']
  expect(wanted).toHaveLength(23)
  expect(wanted.filter((id) => !seen.has(id)), JSON.stringify([...seen])).toEqual([])
})
