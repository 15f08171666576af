import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ErrorId, SnapshotJson } from 'havip-rules'
import { decodeRequest, explain, handle } from 'havip-rules'
import type { ConformanceReport, RequestParams, System } from 'havip-rules/testing'
import { checkConformance, snapshotArbitrary } from 'havip-rules/testing'
import { runs } from './support/runs.js'
import { load } from './support/snapshots.js'
import { ownIds, reference, rewriting } from './support/planted.js'

// Deliberately wrong implementations, each a bug a real emulator could have.

/** Counts to the limit with `<=`: one target more than the quota. */
const offByOneQuota = (json: SnapshotJson): System =>
  reference({ ...json, Quotas: { ...json.Quotas, InstancesPerHaVip: (json.Quotas?.InstancesPerHaVip ?? 10) + 1 } })

/** Never compares subnets: as if every resource were in one subnet. */
const noSubnetCheck = (json: SnapshotJson): System =>
  reference({
    ...json,
    HaVips: (json.HaVips ?? []).map((h) => ({ ...h, SubnetId: 'subnet-a' })),
    Instances: (json.Instances ?? []).map((i) => ({ ...i, NetworkInterfaces: i.NetworkInterfaces.map((n) => ({ ...n, SubnetId: 'subnet-a' })) })),
    NetworkInterfaces: (json.NetworkInterfaces ?? []).map((n) => ({ ...n, SubnetId: 'subnet-a' })),
  })

/** Forgets ClientTokens: a retry is applied again instead of replayed. */
const replayReapplies = (json: SnapshotJson): System => {
  const system = reference({ ...json, ClientTokens: [] })
  return { send: ({ ClientToken: _, ...params }) => system.send(params) }
}

/** Checks `second` before `first`: answers `second` when both fail. */
const swapped = (first: ErrorId, second: ErrorId) => (json: SnapshotJson): System => {
  let s = load(json)
  let n = 0
  return {
    send: (params) => {
      const handled = handle(s, params, { requestId: `sut-${String(n++)}` })
      const request = decodeRequest(params)
      const violations = E.isRight(request) ? explain(s, request.right) : []
      const instead = violations.find((v) => v.id === second)
      s = handled.snapshot
      if (violations[0]?.id !== first || instead === undefined) return { status: handled.status, body: handled.body }
      const meta = handled.body.ResponseMetadata
      return { status: instead.status, body: { ResponseMetadata: { ...meta, Error: { Code: instead.code, Message: instead.message } } } }
    },
  }
}

const expectCaught = (report: ConformanceReport, what: string): void => {
  // On failure, the seed tells how to replay the run that missed the bug.
  expect(report.ok, `${what} was not caught (seed ${String(report.seed)})`).toBe(false)
  if (report.ok) return
  expect(report.report).toContain(report.divergence.split(':')[0] ?? '')
  // A divergence is described, never a crash of the harness itself.
  expect(report.divergence).not.toMatch(/TypeError|Cannot read/)
}

/** The first divergence of a system that differs from havip-rules as this reply rewriting says. */
const divergenceOf = async (change: Parameters<typeof rewriting>[0], numRuns = runs(30)): Promise<string> => {
  const report = await checkConformance({ setup: rewriting(change), numRuns })
  expectCaught(report, 'the difference')
  return report.ok ? '' : report.divergence
}

describe('checkConformance', () => {
  it('passes havip-rules itself', async () => {
    const report = await checkConformance({ setup: reference, numRuns: runs(100) })
    expect(report, report.ok ? '' : report.report).toMatchObject({ ok: true })
  })

  it('passes an asynchronous system (an HTTP client, say)', async () => {
    const report = await checkConformance({
      setup: async (json) => {
        await Promise.resolve()
        const system = reference(json)
        let closed = 0
        return {
          send: async (params: RequestParams) => { await Promise.resolve(); return system.send(params) },
          close: () => { closed++; expect(closed).toBe(1) },
        }
      },
      numRuns: runs(20),
    })
    expect(report.ok).toBe(true)
  })

  it('catches a quota off by one (limit + 1)', async () => {
    expectCaught(await checkConformance({ setup: offByOneQuota, numRuns: runs(200) }), 'the off-by-one quota')
  })

  it('catches a limit of 11 instead of the vendor\'s 10', async () => {
    const report = await checkConformance({
      setup: offByOneQuota,
      snapshots: snapshotArbitrary({ minInstances: 12, maxInstances: 12, maxHaVips: 1, quotas: fc.constant({ InstancesPerHaVip: 10, HaVipsPerInstance: 5 }) }),
      numRuns: runs(200),
    })
    expectCaught(report, 'the limit of 11')
  })

  it('catches a skipped subnet check', async () => {
    expectCaught(await checkConformance({ setup: noSubnetCheck, numRuns: runs(200) }), 'the skipped subnet check')
  })

  it('catches a token replay that re-applies the request', async () => {
    expectCaught(await checkConformance({ setup: replayReapplies, numRuns: runs(200) }), 'the re-applied replay')
  })

  it('catches a wrong precedence between two rules (instance status before HaVip status)', async () => {
    const report = await checkConformance({ setup: swapped('InvalidHaVip.InvalidStatus', 'InvalidInstance.InvalidStatus'), numRuns: runs(200) })
    expectCaught(report, 'the swapped precedence')
  })

  it('catches the right code with the wrong message (one Forbidden text for all five)', async () => {
    const oneForbidden = rewriting(({ status, body }) => {
      const error = body.ResponseMetadata.Error
      if (error?.Code !== 'Forbidden') return { status, body }
      const message = 'You are not authorized to perform operations on the specified HaVip. Cannot bind HaVip to multiple instance types.'
      return { status, body: { ResponseMetadata: { ...body.ResponseMetadata, Error: { ...error, Message: message } } } }
    })
    const report = await checkConformance({ setup: oneForbidden, numRuns: runs(200) })
    expectCaught(report, 'the shared Forbidden message')
    if (!report.ok) expect(report.divergence).toMatch(/Error\.Message "You are not authorized to perform operations on the specified HaVip\. Cannot bind HaVip to multiple instance types\.", expected "You are not authorized/)
  })

  it('catches a replay answered with a fresh RequestId instead of the one of the success it replays', async () => {
    const freshIds = ownIds(({ status, body }, own) => ({ status, body: { ...body, ResponseMetadata: { ...body.ResponseMetadata, RequestId: own } } }))
    const report = await checkConformance({ setup: freshIds, numRuns: runs(200) })
    expectCaught(report, 'the fresh replay RequestId')
    if (!report.ok) expect(report.divergence).toMatch(/RequestId "sut-\d+", expected "sut-\d+", the id of the success this request replays/)
  })

  it('catches metadata that names the wrong region', async () => {
    const oneRegion = (json: SnapshotJson): System => reference({ ...json, Region: 'cn-beijing' })
    const report = await checkConformance({ setup: oneRegion, numRuns: runs(200) })
    expectCaught(report, 'the fixed region')
    if (!report.ok) expect(report.divergence).toContain('ResponseMetadata.Region "cn-beijing", expected "ap-southeast-1"')
  })

  it('catches a DescribeHaVips that goes stale after a change', async () => {
    const stale = (json: SnapshotJson): System => {
      const system = reference(json)
      const before = reference(json)
      return { send: (params) => (params.Action === 'DescribeHaVips' ? before.send(params) : system.send(params)) }
    }
    const report = await checkConformance({ setup: stale, numRuns: runs(100) })
    expectCaught(report, 'the stale DescribeHaVips')
    if (!report.ok) expect(report.divergence).toMatch(/then DescribeHaVips of \S+ says (Status|AssociatedInstanceType|AssociatedInstanceIds) /)
  })

  it('does not ask for DescribeHaVips with compareDescribe: false', async () => {
    const noDescribe = (json: SnapshotJson): System => {
      const system = reference(json)
      return { send: (params) => (params.Action === 'DescribeHaVips' ? { status: 404, body: {} } : system.send(params)) }
    }
    expect(await checkConformance({ setup: noDescribe, numRuns: runs(30) })).toMatchObject({ ok: false })
    expect(await checkConformance({ setup: noDescribe, numRuns: runs(30), compareDescribe: false })).toMatchObject({ ok: true })
  })

  it('reports the first divergence with the shrunk sequence and the seed that replays it', async () => {
    const report = await checkConformance({ setup: noSubnetCheck, numRuns: runs(200), seed: 42 })
    if (report.ok) throw new Error('not caught')
    expect(report.divergence).toMatch(/^Action=AssociateHaVip&.*: status 200, expected 400; Error.Code undefined, expected "InvalidInstance.HaVipMismatch"/)
    // DescribeHaVips is asked only once the answer itself agrees.
    expect(report.divergence).not.toContain('then DescribeHaVips')
    expect(report.report).toContain('seed: 42')
    // The divergence comes first: it is what a test runner shows of a failed expectation's message.
    expect(report.report.startsWith(`${report.divergence}\n\n`)).toBe(true)
    const again = await checkConformance({ setup: noSubnetCheck, numRuns: runs(200), seed: 42 })
    expect(again).toEqual(report)
  })

  it.each([
    ['Action', 'ResponseMetadata.Action "Other", expected "'],
    ['Version', 'ResponseMetadata.Version "Other", expected "2020-04-01"'],
    ['Service', 'ResponseMetadata.Service "Other", expected "vpc"'],
  ] as const)('catches metadata with the wrong %s', async (field, divergence) => {
    const wrong = rewriting(({ status, body }) => ({ status, body: { ...body, ResponseMetadata: { ...body.ResponseMetadata, [field]: 'Other' } } }))
    const report = await checkConformance({ setup: wrong, numRuns: 5 })
    expectCaught(report, `the wrong ${field}`)
    if (!report.ok) expect(report.divergence).toContain(divergence)
  })

  it('catches an error without its CodeN, and a status that differs alone', async () => {
    const dropCodeN = rewriting(({ status, body }) => {
      if (body.ResponseMetadata.Error?.CodeN === undefined) return { status, body }
      const { CodeN: _, ...error } = body.ResponseMetadata.Error
      return { status, body: { ResponseMetadata: { ...body.ResponseMetadata, Error: error } } }
    })
    const report = await checkConformance({ setup: dropCodeN, numRuns: runs(200) })
    expectCaught(report, 'the missing CodeN')
    if (!report.ok) expect(report.divergence).toMatch(/Error\.CodeN undefined, expected 1000\d\d/)
    const always200 = rewriting(({ body }) => ({ status: 200, body }))
    const status = await checkConformance({ setup: always200, numRuns: runs(200) })
    if (status.ok) throw new Error('not caught')
    expect(status.divergence).toMatch(/: status 200, expected 4\d\d \(havip-rules answers /)
  })

  it('says what DescribeHaVips got wrong: a refusal, a HaVip left out; ids in another order, a missing empty type or list are the same', async () => {
    const describeAs = (answer: (reply: { status: number; body: unknown }) => { status: number; body: unknown }) =>
      rewriting((reply, params) => (params.Action === 'DescribeHaVips' ? answer(reply) : reply))
    const refused = await checkConformance({ setup: describeAs(() => ({ status: 404, body: {} })), numRuns: runs(30) })
    if (refused.ok) throw new Error('not caught')
    expect(refused.divergence).toMatch(/then DescribeHaVips of \S+ answered status 404, expected 200$/)
    const empty = await checkConformance({ setup: describeAs(({ status }) => ({ status, body: { Result: { HaVips: [] } } })), numRuns: runs(30) })
    if (empty.ok) throw new Error('not caught')
    expect(empty.divergence).toMatch(/then DescribeHaVips of \S+ did not list it$/)
    type Listed = { Result: { HaVips: ReadonlyArray<Record<string, unknown>> } }
    const reordered = describeAs(({ status, body }) => ({
      status,
      body: { ...(body as Listed), Result: { HaVips: (body as Listed).Result.HaVips.map(({ AssociatedInstanceType: type, AssociatedInstanceIds: ids, ...h }) => ({
        ...h,
        ...(type === '' ? {} : { AssociatedInstanceType: type }),
        // An empty list left out is an empty list.
        ...((ids as ReadonlyArray<string>).length === 0 ? {} : { AssociatedInstanceIds: [...(ids as ReadonlyArray<string>)].reverse() }),
      })) } },
    }))
    expect(await checkConformance({ setup: reordered, numRuns: 50 })).toMatchObject({ ok: true })
  })

  it('says a body that is not an object is not one, and describes an object without an envelope as what is missing from it', async () => {
    for (const body of [null, 'text', 7, [1]]) {
      const divergence = await divergenceOf(({ status }) => ({ status, body }), 5)
      expect(divergence).toMatch(/: the body is not an object: (null|"text"|7|\[1\])/)
      expect(divergence).not.toContain('undefined')
    }
    for (const body of [{}, { ResponseMetadata: null }]) {
      const divergence = await divergenceOf(({ status }) => ({ status, body }), 5)
      // A request may lack Action: its expected Action is then "".
      expect(divergence).toMatch(/ResponseMetadata\.Action undefined, expected "[A-Za-z]*"/)
    }
  })

  it('says the system under test threw, naming the request, whether on the request or on the DescribeHaVips after it', async () => {
    const throwing = (when: (params: RequestParams) => boolean, error: unknown) => (json: SnapshotJson): System => {
      const system = reference(json)
      return { send: (params) => { if (when(params)) throw error; return system.send(params) } }
    }
    const onRequest = await checkConformance({ setup: throwing((p) => p.Action !== 'DescribeHaVips', new TypeError('fetch failed')), numRuns: 5 })
    if (onRequest.ok) throw new Error('not caught')
    expect(onRequest.divergence).toMatch(/^[^:]*Version=[^:]*: the system under test threw TypeError: fetch failed$/)
    const onDescribe = await checkConformance({ setup: throwing((p) => p.Action === 'DescribeHaVips', 'down'), numRuns: runs(30) })
    if (onDescribe.ok) throw new Error('not caught')
    expect(onDescribe.divergence).toMatch(/^[^:]*Version=[^:]*: then DescribeHaVips of \S+: the system under test threw "down"$/)
  })

  it('gives the facts behind the error havip-rules answers', async () => {
    const divergence = await divergenceOf(({ body }) => ({ status: 200, body }), runs(30))
    expect(divergence).toMatch(/: status 200, expected 4\d\d \(havip-rules answers \S+ because .+\)$/)
  })

  it('says an error answered where havip-rules succeeds is not expected', async () => {
    const divergence = await divergenceOf(({ status, body }, params) => (status === 200 && params.Action !== 'DescribeHaVips'
      ? { status: 400, body: { ResponseMetadata: { ...body.ResponseMetadata, Error: { Code: 'Refused', Message: 'no' } } } }
      : { status, body }), 10)
    expect(divergence).toMatch(/: status 400, expected 200; Error\.Code "Refused", expected undefined; Error\.Message "no", expected undefined$/)
  })

  it('says a replay that names no RequestId should have named the one of the success it replays', async () => {
    const noIdOnReplay = ownIds(({ status, body }, own) => {
      // A replay of a success of this run (those of the snapshot's ledger keep their ids).
      const id = body.ResponseMetadata.RequestId
      return { status, body: id.startsWith('sut-') && id !== own ? {} : body }
    })
    const report = await checkConformance({ setup: noIdOnReplay, numRuns: runs(200) })
    expectCaught(report, 'the replay without metadata')
    if (!report.ok) expect(report.divergence).toMatch(/RequestId undefined, expected "sut-\d+", the id of the success this request replays$/)
  })

  it('finds the HaVip asked about in a DescribeHaVips that lists others too, and says so when none is listed', async () => {
    const everyHaVip = (json: SnapshotJson): System => {
      const system = reference(json)
      return {
        send: async (params) => {
          if (params.Action !== 'DescribeHaVips') return system.send(params)
          // The filter ignored: every HaVip, the one asked about last.
          const all = await system.send({ Action: 'DescribeHaVips', Version: '2020-04-01' })
          const body = all.body as { Result: { HaVips: ReadonlyArray<{ HaVipId: string }> } }
          const haVips = [...body.Result.HaVips].sort((a, b) => Number(a.HaVipId === params['HaVipIds.1']) - Number(b.HaVipId === params['HaVipIds.1']))
          return { status: all.status, body: { ...body, Result: { ...body.Result, HaVips: haVips } } }
        },
      }
    }
    expect(await checkConformance({ setup: everyHaVip, numRuns: runs(50) })).toMatchObject({ ok: true })
    for (const body of [null, {}, { Result: null }, { Result: {} }, { Result: { HaVips: null } }]) {
      const divergence = await divergenceOf(({ status, body: real }, params) => ({ status, body: params.Action === 'DescribeHaVips' ? body : real }), 10)
      expect(divergence).toMatch(/then DescribeHaVips of \S+ did not list it$/)
    }
  })

  it('says which targets a DescribeHaVips left out', async () => {
    type Listed = { Result: { HaVips: ReadonlyArray<Record<string, unknown>> } }
    const divergence = await divergenceOf(({ status, body }, params) => {
      if (params.Action !== 'DescribeHaVips') return { status, body }
      const listed = body as unknown as Listed
      return { status, body: { ...listed, Result: { HaVips: listed.Result.HaVips.map((h) => ({ ...h, AssociatedInstanceIds: (h.AssociatedInstanceIds as ReadonlyArray<string>).slice(1) })) } } }
    }, runs(100))
    expect(divergence).toMatch(/then DescribeHaVips of \S+ says AssociatedInstanceIds \[.*\], expected \[".+\]$/)
  })

  it('runs as fast-check is configured when given no numRuns or seed', async () => {
    const before = fc.readConfigureGlobal()
    fc.configureGlobal({ ...before, numRuns: 7, seed: 99 })
    try {
      expect(await checkConformance({ setup: reference })).toEqual({ ok: true, numRuns: 7, seed: 99 })
    } finally {
      fc.configureGlobal(before)
    }
  })

  it('keeps to numRuns, seed and maxCommands, closes every system it set up, and says when the snapshots do not load', async () => {
    let setUp = 0
    let closed = 0
    let longest = 0
    const counting = (json: SnapshotJson): System => {
      setUp++
      const system = reference(json)
      let sent = 0
      return {
        send: (params) => { if (params.Action !== 'DescribeHaVips') longest = Math.max(longest, ++sent); return system.send(params) },
        close: () => { closed++ },
      }
    }
    expect(await checkConformance({ setup: counting, numRuns: 7, seed: 11, maxCommands: 2 })).toEqual({ ok: true, numRuns: 7, seed: 11 })
    expect([setUp, closed, longest]).toEqual([7, 7, 2])
    // A failing run is closed too.
    setUp = 0
    closed = 0
    expect(await checkConformance({ setup: (json) => ({ ...counting(json), send: () => ({ status: 500, body: {} }) }), numRuns: 3 })).toMatchObject({ ok: false })
    expect(closed).toBe(setUp)
    const broken = await checkConformance({ setup: counting, snapshots: fc.constant({ HaVips: [{ HaVipId: 'h' }] } as unknown as SnapshotJson), numRuns: 1 })
    if (broken.ok) throw new Error('not caught')
    expect(broken.divergence).toMatch(/^the snapshot arbitrary made a snapshot that does not load: /)
  })
})

describe('checkConformance of a HaVip\'s whole life (lifecycle: true)', () => {
  const lifecycleRun = (setup: (json: SnapshotJson) => System, numRuns = runs(100)) => checkConformance({ setup, numRuns, lifecycle: true })

  it('passes havip-rules itself, in synchronous and asynchronous mode', async () => {
    const report = await lifecycleRun(reference, runs(150))
    expect(report, report.ok ? '' : report.report).toMatchObject({ ok: true })
  })

  it('catches ids of its own instead of the documented ones', async () => {
    const ownHaVipIds = rewriting(({ status, body }, params) => (params.Action === 'CreateHaVip' && status === 200
      ? { status, body: { ...body, Result: { ...(body as unknown as { Result: object }).Result, HaVipId: 'havip-own' } } }
      : { status, body }))
    const report = await lifecycleRun(ownHaVipIds)
    expectCaught(report, 'the own ids')
    if (!report.ok) expect(report.divergence).toMatch(/^Action=CreateHaVip&.*: Result\.HaVipId "havip-own", expected "[^"]+"$/)
  })

  it('catches an address chosen without the ENIs\' secondary addresses (one in use given out again)', async () => {
    const noSecondaries = (json: SnapshotJson): System => reference({ ...json, NetworkInterfaces: (json.NetworkInterfaces ?? []).map(({ PrivateIpSets: _, ...n }) => n) })
    const report = await lifecycleRun(noSecondaries, runs(200))
    expectCaught(report, 'the forgotten secondary addresses')
    if (!report.ok) expect(report.divergence).toMatch(/Result\.IpAddress "[\d.]+", expected "[\d.]+"|expected "InvalidIpAddress\.InUse"|expected "InsufficientIpAddress\.Subnet"/)
  })

  it('catches a HaVip that stays Creating (steps ignored) and one that is Available at once (asynchronous mode ignored)', async () => {
    const stuck = await lifecycleRun((json) => reference({ ...json, AsyncSteps: (json.AsyncSteps ?? 0) > 0 ? 1000 : 0 }), runs(100))
    expectCaught(stuck, 'the stuck tasks')
    if (!stuck.ok) expect(stuck.divergence).toMatch(/"InProgress", expected "Succeeded"|Status "Creating", expected "Available"|Status "Deleting"|still lists it|Result\.HaVips/)
    const synchronous = await lifecycleRun((json) => reference({ ...json, AsyncSteps: 0 }), runs(100))
    expectCaught(synchronous, 'the ignored asynchronous mode')
  })

  it('catches a DeleteHaVip that ignores route entries, and says a deleted HaVip is still listed', async () => {
    const noRoutes = await lifecycleRun((json) => reference({ ...json, RouteEntries: [] }), runs(200))
    expectCaught(noRoutes, 'the ignored route entries')
    if (!noRoutes.ok) expect(noRoutes.divergence).toMatch(/^Action=DeleteHaVip&.*expected "InvalidHaVip\.InUse".* because /)
    const neverGone = (json: SnapshotJson): System => {
      const system = reference(json)
      const before = reference(json)
      return { send: (params) => (params.Action === 'DescribeHaVips' && params['HaVipIds.1'] !== undefined && (json.HaVips ?? []).some((h) => h.HaVipId === params['HaVipIds.1']) ? before.send(params) : system.send(params)) }
    }
    const report = await lifecycleRun(neverGone, runs(200))
    expectCaught(report, 'the HaVip never gone')
  })
})
