import { inspect } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot, SnapshotJson } from 'havip-rules'
import { advance, createHaVip, explain, getAsyncTaskStatus, handle, snapshotToJson } from 'havip-rules'
import { nthId } from '../src/engine/ids.js'
import { markToFail, stepped, tasksInProgress } from '../src/engine/tasks.js'
import { handleRequest } from '../src/journal/replay.js'
import type { SnapshotState } from '../src/model/snapshot.js'
import { isSnapshot } from '../src/model/snapshot.js'
import { lifecycle, lifecycleJson, q } from './support/lifecycle-account.js'
import { load } from './support/snapshots.js'

// The asynchronous mode's tasks, in the test process: steps, a task that completes or (marked to
// fail by havip serve's fail-task rule) is undone, the task ledger's bound.

const state = (s: Snapshot): SnapshotState => {
  if (!isSnapshot(s)) throw new Error('not a snapshot')
  return s
}

type Task = NonNullable<SnapshotJson['AsyncTasks']>[number]

const haVipsOf = (s: Snapshot) => snapshotToJson(s).HaVips ?? []
const haVip = (s: Snapshot, id: string) => haVipsOf(s).find((h) => h.HaVipId === id)
const tasksOf = (s: Snapshot): ReadonlyArray<Task> => snapshotToJson(s).AsyncTasks ?? []
const taskOf = (s: Snapshot, id: string) => tasksOf(s).find((t) => t.AsyncTaskId === id)

const result = (s: Snapshot, query: string) => {
  const h = handle(s, query, { requestId: 'r' })
  const body = h.body as { readonly Result?: Readonly<Record<string, string>>; readonly ResponseMetadata: { readonly Error?: { readonly Code: string; readonly Message: string } } }
  return { snapshot: h.snapshot, status: h.status, result: body.Result, error: body.ResponseMetadata.Error }
}

/** A request as havip serve applies it when a fail-task rule fires on it. */
const failing = (s: Snapshot, params: Readonly<Record<string, string>>) => {
  const h = handleRequest(state(s), { requestId: 'r', params: { Version: '2020-04-01', ...params }, failTask: true })
  return { snapshot: h.snapshot, result: (h.body as { readonly Result?: Readonly<Record<string, string>> }).Result }
}

const inProgress = (id: string, action: string, resourceId: string, stepsLeft = 1) =>
  ({ AsyncTaskId: id, Action: action, ResourceId: resourceId, Status: 'InProgress', StepsLeft: stepsLeft })

/** The lifecycle account with one more HaVip, havip-d, being deleted, and these tasks. */
const withDeleting = (tasks: ReadonlyArray<Task>): Snapshot => load(lifecycleJson({
  HaVips: [...(lifecycleJson().HaVips as ReadonlyArray<object>), { HaVipId: 'havip-d', SubnetId: 'subnet-a', IpAddress: '192.168.0.20', Status: 'Deleting' }],
  AsyncTasks: tasks,
}))

/** One step of these tasks on the lifecycle account with havip-d: before and after, every task marked to fail first when `fail`. */
const oneStep = (tasks: ReadonlyArray<Task>, fail: boolean): { readonly before: Snapshot; readonly after: Snapshot } => {
  const before = withDeleting(tasks)
  return { before, after: advance(fail ? tasks.reduce((x, t) => markToFail(x, t.AsyncTaskId), state(before)) : before) }
}

describe('a task marked to fail (fail-task)', () => {
  it('CreateHaVip: the task ends Failed, the HaVip leaves, and its address, its VPC\'s count and the region\'s count are free again', () => {
    // vpc-1 holds four HaVips, the region five.
    const s = lifecycle({ AsyncSteps: 2, Quotas: { HaVipsPerVpc: 5, HaVipsPerRegion: 6 } })
    const created = failing(s, { Action: 'CreateHaVip', SubnetId: 'subnet-a' })
    const id = created.result?.HaVipId ?? ''
    const task = created.result?.AsyncTaskId ?? ''
    expect(created.result?.IpAddress).toBe('192.168.0.5')
    expect(haVip(created.snapshot, id)?.Status).toBe('Creating')
    expect(taskOf(created.snapshot, task)).toStrictEqual({ ...inProgress(task, 'CreateHaVip', id, 2), RequestId: 'r', Fails: true })
    expect(tasksInProgress(state(created.snapshot)).map((t) => t.AsyncTaskId)).toEqual([task])
    expect(result(created.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a' })).error?.Code).toBe('QuotaExceeded.HaVipsPerVpc')

    const once = advance(created.snapshot)
    expect(haVip(once, id)?.Status).toBe('Creating')
    expect(taskOf(once, task)).toMatchObject({ Status: 'InProgress', StepsLeft: 1, Fails: true })

    const ended = advance(created.snapshot, 2)
    expect(haVip(ended, id)).toBeUndefined()
    expect(haVipsOf(ended).map((h) => h.HaVipId)).toEqual(haVipsOf(s).map((h) => h.HaVipId))
    expect(taskOf(ended, task)).toMatchObject({ Status: 'Failed', StepsLeft: 0 })
    expect(result(ended, q('GetAsyncTaskStatus', { AsyncTaskId: task })).result).toEqual({ RequestId: 'r', AsyncTaskId: task, AsyncTaskStatus: 'Failed' })
    expect(tasksInProgress(state(ended))).toEqual([])
    // What console.log shows of it counts five HaVips again.
    expect(inspect(ended)).toContain('HaVips: 5,')

    // The address is taken again, and vpc-1 counts four HaVips again: one more fits, not two.
    const again = result(ended, q('CreateHaVip', { SubnetId: 'subnet-a' }))
    expect(again.result?.IpAddress).toBe('192.168.0.5')
    expect(result(again.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a' })).error?.Code).toBe('QuotaExceeded.HaVipsPerVpc')
  })

  it('CreateHaVip: the region counts the HaVip no more once it has left', () => {
    const s = lifecycle({ AsyncSteps: 1, Quotas: { HaVipsPerVpc: 100, HaVipsPerRegion: 6 } })
    const created = failing(s, { Action: 'CreateHaVip', SubnetId: 'subnet-a' })
    expect(result(created.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a' })).error?.Code).toBe('QuotaExceeded.HaVipsPerRegion')
    const ended = advance(created.snapshot)
    const again = result(ended, q('CreateHaVip', { SubnetId: 'subnet-a' }))
    expect(again.status).toBe(200)
    expect(result(again.snapshot, q('CreateHaVip', { SubnetId: 'subnet-a' })).error?.Code).toBe('QuotaExceeded.HaVipsPerRegion')
  })

  it('DeleteHaVip: the task ends Failed and the HaVip is Available again, in its place, as it was', () => {
    const s = lifecycle({ AsyncSteps: 1 })
    const deleting = failing(s, { Action: 'DeleteHaVip', HaVipId: 'havip-1' })
    const task = deleting.result?.AsyncTaskId ?? ''
    expect(haVip(deleting.snapshot, 'havip-1')?.Status).toBe('Deleting')
    const ended = advance(deleting.snapshot)
    expect(haVipsOf(ended)).toEqual(haVipsOf(s))
    expect(haVip(ended, 'havip-1')?.Status).toBe('Available')
    expect(taskOf(ended, task)).toMatchObject({ Action: 'DeleteHaVip', ResourceId: 'havip-1', Status: 'Failed', StepsLeft: 0 })
    // Not frozen: what snapshotToJson gives back is the caller's, like every other HaVip.
    expect(Object.isFrozen(haVip(ended, 'havip-1'))).toBe(false)
  })

  it('a request that fails, or a fail-task on a synchronous task, marks nothing', () => {
    const s = lifecycle({ AsyncSteps: 1 })
    expect(failing(s, { Action: 'DeleteHaVip', HaVipId: 'havip-2' }).snapshot).toBe(s)
    const sync = failing(lifecycle(), { Action: 'DeleteHaVip', HaVipId: 'havip-1' })
    const task = sync.result?.AsyncTaskId ?? ''
    expect(taskOf(sync.snapshot, task)).toStrictEqual({ AsyncTaskId: task, Action: 'DeleteHaVip', ResourceId: 'havip-1', Status: 'Succeeded', RequestId: 'r', StepsLeft: 0 })
  })
})

describe('a task on a HaVip in neither state its end is for', () => {
  // Each: the task, its HaVip and the HaVip's state, which the task's end, success or failure, leaves as it is.
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['CreateHaVip', 'havip-2', 'InUse'],
    ['CreateHaVip', 'havip-d', 'Deleting'],
    ['DeleteHaVip', 'havip-c', 'Creating'],
    ['DeleteHaVip', 'havip-1', 'Available'],
    ['DeleteHaVip', 'havip-2', 'InUse'],
    ['ModifyHaVipAttributes', 'havip-d', 'Deleting'],
    ['ModifyHaVipAttributes', 'havip-c', 'Creating'],
    ['ModifyHaVipAttributes', 'havip-2', 'InUse'],
  ]
  const ends = [[false, 'Succeeded'], [true, 'Failed']] as const

  it.each(ends.flatMap(([fail, ended]) => cases.map(([action, id, status]) => [action, fail ? 'marked to fail' : 'not marked', id, status, fail, ended] as const)))(
    'a %s task %s leaves %s (%s) as it is', (action, _, id, status, fail, ended) => {
      const { before, after } = oneStep([inProgress('at-1', action, id)], fail)
      expect(haVip(after, id)?.Status).toBe(status)
      expect({ haVips: haVipsOf(after), task: taskOf(after, 'at-1')?.Status }).toEqual({ haVips: haVipsOf(before), task: ended })
    })

  it.each(ends)('a task whose HaVip is gone just ends (marked to fail: %s)', (fail, ended) => {
    const { before, after } = oneStep([inProgress('at-1', 'CreateHaVip', 'havip-gone'), inProgress('at-2', 'DeleteHaVip', 'havip-gone')], fail)
    expect({ haVips: haVipsOf(after), tasks: tasksOf(after).map((t) => t.Status) }).toEqual({ haVips: haVipsOf(before), tasks: [ended, ended] })
  })
})

describe('a task that succeeds', () => {
  it('a HaVip made Available is not frozen', () => {
    const s = lifecycle({ AsyncTasks: [inProgress('at-1', 'CreateHaVip', 'havip-c')] })
    const done = advance(s)
    expect(haVip(done, 'havip-c')?.Status).toBe('Available')
    expect(Object.isFrozen(haVip(done, 'havip-c'))).toBe(false)
  })

  it('a HaVip that leaves releases one use of each target it held, not every use', () => {
    const s = load({
      HaVips: [
        { HaVipId: 'havip-3', SubnetId: 'subnet-a', Status: 'Deleting', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-3'] },
        { HaVipId: 'havip-4', SubnetId: 'subnet-a', Status: 'InUse', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-3'] },
        { HaVipId: 'havip-9', SubnetId: 'subnet-a', Status: 'Available' },
        { HaVipId: 'havip-10', SubnetId: 'subnet-a', Status: 'Available' },
      ],
      Instances: [{ InstanceId: 'i-3', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-a', Type: 'primary' }] }],
      Quotas: { HaVipsPerInstance: 2 },
      AsyncTasks: [inProgress('at-1', 'DeleteHaVip', 'havip-3')],
    })
    const gone = advance(s)
    expect(haVip(gone, 'havip-3')).toBeUndefined()
    const bound = result(gone, q('AssociateHaVip', { HaVipId: 'havip-9', InstanceId: 'i-3' }))
    expect(bound.status).toBe(200)
    expect(result(bound.snapshot, q('AssociateHaVip', { HaVipId: 'havip-10', InstanceId: 'i-3' })).error?.Code).toBe('LimitExceeded.HaVipsPerInstance')
  })

  it('a HaVip whose subnet the snapshot does not list leaves without trouble', () => {
    const s = load(lifecycleJson({
      HaVips: [{ HaVipId: 'havip-x', SubnetId: 'subnet-gone', VpcId: 'vpc-1', IpAddress: '10.9.0.5', Status: 'Deleting' }],
      AsyncTasks: [inProgress('at-1', 'DeleteHaVip', 'havip-x')],
    }))
    const gone = advance(s)
    expect(haVipsOf(gone)).toEqual([])
    expect(taskOf(gone, 'at-1')?.Status).toBe('Succeeded')
  })

  it('a HaVip on its block\'s first or last address frees it when it leaves (the pre-check no longer finds it in use)', () => {
    const s = lifecycle({
      HaVips: [
        { HaVipId: 'havip-first', SubnetId: 'subnet-a', IpAddress: '192.168.0.0', Status: 'Deleting' },
        { HaVipId: 'havip-last', SubnetId: 'subnet-a', IpAddress: '192.168.0.255', Status: 'Deleting' },
      ],
      AsyncTasks: [inProgress('at-1', 'DeleteHaVip', 'havip-first'), inProgress('at-2', 'DeleteHaVip', 'havip-last')],
    })
    const codes = (x: Snapshot, ipAddress: string) => explain(x, { action: 'CreateHaVip', subnetId: 'subnet-a', ipAddress }).map((v) => v.id)
    expect(codes(s, '192.168.0.0')).toEqual(['InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse'])
    expect(codes(s, '192.168.0.255')).toEqual(['InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse'])
    const gone = advance(s)
    expect(haVipsOf(gone)).toEqual([])
    expect(codes(gone, '192.168.0.0')).toEqual(['InvalidIpAddress.NotAvailable'])
    expect(codes(gone, '192.168.0.255')).toEqual(['InvalidIpAddress.NotAvailable'])
  })
})

describe('markToFail', () => {
  const s = lifecycle({
    AsyncTasks: [
      { AsyncTaskId: 'at-done', Action: 'CreateHaVip', ResourceId: 'havip-1', Status: 'Succeeded', StepsLeft: 0 },
      inProgress('at-1', 'CreateHaVip', 'havip-c', 3),
    ],
  })

  it('marks a task in progress, and nothing else of it', () => {
    const marked = markToFail(state(s), 'at-1')
    expect(tasksOf(marked)).toStrictEqual([tasksOf(s)[0], { ...inProgress('at-1', 'CreateHaVip', 'havip-c', 3), Fails: true }])
    expect(tasksOf(s)[1]).toStrictEqual(inProgress('at-1', 'CreateHaVip', 'havip-c', 3))
    // Marked once is enough.
    expect(markToFail(marked, 'at-1')).toBe(marked)
  })

  it('gives the same snapshot for an unknown task or one that has ended', () => {
    expect(markToFail(state(s), 'at-unknown')).toBe(s)
    expect(markToFail(state(s), 'at-done')).toBe(s)
    const ended = state(advance(s, 3))
    expect(markToFail(ended, 'at-1')).toBe(ended)
  })
})

describe('tasksInProgress', () => {
  it('lists the tasks in progress, oldest first, and nothing once they have ended', () => {
    const s = lifecycle({
      AsyncTasks: [
        inProgress('at-2', 'CreateHaVip', 'havip-c', 2),
        { AsyncTaskId: 'at-done', Action: 'CreateHaVip', ResourceId: 'havip-1', Status: 'Succeeded', StepsLeft: 0 },
        inProgress('at-1', 'ModifyHaVipAttributes', 'havip-1', 1),
      ],
    })
    expect(tasksInProgress(state(s))).toStrictEqual([inProgress('at-2', 'CreateHaVip', 'havip-c', 2), inProgress('at-1', 'ModifyHaVipAttributes', 'havip-1', 1)])
    expect(tasksInProgress(state(advance(s)))).toStrictEqual([inProgress('at-2', 'CreateHaVip', 'havip-c', 1)])
    expect(tasksInProgress(state(stepped(state(s), 2)))).toStrictEqual([])
  })
})

describe('advance', () => {
  const s = lifecycle({ AsyncTasks: [inProgress('at-1', 'CreateHaVip', 'havip-c', 2)] })

  it('takes no step for a steps that is not a whole number', () => {
    expect(advance(s, 1.5)).toBe(s)
    expect(advance(s, Number.POSITIVE_INFINITY)).toBe(s)
    expect(advance(s, Number.NaN)).toBe(s)
    expect(advance(s, -1)).toBe(s)
    expect(advance(s, 0)).toBe(s)
  })

  it('gives back what is not a snapshot as it is', () => {
    expect(advance('not a snapshot' as unknown as Snapshot, 1)).toBe('not a snapshot')
    expect(advance(undefined as unknown as Snapshot)).toBeUndefined()
  })

  it('stops once no task is in progress, however many steps are asked for', () => {
    const done = advance(s, Number.MAX_SAFE_INTEGER)
    expect(haVip(done, 'havip-c')?.Status).toBe('Available')
    expect(tasksOf(done)).toStrictEqual([{ ...inProgress('at-1', 'CreateHaVip', 'havip-c', 0), Status: 'Succeeded' }])
    expect(advance(done, Number.MAX_SAFE_INTEGER)).toBe(done)
  })
})

describe('task records and GetAsyncTaskStatus', () => {
  it('records no RequestId for a call that gave none', () => {
    const created = createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a' })
    if (E.isLeft(created)) throw new Error(created.left.message)
    const task = tasksOf(created.right.snapshot)[0]
    expect(task).toBeDefined()
    expect(Object.keys(task ?? {})).toEqual(['AsyncTaskId', 'Action', 'ResourceId', 'Status', 'StepsLeft'])
  })

  it('says which task id the ledger does not hold', () => {
    const r = getAsyncTaskStatus(lifecycle(), { action: 'GetAsyncTaskStatus', asyncTaskId: 'at-x' })
    expect(E.isLeft(r) ? [r.left.code, r.left.facts] : r).toEqual(['InvalidAsyncTask.NotFound', 'no task at-x in the task ledger'])
  })
})

describe('the task ledger\'s bound', () => {
  const succeeded = (i: number): Task => ({ AsyncTaskId: `at-${String(i)}`, Action: 'ModifyHaVipAttributes', ResourceId: 'havip-1', Status: 'Succeeded', StepsLeft: 0 })
  const modify = (x: Snapshot): Snapshot => result(x, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' })).snapshot
  const ids = (x: Snapshot) => tasksOf(x).map((t) => t.AsyncTaskId)

  it('a task kept because it was in progress goes first once it has ended, and only it', () => {
    // 10,001 tasks: at-0 in progress, then at-1 … at-10000 done.
    const s = lifecycle({ AsyncTasks: [inProgress('at-0', 'ModifyHaVipAttributes', 'havip-1', 1), ...Array.from({ length: 10_000 }, (_, i) => succeeded(i + 1))] })
    const first = modify(s)
    expect(ids(first).slice(0, 2)).toEqual(['at-0', 'at-3'])
    const ended = advance(first)
    expect(taskOf(ended, 'at-0')?.Status).toBe('Succeeded')
    const second = modify(ended)
    expect(ids(second)).toHaveLength(10_000)
    expect(ids(second).slice(0, 2)).toEqual(['at-3', 'at-4'])
    expect(result(second, q('GetAsyncTaskStatus', { AsyncTaskId: 'at-0' })).status).toBe(404)
    const third = modify(second)
    expect(ids(third)).toHaveLength(10_000)
    expect(ids(third).slice(0, 2)).toEqual(['at-4', 'at-5'])
  })

  it('gives out again the id of a loaded task the ledger dropped, and skips one it still holds', () => {
    // The oldest loaded task holds the id the counter reaches second; 9,999 others fill the ledger.
    const region = snapshotToJson(lifecycle()).Region ?? 'cn-beijing'
    const counter = snapshotToJson(lifecycle()).IdCounter ?? 0
    const nextButOne = nthId(region, 'task', counter + 1)
    const s = lifecycle({ AsyncTasks: [succeeded(-1), ...Array.from({ length: 9_999 }, (_, i) => succeeded(i))].map((t, i) => (i === 0 ? { ...t, AsyncTaskId: nextButOne } : t)) })
    const first = result(s, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' }))
    expect(first.result?.AsyncTaskId).toBe(nthId(region, 'task', counter))
    // The ledger went over 10,000 and dropped its oldest: the id is free again, and given out.
    expect(taskOf(first.snapshot, nextButOne)).toBeUndefined()
    expect(result(first.snapshot, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' })).result?.AsyncTaskId).toBe(nextButOne)
    // Still held (nothing dropped yet): skipped.
    const kept = lifecycle({ AsyncTasks: [{ ...succeeded(0), AsyncTaskId: nthId(region, 'task', counter) }] })
    expect(result(kept, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' })).result?.AsyncTaskId).toBe(nthId(region, 'task', counter + 1))
  })

  it('keeps a ledger of tasks all in progress, and the new task too', () => {
    const s = lifecycle({ AsyncTasks: Array.from({ length: 10_000 }, (_, i) => inProgress(`at-${String(i)}`, 'ModifyHaVipAttributes', 'havip-1', 5)) })
    const after = result(s, q('ModifyHaVipAttributes', { HaVipId: 'havip-1' }))
    const task = after.result?.AsyncTaskId ?? ''
    expect(ids(after.snapshot)).toHaveLength(10_001)
    expect(ids(after.snapshot).at(-1)).toBe(task)
    expect(result(after.snapshot, q('GetAsyncTaskStatus', { AsyncTaskId: task })).result).toMatchObject({ AsyncTaskStatus: 'Succeeded' })
  })
})
