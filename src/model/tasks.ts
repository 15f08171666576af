import { List, OrderedSet } from 'immutable'
import type { LayeredMap } from './layered-map.js'
import { assign, lookup, unassign, unorderedLayered } from './layered-map.js'
import type { AsyncTaskJson } from './json.js'

/** The task ledger keeps at most this many tasks (more only while they are in progress). */
export const maxTasks = 10_000

export const isInProgress = (t: AsyncTaskJson): boolean => t.Status === 'InProgress'

/**
 * The task ledger: tasks by id, their order, and which are in progress. Dropping the oldest
 * finished task costs O(1) amortised: the order is a queue whose head is dropped, and a task still
 * in progress at the head moves to `held`, the few in-progress tasks older than the whole queue.
 */
export interface TaskLedger {
  readonly byId: LayeredMap<string, AsyncTaskJson>
  /** Tasks older than every queued one, kept because they were in progress when they reached the head. */
  readonly held: List<string>
  readonly queue: List<string>
  /** The tasks in progress, oldest first: what a step touches. */
  readonly inProgress: OrderedSet<string>
  readonly size: number
}

/** The ledger of the tasks a snapshot lists (ids already checked unique). */
export const loadTasks = (byId: ReadonlyMap<string, AsyncTaskJson>): TaskLedger => ({
  byId: unorderedLayered(byId),
  held: List(),
  queue: List(byId.keys()),
  inProgress: OrderedSet([...byId.values()].filter(isInProgress).map((t) => t.AsyncTaskId)),
  size: byId.size,
})

export const findTask = (l: TaskLedger, id: string): AsyncTaskJson | undefined => lookup(l.byId, id)

/** A task's new state (same id); it leaves the in-progress index when it is done. */
export const updateTask = (l: TaskLedger, task: AsyncTaskJson): TaskLedger => ({
  ...l,
  byId: assign(l.byId, task.AsyncTaskId, task),
  inProgress: isInProgress(task) ? l.inProgress : l.inProgress.delete(task.AsyncTaskId),
})

/** Drops the oldest finished task; undefined when every task but `keep` is in progress. */
const dropOldest = (l: TaskLedger, keep: string): TaskLedger | undefined => {
  // Held tasks are older than every queued one: one of them that has finished goes first.
  const held = l.held.findIndex((id) => !l.inProgress.has(id))
  if (held !== -1) return { ...l, byId: unassign(l.byId, l.held.get(held) ?? ''), held: l.held.delete(held), size: l.size - 1 }
  let { held: heldIds, queue } = l
  for (let head = queue.first(); head !== undefined && head !== keep; head = queue.first()) {
    queue = queue.shift()
    if (l.inProgress.size === 0 || !l.inProgress.has(head)) return { ...l, byId: unassign(l.byId, head), held: heldIds, queue, size: l.size - 1 }
    heldIds = heldIds.push(head)
  }
  return undefined
}

/** Records a new task, then drops the oldest finished ones until at most `maxTasks` remain (never one in progress, never this one). */
export const recordTask = (l: TaskLedger, task: AsyncTaskJson): TaskLedger => {
  let next: TaskLedger = {
    byId: assign(l.byId, task.AsyncTaskId, task),
    held: l.held,
    queue: l.queue.push(task.AsyncTaskId),
    inProgress: isInProgress(task) ? l.inProgress.add(task.AsyncTaskId) : l.inProgress,
    size: l.size + 1,
  }
  while (next.size > maxTasks) {
    const dropped = dropOldest(next, task.AsyncTaskId)
    if (dropped === undefined) break
    next = dropped
  }
  return next
}

/** Every task, oldest first. */
export function* allTasks(l: TaskLedger): Generator<AsyncTaskJson> {
  for (const id of l.held) {
    const t = lookup(l.byId, id)
    if (t !== undefined) yield t
  }
  for (const id of l.queue) {
    const t = lookup(l.byId, id)
    if (t !== undefined) yield t
  }
}
