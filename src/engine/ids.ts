import { hash } from 'node:crypto'
import { lookup } from '../model/layered-map.js'
import type { SnapshotState } from '../model/snapshot.js'
import { findTask } from '../model/tasks.js'

/** What an id is for: a HaVip (`havip-…`) or a task (`at-…`). */
export type IdKind = 'havip' | 'task'

const prefixes: Readonly<Record<IdKind, string>> = { havip: 'havip-', task: 'at-' }

/**
 * The n-th id of a region (docs/rules.md, "Ids"): the prefix, then the first 20 hex digits of
 * SHA-256 of `<Region>/<kind>/<n>`. Deterministic, so that two implementations and two runs agree.
 */
export const nthId = (region: string, kind: IdKind, n: number): string =>
  // The one-shot form: a quarter of a Hash object's cost, and every write issues a task id.
  `${prefixes[kind]}${hash('sha256', `${region}/${kind}/${String(n)}`, 'hex').slice(0, 20)}`

// A task id issued since the load is never issued again (the counter only grows), so only a
// loaded task can hold the next one: the ledger's persistent part, dearer to ask, is asked only then.
const taken = (s: SnapshotState, kind: IdKind, id: string): boolean =>
  kind === 'havip' ? lookup(s.haVips, id) !== undefined : s.tasks.byId.base.has(id) && findTask(s.tasks, id) !== undefined

/** The next free id of its kind, and the counter after it: an id that already exists is skipped. */
export const issueId = (s: SnapshotState, kind: IdKind): { readonly id: string; readonly idCounter: number } => {
  let n = s.idCounter
  let id = nthId(s.region, kind, n)
  while (taken(s, kind, id)) id = nthId(s.region, kind, ++n)
  return { id, idCounter: n + 1 }
}
