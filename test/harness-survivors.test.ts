import { describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import type { ConformanceReport, RequestParams, System } from 'havip-rules/testing'
import { checkConformance } from 'havip-rules/testing'
import type { Body } from './support/planted.js'
import { reference, rewriting } from './support/planted.js'

/**
 * What the testing set's mutation run left untested in `checkConformance`: the DescribeHaVips after
 * a CreateHaVip and after a HaVip is gone (lifecycle), a non-lifecycle run that must not ask about a
 * HaVip havip-rules does not list, the lists DescribeHaVips answers compared (ids and statuses),
 * lists with odd entries, a success without a `Result`, the text of divergences (bodies JSON cannot
 * write, the 200-character cut, several problems at once, no `Result` complaints after a refusal),
 * and that the harness never asks for a HaVip by an empty or absent id. Every run has a fixed seed
 * and count, so that a catch does not depend on FC_SCALE.
 */

type Listed = Readonly<Record<string, unknown>>

/** havip-rules with the HaVips each DescribeHaVips lists rewritten. */
const listing = (change: (haVips: ReadonlyArray<Listed>, params: RequestParams) => unknown) => rewriting(({ status, body }, params) => {
  if (params.Action !== 'DescribeHaVips' || status !== 200) return { status, body }
  const haVips = (body.Result?.HaVips ?? []) as ReadonlyArray<Listed>
  return { status, body: { ...body, Result: { ...body.Result, HaVips: change(haVips, params) } } }
})

const divergenceOf = (report: ConformanceReport): string => {
  // On failure, the seed tells how to replay the run that missed the bug.
  if (report.ok) throw new Error(`not caught (seed ${String(report.seed)})`)
  return report.divergence
}

const lifecycleRun = (setup: (json: SnapshotJson) => System, numRuns: number, seed: number, more: { compareDescribe?: boolean } = {}) =>
  checkConformance({ setup, numRuns, seed, lifecycle: true, ...more })

describe('checkConformance of a HaVip\'s whole life: what DescribeHaVips says', () => {
  it('asks for the HaVip a CreateHaVip issued at once, and catches a wrong HaVipName seen only then', async () => {
    // The name is wrong only in the read right after the Create: later reads of it agree.
    const wrongAtFirst = (json: SnapshotJson): System => {
      const system = reference(json)
      let created: string | undefined
      return {
        send: async (params) => {
          const reply = await system.send(params)
          const justCreated = created
          created = undefined
          const body = reply.body as Body
          if (params.Action === 'CreateHaVip' && reply.status === 200) created = body.Result?.HaVipId as string
          if (justCreated === undefined || params.Action !== 'DescribeHaVips' || params['HaVipIds.1'] !== justCreated) return reply
          const haVips = (body.Result?.HaVips ?? []) as ReadonlyArray<Listed>
          return { status: reply.status, body: { ...body, Result: { ...body.Result, HaVips: haVips.map((h) => ({ ...h, HaVipName: 'wrong' })) } } }
        },
      }
    }
    const divergence = divergenceOf(await lifecycleRun(wrongAtFirst, 20, 7))
    expect(divergence).toMatch(/^Action=CreateHaVip&.*: then DescribeHaVips of \S+ says HaVipName "wrong", expected "[^"]*"$/)
  })

  it('says a HaVip havip-rules no longer lists is still listed', async () => {
    // Each HaVip answered as last seen once it is gone: a delete that never lands in the reads.
    const neverGone = (json: SnapshotJson): System => {
      const system = reference(json)
      const seen = new Map<string, Listed>()
      return {
        send: async (params) => {
          const reply = await system.send(params)
          const id = params['HaVipIds.1']
          if (params.Action !== 'DescribeHaVips' || id === undefined || reply.status !== 200) return reply
          const body = reply.body as Body
          const haVips = (body.Result?.HaVips ?? []) as ReadonlyArray<Listed>
          const last = seen.get(id)
          haVips.forEach((h) => seen.set(String(h.HaVipId), h))
          return haVips.length > 0 || last === undefined ? reply : { status: reply.status, body: { ...body, Result: { ...body.Result, HaVips: [last] } } }
        },
      }
    }
    const divergence = divergenceOf(await lifecycleRun(neverGone, 100, 3))
    expect(divergence).toMatch(/^Action=DeleteHaVip&.*: then DescribeHaVips of \S+ still lists it, expected it gone$/)
  })

  it('without lifecycle, never asks about a HaVip havip-rules does not list (a system may refuse to describe it)', async () => {
    const notFound = rewriting(({ status, body }, params) => {
      if (params.Action !== 'DescribeHaVips' || ((body.Result?.HaVips ?? []) as ReadonlyArray<unknown>).length > 0) return { status, body }
      return { status: 404, body: { ResponseMetadata: { ...body.ResponseMetadata, Error: { Code: 'InvalidHaVip.NotFound', Message: 'not found' } } } }
    })
    const report = await checkConformance({ setup: notFound, numRuns: 50, seed: 5 })
    expect(report, report.ok ? '' : report.report).toMatchObject({ ok: true })
  })

  it('compares the HaVips a DescribeHaVips lists, and their statuses, even with compareDescribe: false', async () => {
    const divergence = divergenceOf(await lifecycleRun(listing((haVips) => haVips.map((h) => ({ ...h, Status: 'Wrong' }))), 30, 9, { compareDescribe: false }))
    expect(divergence).toMatch(/^Action=DescribeHaVips&.*: Result\.HaVips \["[^ "]+ Wrong".*\], expected \["[^ "]+ (?!Wrong)[A-Za-z]+".*\]$/)
  })

  it('reads past entries of a list that are not HaVips, and takes a list left out as an empty one', async () => {
    const odd = await lifecycleRun(listing((haVips) => [null, 'HaVip', ...haVips]), 30, 13)
    expect(odd, odd.ok ? '' : odd.report).toMatchObject({ ok: true })
    const leftOut = rewriting(({ status, body }, params) => {
      const haVips = body.Result?.HaVips
      if (params.Action !== 'DescribeHaVips' || !Array.isArray(haVips) || haVips.length > 0) return { status, body }
      const { HaVips: _, ...result } = body.Result ?? {}
      return { status, body: { ...body, Result: result } }
    })
    const empty = await lifecycleRun(leftOut, 30, 13)
    expect(empty, empty.ok ? '' : empty.report).toMatchObject({ ok: true })
  })

  it('compares only the documented fields of a success\'s Result, and no Result of a refusal', async () => {
    // What a system adds beyond the documented fields (the HaVip a Create made, say) is no divergence.
    const extra = { HaVipId: 'havip-extra', IpAddress: '0.0.0.0', AsyncTaskId: 'at-extra', AsyncTaskStatus: 'Failed', HaVips: [{ HaVipId: 'havip-extra', Status: 'Available' }] }
    const chatty = rewriting(({ status, body }, params) => {
      if (status !== 200) return { status, body: { ...body, Result: extra } }
      if (params.Action === 'DescribeHaVips') return { status, body }
      return { status, body: { ...body, Result: { ...body.Result, HaVips: extra.HaVips } } }
    })
    const report = await lifecycleRun(chatty, 30, 23)
    expect(report, report.ok ? '' : report.report).toMatchObject({ ok: true })
  })

  it('says every field DescribeHaVips got wrong, each on its own', async () => {
    const divergence = divergenceOf(await lifecycleRun(listing((haVips, params) => (params['HaVipIds.1'] === undefined ? haVips : haVips.map((h) => ({ ...h, Status: 'Wrong', HaVipName: 'wrong' })))), 30, 17))
    expect(divergence).toMatch(/: then DescribeHaVips of (\S+) says Status "Wrong", expected "[A-Za-z]+"; then DescribeHaVips of \1 says HaVipName "wrong", expected "[^"]*"$/)
  })

  it('never asks for a HaVip by an empty or absent id', async () => {
    const asked: Array<RequestParams> = []
    const recording = (json: SnapshotJson): System => {
      const system = reference(json)
      return { send: (params) => { asked.push(params); return system.send(params) } }
    }
    const report = await lifecycleRun(recording, 60, 21)
    expect(report.ok).toBe(true)
    // An empty HaVipIds.1 would ask for every HaVip; an absent one sent over HTTP reads "undefined".
    const byNoId = asked.filter((p) => 'HaVipIds.1' in p && (typeof p['HaVipIds.1'] !== 'string' || p['HaVipIds.1'] === ''))
    expect(byNoId).toEqual([])
    // The run did send requests naming an empty HaVipId, and requests naming none.
    expect(asked.some((p) => p.HaVipId === '')).toBe(true)
    expect(asked.some((p) => p.Action === 'GetAsyncTaskStatus')).toBe(true)
  })
})

describe('checkConformance: the text of a divergence', () => {
  it('says a success without a Result lacks each field, rather than crashing', async () => {
    const noResult = rewriting(({ status, body }, params) => {
      if (params.Action !== 'CreateHaVip' || status !== 200) return { status, body }
      const { Result: _, ...rest } = body
      return { status, body: rest }
    })
    const divergence = divergenceOf(await lifecycleRun(noResult, 20, 1))
    expect(divergence).toMatch(/^Action=CreateHaVip&.*: Result\.HaVipId undefined, expected "[^"]+"; Result\.IpAddress undefined, expected "[\d.]+"/)
  })

  it('says a refused success is refused, without also listing the Result it lacks', async () => {
    const refusing = rewriting(({ status, body }, params) => (status === 200 && params.Action === 'CreateHaVip'
      ? { status: 400, body: { ResponseMetadata: { ...body.ResponseMetadata, Error: { Code: 'Refused', Message: 'no' } } } }
      : { status, body }))
    const divergence = divergenceOf(await lifecycleRun(refusing, 20, 1))
    expect(divergence).toMatch(/^Action=CreateHaVip&.*: status 400, expected 200; Error\.Code "Refused", expected undefined; Error\.Message "no", expected undefined$/)
  })

  it('shows a body JSON cannot write as JavaScript would', async () => {
    for (const [body, text] of [[undefined, 'undefined'], [10n, '10']] as const) {
      const divergence = divergenceOf(await checkConformance({ setup: rewriting(({ status }) => ({ status, body })), numRuns: 5, seed: 1 }))
      expect(divergence).toMatch(new RegExp(`: the body is not an object: ${text}( \\(|$)`))
    }
  })

  it('shows a body of up to 200 characters whole, and cuts a longer one at 200', async () => {
    const bodyOf = async (body: string) => divergenceOf(await checkConformance({ setup: rewriting(({ status }) => ({ status, body })), numRuns: 5, seed: 1 }))
    // JSON adds the two quotes: 198 characters show as 200.
    expect(await bodyOf('x'.repeat(198))).toMatch(new RegExp(`: the body is not an object: "x{198}"( \\(|$)`))
    expect(await bodyOf('x'.repeat(199))).toMatch(new RegExp(`: the body is not an object: "x{199}…( \\(|$)`))
  })
})
