import * as E from 'fp-ts/lib/Either.js'
import { Immer } from 'immer'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { parseAddress } from '../model/address.js'
import { changeUse } from '../model/addresses.js'
import type { AsyncTaskJson, HaVipJson } from '../model/json.js'
import { assign, lookup, unassign } from '../model/layered-map.js'
import type { GetAsyncTaskStatusRequest, WriteAction } from '../model/request.js'
import { boundIds, boundType, targetKey, vpcOf } from '../model/resources.js'
import type { Snapshot, SnapshotState } from '../model/snapshot.js'
import { isSnapshot, withChanges } from '../model/snapshot.js'
import { findTask, recordTask, updateTask } from '../model/tasks.js'
import { issueId } from './ids.js'

const { produce } = new Immer({ autoFreeze: false })

/**
 * Records the task of a successful write (docs/rules.md, "Tasks"): `Succeeded` at once in the
 * synchronous mode, `InProgress` for `AsyncSteps` steps in the asynchronous one.
 */
export const withTask = (s: SnapshotState, action: WriteAction, resourceId: string, requestId: string | undefined): { readonly snapshot: SnapshotState; readonly taskId: string } => {
  const { id, idCounter } = issueId(s, 'task')
  const inProgress = s.asyncSteps > 0
  const task: AsyncTaskJson = {
    AsyncTaskId: id,
    Action: action,
    ResourceId: resourceId,
    Status: inProgress ? 'InProgress' : 'Succeeded',
    ...(requestId === undefined ? {} : { RequestId: requestId }),
    StepsLeft: inProgress ? s.asyncSteps : 0,
  }
  return { snapshot: withChanges(s, { tasks: recordTask(s.tasks, task), idCounter }), taskId: id }
}

/** The targets a leaving HaVip held no longer count it (a snapshot may hold a `Deleting` HaVip that is still bound). */
const releaseTargets = (counts: SnapshotState['bindingCounts'], h: HaVipJson): SnapshotState['bindingCounts'] => {
  const type = boundType(h)
  if (type === undefined) return counts
  let released = counts
  for (const id of boundIds(h)) {
    const key = targetKey(type, id)
    released = assign(released, key, (lookup(released, key) ?? 1) - 1)
  }
  return released
}

/** A HaVip leaves the snapshot: its place, its address, its VPC's count and its targets' counts go with it. */
export const removeHaVip = (s: SnapshotState, h: HaVipJson): SnapshotState => {
  const vpc = vpcOf(h, s.subnets)
  const address = parseAddress(h.IpAddress ?? '')
  const subnet = s.subnets.get(h.SubnetId)
  const inBlock = address !== undefined && subnet !== undefined && address >= subnet.cidr.first && address <= subnet.cidr.last
  return withChanges(s, {
    haVips: unassign(s.haVips, h.HaVipId),
    haVipCount: s.haVipCount - 1,
    haVipsPerVpc: vpc === undefined ? s.haVipsPerVpc : assign(s.haVipsPerVpc, vpc, (lookup(s.haVipsPerVpc, vpc) ?? 1) - 1),
    addresses: inBlock ? changeUse(s.addresses, h.SubnetId, address, -1) : s.addresses,
    bindingCounts: releaseTargets(s.bindingCounts, h),
  })
}

/** What a task's completion changes: a HaVip being created is Available, one being deleted leaves; binds, unbinds and renames were final at once. */
const complete = (s: SnapshotState, task: AsyncTaskJson): SnapshotState => {
  const h = task.ResourceId === undefined ? undefined : lookup(s.haVips, task.ResourceId)
  if (h === undefined) return s
  if (task.Action === 'CreateHaVip' && h.Status === 'Creating') {
    return withChanges(s, { haVips: assign(s.haVips, h.HaVipId, produce(h, (d) => { d.Status = 'Available' })) })
  }
  return task.Action === 'DeleteHaVip' && h.Status === 'Deleting' ? removeHaVip(s, h) : s
}

/**
 * What a task marked to fail undoes when it ends: a HaVip being created leaves, one being deleted
 * is Available again, in its place.
 */
const undo = (s: SnapshotState, task: AsyncTaskJson): SnapshotState => {
  const h = task.ResourceId === undefined ? undefined : lookup(s.haVips, task.ResourceId)
  if (h === undefined) return s
  if (task.Action === 'CreateHaVip' && h.Status === 'Creating') return removeHaVip(s, h)
  return task.Action === 'DeleteHaVip' && h.Status === 'Deleting'
    ? withChanges(s, { haVips: assign(s.haVips, h.HaVipId, produce(h, (d) => { d.Status = 'Available' })) })
    : s
}

/** Whether a task was marked to fail (`Fails: true`, by a `fail-task` fault rule of havip serve). */
const fails = (task: AsyncTaskJson): boolean => task.Fails === true

/**
 * One step: one off every task in progress, oldest first; a task at 0 has succeeded and its change
 * completes — or, marked to fail, has failed and its change is undone. Touches only tasks in progress.
 */
const step = (s: SnapshotState): SnapshotState => {
  let next = s
  for (const id of s.tasks.inProgress) {
    const task = findTask(next.tasks, id)
    if (task === undefined) continue
    const left = (task.StepsLeft ?? 0) - 1
    if (left > 0) {
      next = withChanges(next, { tasks: updateTask(next.tasks, { ...task, StepsLeft: left }) })
    } else {
      const ended = withChanges(next, { tasks: updateTask(next.tasks, { ...task, Status: fails(task) ? 'Failed' : 'Succeeded', StepsLeft: 0 }) })
      next = fails(task) ? undo(ended, task) : complete(ended, task)
    }
  }
  return next
}

/**
 * Marks a task in progress to fail when it ends (`Fails: true`): what havip serve's `fail-task`
 * fault rule does to the task of the request it fires on. The same snapshot when there is no such
 * task in progress.
 */
export const markToFail = (s: SnapshotState, taskId: string): SnapshotState => {
  const task = findTask(s.tasks, taskId)
  return task === undefined || task.Status !== 'InProgress' || fails(task) ? s : withChanges(s, { tasks: updateTask(s.tasks, { ...task, Fails: true }) })
}

/** The tasks still in progress, oldest first. */
export const tasksInProgress = (s: SnapshotState): ReadonlyArray<AsyncTaskJson> =>
  [...s.tasks.inProgress].flatMap((id) => findTask(s.tasks, id) ?? [])

/** `steps` steps (at most as many as it takes to finish every task in progress); the same snapshot when nothing is in progress. */
export const stepped = (s: SnapshotState, steps: number): SnapshotState => {
  let next = s
  for (let i = 0; i < steps && next.tasks.inProgress.size > 0; i++) next = step(next)
  return next
}

/**
 * Moves the tasks in progress on by `steps` steps (default 1), as that many reads in the
 * asynchronous mode would (docs/rules.md, "Tasks and the asynchronous mode"), whatever the
 * snapshot's mode. Pure: the snapshot given is not changed. A `steps` that is not a whole number ≥ 0
 * takes no step; something that is not a snapshot comes back as it is.
 */
export const advance = (snapshot: Snapshot, steps = 1): Snapshot =>
  isSnapshot(snapshot) && Number.isSafeInteger(steps) ? stepped(snapshot, steps) : snapshot

/** GetAsyncTaskStatus's answer besides the RequestId. */
export interface TaskStatus {
  readonly AsyncTaskId: string
  /** `InProgress`, `Succeeded` or `Failed`. */
  readonly AsyncTaskStatus: string
}

/** GetAsyncTaskStatus (docs/rules.md): the task's status, or `InvalidAsyncTask.NotFound` for an id the ledger does not hold. */
export const taskStatus = (s: SnapshotState, r: GetAsyncTaskStatusRequest): E.Either<ApiError, TaskStatus> => {
  const task = findTask(s.tasks, r.asyncTaskId)
  return task === undefined
    ? E.left(apiError('InvalidAsyncTask.NotFound', `no task ${r.asyncTaskId} in the task ledger`))
    : E.right({ AsyncTaskId: task.AsyncTaskId, AsyncTaskStatus: task.Status })
}
