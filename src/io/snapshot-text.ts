import type { SnapshotEntry } from '../codec/snapshot.js'
import { snapshotEntries } from '../codec/snapshot.js'
import type { SnapshotState } from '../model/snapshot.js'

const chunkSize = 1 << 16

// `JSON.stringify(value, null, 2)` of a value nested `depth` levels down.
const indented = (value: unknown, depth: number): string =>
  JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`)

// The lists, a resource at a time; any other value at once.
const itemsOf = (entry: SnapshotEntry): Iterable<unknown> | undefined =>
  'items' in entry ? entry.items() : Array.isArray(entry.value) ? (entry.value as ReadonlyArray<unknown>) : undefined

function* entryText(entry: SnapshotEntry, last: boolean): Generator<string> {
  const comma = last ? '' : ','
  const items = itemsOf(entry)
  if (items === undefined) {
    yield `  ${JSON.stringify(entry.key)}: ${indented('value' in entry ? entry.value : null, 1)}${comma}\n`
    return
  }
  let first = true
  for (const item of items) {
    yield `${first ? `  ${JSON.stringify(entry.key)}: [\n` : ',\n'}    ${indented(item, 2)}`
    first = false
  }
  yield first ? `  ${JSON.stringify(entry.key)}: []${comma}\n` : `\n  ]${comma}\n`
}

/**
 * A snapshot as the text `havip` saves: exactly `JSON.stringify(snapshotToJson(s), null, 2)` and a
 * newline, made one resource at a time and handed out in pieces of about 64 KiB, so that no single
 * string grows with the snapshot (V8 caps a string near 512 MiB).
 */
export function* snapshotText(s: SnapshotState): Generator<string> {
  const entries = snapshotEntries(s)
  if (entries.length === 0) {
    yield '{}\n'
    return
  }
  let pending = '{\n'
  for (const [i, entry] of entries.entries()) {
    for (const piece of entryText(entry, i === entries.length - 1)) {
      pending += piece
      if (pending.length >= chunkSize) {
        yield pending
        pending = ''
      }
    }
  }
  yield `${pending}}\n`
}
