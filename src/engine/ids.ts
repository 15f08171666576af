import { createHash } from 'node:crypto'
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
  `${prefixes[kind]}${createHash('sha256').update(`${region}/${kind}/${String(n)}`).digest('hex').slice(0, 20)}`

const taken = (s: SnapshotState, kind: IdKind, id: string): boolean =>
  kind === 'havip' ? lookup(s.haVips, id) !== undefined : findTask(s.tasks, id) !== undefined

/** The next free id of its kind, and the counter after it: an id that already exists is skipped. */
export const issueId = (s: SnapshotState, kind: IdKind): { readonly id: string; readonly idCounter: number } => {
  let n = s.idCounter
  let id = nthId(s.region, kind, n)
  while (taken(s, kind, id)) id = nthId(s.region, kind, ++n)
  return { id, idCounter: n + 1 }
}
