import { createHash } from 'node:crypto'
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { advance, associateHaVip, createHaVip, deleteHaVip, getAsyncTaskStatus, handle, modifyHaVipAttributes, snapshotToJson } from 'havip-rules'
import { lifecycle, lifecycleJson, q } from './support/lifecycle-account.js'
import { load } from './support/snapshots.js'

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 20)

const right = <A>(e: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}

const result = (s: Snapshot, query: string, ctx = {}) => {
  const h = handle(s, query, { requestId: 'r', ...ctx })
  return { ...h, result: (h.body as { readonly Result?: Readonly<Record<string, string>> }).Result }
}

const haVipsOf = (s: Snapshot) => snapshotToJson(s).HaVips ?? []
const haVip = (s: Snapshot, id: string) => haVipsOf(s).find((h) => h.HaVipId === id)

describe('CreateHaVip', () => {
  it('issues HaVipId and AsyncTaskId from SHA-256 of <Region>/havip/<n> and <Region>/task/<n>, and counts them', () => {
    const created = right(createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a' }, { requestId: 'req-1' }))
    expect(created.result).toEqual({ HaVipId: `havip-${sha('cn-beijing/havip/0')}`, IpAddress: '192.168.0.5', AsyncTaskId: `at-${sha('cn-beijing/task/1')}` })
    // As `printf 'cn-beijing/havip/0' | sha256sum` prints it.
    expect(created.result.HaVipId).toBe('havip-4b49e7909935a74d36ce')
    expect(snapshotToJson(created.snapshot).IdCounter).toBe(2)
    expect(snapshotToJson(created.snapshot).AsyncTasks).toEqual([
      { AsyncTaskId: created.result.AsyncTaskId, Action: 'CreateHaVip', ResourceId: created.result.HaVipId, Status: 'Succeeded', RequestId: 'req-1', StepsLeft: 0 },
    ])
  })

  it('skips an id that already exists', () => {
    const taken = `havip-${sha('ap-southeast-1/havip/7')}`
    const s = lifecycle({ Region: 'ap-southeast-1', IdCounter: 7, HaVips: [{ HaVipId: taken, SubnetId: 'subnet-a', Status: 'Available' }] })
    const created = right(createHaVip(s, { action: 'CreateHaVip', subnetId: 'subnet-a' }))
    expect(created.result.HaVipId).toBe(`havip-${sha('ap-southeast-1/havip/8')}`)
    expect(created.result.AsyncTaskId).toBe(`at-${sha('ap-southeast-1/task/9')}`)
    expect(snapshotToJson(created.snapshot).IdCounter).toBe(10)
  })

  it('appends a HaVip with every field of a fresh one, stamped with ctx.now', () => {
    const r = result(lifecycle(), q('CreateHaVip', { SubnetId: 'subnet-a', 'Tags.2.Key': 'b', 'Tags.1.Key': 'a', 'Tags.1.Value': '1' }), { now: '2026-12-05T10:00:00Z' })
    expect(r.status).toBe(200)
    expect(Object.keys(r.result ?? {})).toEqual(['RequestId', 'HaVipId', 'IpAddress', 'AsyncTaskId'])
    const id = r.result?.HaVipId ?? ''
    expect(haVipsOf(r.snapshot).at(-1)).toStrictEqual({
      HaVipId: id, HaVipName: id, Description: '', VpcId: 'vpc-1', SubnetId: 'subnet-a', IpAddress: '192.168.0.5', Status: 'Available',
      AssociatedInstanceType: '', AssociatedInstanceIds: [], AssociatedEipId: '', AssociatedEipAddress: '', MasterInstanceId: '', ProjectName: 'default',
      Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }], CreatedAt: '2026-12-05T10:00:00Z', UpdatedAt: '2026-12-05T10:00:00Z',
    })
  })

  it('chooses the lowest free address: reserved ones and those in use skipped, a freed one taken again', () => {
    let s = lifecycle()
    const chosen: Array<string> = []
    for (let i = 0; i < 4; i++) {
      const r = result(s, q('CreateHaVip', { SubnetId: 'subnet-a' }))
      chosen.push(r.result?.IpAddress ?? '')
      s = r.snapshot
    }
    expect(chosen).toEqual(['192.168.0.5', '192.168.0.6', '192.168.0.7', '192.168.0.8'])
    s = result(s, q('DeleteHaVip', { HaVipId: 'havip-1' })).snapshot
    expect(result(s, q('CreateHaVip', { SubnetId: 'subnet-a' })).result?.IpAddress).toBe('192.168.0.9')
    expect(result(s, q('CreateHaVip', { SubnetId: 'subnet-a', IpAddress: '192.168.0.9' })).status).toBe(200)
  })

  it('replays a ClientToken: the same Result and RequestId, nothing recorded; other parameters are refused', () => {
    const first = result(lifecycle(), q('CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'tok', HaVipName: 'web' }), { requestId: 'req-1' })
    const again = handle(first.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'tok', HaVipName: 'web' }), { requestId: 'req-2' })
    expect(again.body).toEqual(first.body)
    expect(again.snapshot).toBe(first.snapshot)
    const others: ReadonlyArray<Readonly<Record<string, string>>> = [{ HaVipName: 'web2' }, { HaVipName: 'web', IpAddress: '192.168.0.5' }, { HaVipName: 'web', 'Tags.1.Key': 'k' }, {}]
    for (const other of others) {
      expect(result(first.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'tok', ...other })).status).toBe(400)
    }
  })
})

describe('DeleteHaVip and ModifyHaVipAttributes', () => {
  it('deletes a free HaVip at once, and answers a task id', () => {
    const r = result(lifecycle(), q('DeleteHaVip', { HaVipId: 'havip-1' }))
    expect(r.status).toBe(200)
    expect(r.result?.AsyncTaskId).toMatch(/^at-[0-9a-f]{20}$/)
    expect(haVip(r.snapshot, 'havip-1')).toBeUndefined()
    expect(result(r.snapshot, q('DescribeHaVips', { 'HaVipIds.1': 'havip-1' })).result).toMatchObject({ TotalCount: 0 })
  })

  it('changes only what is given, keeps the status, stamps UpdatedAt', () => {
    const r = right(modifyHaVipAttributes(lifecycle(), { action: 'ModifyHaVipAttributes', haVipId: 'havip-2', description: 'db' }, { now: 'T' }))
    expect(haVip(r.snapshot, 'havip-2')).toMatchObject({ Status: 'InUse', Description: 'db', UpdatedAt: 'T' })
    expect(haVip(r.snapshot, 'havip-2')?.HaVipName).toBeUndefined()
    expect(E.isLeft(deleteHaVip(lifecycle(), { action: 'DeleteHaVip', haVipId: '' }))).toBe(true)
  })
})

describe('tasks and the asynchronous mode', () => {
  it('answers an AsyncTaskId for AssociateHaVip too; binding ledger entries record it and a replay answers it', () => {
    const s = lifecycle()
    const first = result(s, q('AssociateHaVip', { HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 't' }))
    expect(first.result?.AsyncTaskId).toMatch(/^at-/)
    expect(snapshotToJson(first.snapshot).ClientTokens?.[0]).toMatchObject({ AsyncTaskId: first.result?.AsyncTaskId })
    expect(result(first.snapshot, q('AssociateHaVip', { HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 't' })).result).toEqual(first.result)
    const old = lifecycle({ ClientTokens: [{ Action: 'AssociateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } }] })
    expect(result(old, q('AssociateHaVip', { HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 't' })).result).toEqual({ RequestId: 'r' })
  })

  it('Creating, then Available after N reads; GetAsyncTaskStatus goes from InProgress to Succeeded', () => {
    const created = result(lifecycle({ AsyncSteps: 2 }), q('CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'c' }))
    const id = created.result?.HaVipId ?? ''
    const task = created.result?.AsyncTaskId ?? ''
    expect(haVip(created.snapshot, id)?.Status).toBe('Creating')
    const poll1 = result(created.snapshot, q('DescribeHaVips', { 'HaVipIds.1': id }))
    expect(poll1.result).toMatchObject({ HaVips: [{ Status: 'Creating' }] })
    // A retry while the task is in progress is a replay.
    expect(result(poll1.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'c' })).result).toMatchObject({ HaVipId: id })
    const status1 = result(created.snapshot, q('GetAsyncTaskStatus', { AsyncTaskId: task }))
    expect(status1.result).toEqual({ RequestId: 'r', AsyncTaskId: task, AsyncTaskStatus: 'InProgress' })
    const poll2 = result(poll1.snapshot, q('DescribeHaVips', { 'HaVipIds.1': id }))
    expect(poll2.result).toMatchObject({ HaVips: [{ Status: 'Available' }] })
    expect(right(getAsyncTaskStatus(poll2.snapshot, { action: 'GetAsyncTaskStatus', asyncTaskId: task })).AsyncTaskStatus).toBe('Succeeded')
    // An unknown task id is not a 200: it takes no step.
    expect(result(created.snapshot, q('GetAsyncTaskStatus', { AsyncTaskId: 'at-x' })).snapshot).toBe(created.snapshot)
  })

  it('Deleting, then gone; binds are listed at once', () => {
    const s = lifecycle({ AsyncSteps: 1 })
    const bound = result(s, q('AssociateHaVip', { HaVipId: 'havip-1', InstanceId: 'i-1' }))
    expect(haVip(bound.snapshot, 'havip-1')?.Status).toBe('InUse')
    const deleting = result(s, q('DeleteHaVip', { HaVipId: 'havip-1' }))
    expect(haVip(deleting.snapshot, 'havip-1')?.Status).toBe('Deleting')
    expect(result(deleting.snapshot, q('DeleteHaVip', { HaVipId: 'havip-1' })).status).toBe(400)
    expect(result(deleting.snapshot, q('DescribeHaVips', { 'HaVipIds.1': 'havip-1' })).result).toMatchObject({ TotalCount: 0 })
  })

  it('a HaVip that leaves at the end of its Deleting step no longer counts against the targets it held', () => {
    // Found by the lifecycle specification: the step removed the HaVip but its target still counted it (A12).
    const s = load({
      HaVips: [
        { HaVipId: 'havip-3', SubnetId: 'subnet-a', Status: 'Deleting', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-3'] },
        { HaVipId: 'havip-9', SubnetId: 'subnet-a', Status: 'Available' },
      ],
      Instances: [{ InstanceId: 'i-3', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-a', Type: 'primary' }] }],
      Quotas: { HaVipsPerInstance: 1 },
      AsyncTasks: [{ AsyncTaskId: 'at-1', Action: 'DeleteHaVip', ResourceId: 'havip-3', Status: 'InProgress', StepsLeft: 1 }],
      AsyncSteps: 1,
    })
    const read = result(s, q('DescribeHaVips', {}))
    expect(haVip(read.snapshot, 'havip-3')).toBeUndefined()
    expect(result(read.snapshot, q('AssociateHaVip', { HaVipId: 'havip-9', InstanceId: 'i-3' })).status).toBe(200)
    expect(result(advance(s), q('AssociateHaVip', { HaVipId: 'havip-9', InstanceId: 'i-3' })).status).toBe(200)
  })

  it('in the synchronous mode reads take no step; advance moves tasks in any mode', () => {
    const s = lifecycle({ AsyncTasks: [{ AsyncTaskId: 'at-1', Action: 'CreateHaVip', ResourceId: 'havip-c', Status: 'InProgress', StepsLeft: 2 }] })
    expect(handle(s, q('DescribeHaVips')).snapshot).toBe(s)
    expect(advance(s, 0)).toBe(s)
    expect(haVip(advance(s), 'havip-c')?.Status).toBe('Creating')
    const done = advance(s, 2)
    expect(haVip(done, 'havip-c')?.Status).toBe('Available')
    expect(snapshotToJson(done).AsyncTasks).toEqual([{ AsyncTaskId: 'at-1', Action: 'CreateHaVip', ResourceId: 'havip-c', Status: 'Succeeded', StepsLeft: 0 }])
    expect(haVip(s, 'havip-c')?.Status).toBe('Creating')
  })

  it('keeps at most 10,000 tasks: the oldest finished go, never one in progress; a larger ledger loaded stays until the next task', () => {
    const tasks = Array.from({ length: 10_001 }, (_, i) => ({ AsyncTaskId: `at-${String(i)}`, Action: 'ModifyHaVipAttributes', Status: i === 0 ? 'InProgress' : 'Succeeded', StepsLeft: i === 0 ? 5 : 0 }))
    const s = lifecycle({ AsyncTasks: tasks })
    expect(snapshotToJson(s).AsyncTasks).toHaveLength(10_001)
    const after = result(s, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' })).snapshot
    const ids = (snapshotToJson(after).AsyncTasks ?? []).map((t) => t.AsyncTaskId)
    expect(ids).toHaveLength(10_000)
    expect(ids.slice(0, 2)).toEqual(['at-0', 'at-3'])
    expect(result(after, q('GetAsyncTaskStatus', { AsyncTaskId: 'at-1' })).status).toBe(404)
    let t = after
    for (let i = 0; i < 3; i++) t = result(t, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' })).snapshot
    expect((snapshotToJson(t).AsyncTasks ?? []).map((x) => x.AsyncTaskId).slice(0, 2)).toEqual(['at-0', 'at-6'])
  })
})

/** A small account: one subnet of a random small block, some addresses in use, quotas out of the way. */
const smallAccount = fc.record({
  prefix: fc.integer({ min: 26, max: 30 }),
  used: fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: 20 }),
  asyncSteps: fc.constantFrom(0, 0, 1, 2),
}).map(({ prefix, used, asyncSteps }) => {
  const size = 2 ** (32 - prefix)
  return load({
    Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: `10.0.0.0/${String(prefix)}` }],
    HaVips: used.filter((u) => u < size).map((u) => ({ HaVipId: `h-${String(u)}`, SubnetId: 'subnet-a', Status: 'Available', IpAddress: `10.0.0.${String(u)}` })),
    Quotas: { HaVipsPerRegion: 1000, HaVipsPerVpc: 1000 },
    AsyncSteps: asyncSteps,
  })
})

const step = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), ip: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('read' as const) }),
)

const freeAddresses = (s: Snapshot): ReadonlyArray<number> => {
  const json = snapshotToJson(s)
  const block = json.Subnets?.[0]?.CidrBlock ?? ''
  const size = 2 ** (32 - Number(block.split('/')[1]))
  const used = new Set(haVipsOf(s).map((h) => Number(String(h.IpAddress).split('.')[3])))
  return Array.from({ length: size }, (_, i) => i).filter((i) => i >= 2 && i < size - 1 && !used.has(i))
}

describe('properties', () => {
  test.prop([smallAccount, fc.array(step, { maxLength: 25 })])('the address chosen is always the lowest free one, inside the block', (s0, steps) => {
    let s = s0
    for (const st of steps) {
      if (st.kind === 'create') {
        const free = freeAddresses(s)
        const r = result(s, q('CreateHaVip', { SubnetId: 'subnet-a', ...(st.ip === undefined ? {} : { IpAddress: `10.0.0.${String(st.ip)}` }) }))
        if (st.ip === undefined) expect(r.result?.IpAddress ?? 'none').toBe(free[0] === undefined ? 'none' : `10.0.0.${String(free[0])}`)
        else expect(r.status === 200).toBe(free.includes(st.ip))
        s = r.snapshot
      } else if (st.kind === 'delete') {
        const hs = haVipsOf(s).filter((h) => h.Status === 'Available')
        const h = hs[st.pick % Math.max(hs.length, 1)]
        if (h !== undefined) s = result(s, q('DeleteHaVip', { HaVipId: h.HaVipId })).snapshot
      } else {
        s = result(s, q('DescribeHaVips')).snapshot
      }
    }
  })

  test.prop([smallAccount])('Create then Delete (and their steps) gives back an equivalent account', (s0) => {
    const created = result(s0, q('CreateHaVip', { SubnetId: 'subnet-a' }))
    fc.pre(created.status === 200)
    const gone = advance(result(advance(created.snapshot, 5), q('DeleteHaVip', { HaVipId: created.result?.HaVipId ?? '' })).snapshot, 5)
    expect(haVipsOf(gone)).toEqual(haVipsOf(s0))
    expect(result(gone, q('CreateHaVip', { SubnetId: 'subnet-a' })).result?.IpAddress).toBe(created.result?.IpAddress)
  })

  test.prop([fc.dictionary(fc.constantFrom('Action', 'Version', 'SubnetId', 'IpAddress', 'HaVipName', 'Description', 'HaVipId', 'AsyncTaskId', 'ClientToken', 'Tags.1.Key', 'Tags.01.Value', 'Tags.2.Value'), fc.string()), fc.constantFrom('CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'GetAsyncTaskStatus')])(
    'is total and pure: any parameters, a deep-frozen snapshot JSON, never a throw or a change to the input',
    (params, action) => {
      const json = lifecycleJson({ AsyncSteps: 1 })
      const frozen = JSON.stringify(json)
      const deepFreeze = (o: unknown): void => { if (typeof o === 'object' && o !== null) { Object.freeze(o); Object.values(o).forEach(deepFreeze) } }
      deepFreeze(json)
      const s = load(json)
      const r = handle(s, { ...params, Action: action, Version: '2020-04-01' })
      expect([200, 400, 404]).toContain(r.status)
      handle(r.snapshot, q('DescribeHaVips'))
      expect(JSON.stringify(json)).toBe(frozen)
      expect(snapshotToJson(s)).toBe(json)
    },
  )
})

it('associateHaVip still answers a snapshot', () => {
  expect(E.isRight(associateHaVip(lifecycle(), { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance' }))).toBe(true)
})
