import { Map as PersistentMap, OrderedMap } from 'immutable'

/** What the overlay holds for a key the requests removed. */
const removed: unique symbol = Symbol('removed')
type Slot<V> = V | typeof removed

/**
 * A persistent map made of a large native `Map` built once at load (never written again) and a
 * small persistent overlay holding what requests changed since.
 *
 * Why: a persistent hash map over a million entries costs several cache misses and copied nodes
 * per write; a native map cannot be shared between versions. Reads and writes here cost a native
 * lookup plus an overlay operation whose size grows with the number of requests applied, never
 * with the size of the snapshot. The overlay of a map that is listed (`layered`) is ordered, so
 * that appended entries keep their order; a removed key stays in it as a mark, so that removing
 * costs what adding does.
 */
export interface LayeredMap<K, V> {
  readonly base: ReadonlyMap<K, V>
  readonly overlay: PersistentMap<K, Slot<V>>
}

/** A layered map whose new keys are listed in the order they were added (`layeredValues`). */
export const layered = <K, V>(base: ReadonlyMap<K, V>): LayeredMap<K, V> => ({ base, overlay: OrderedMap() })

/**
 * A layered map that is only looked up, never listed: its overlay keeps no order, so a write
 * spares the list an ordered overlay updates beside its map. For the counts and the task ledger,
 * written by every change.
 */
export const unorderedLayered = <K, V>(base: ReadonlyMap<K, V>): LayeredMap<K, V> => ({ base, overlay: PersistentMap() })

// Values are never `undefined`, so `??` tells "absent from the overlay" apart.
export const lookup = <K, V>(m: LayeredMap<K, V>, key: K): V | undefined => {
  const slot = m.overlay.get(key)
  return slot === removed ? undefined : slot ?? m.base.get(key)
}

export const assign = <K, V>(m: LayeredMap<K, V>, key: K, value: V): LayeredMap<K, V> => ({
  base: m.base,
  overlay: m.overlay.set(key, value),
})

/** The map without `key`. A key added since load leaves the overlay; one of the base is marked removed. */
export const unassign = <K, V>(m: LayeredMap<K, V>, key: K): LayeredMap<K, V> => ({
  base: m.base,
  overlay: m.base.has(key) ? m.overlay.set(key, removed) : m.overlay.delete(key),
})

/** Every value, base entries first in their order, then new keys in the order they were added. */
export function* layeredValues<K, V>(m: LayeredMap<K, V>): Generator<V> {
  for (const [key, value] of m.base) {
    const slot = m.overlay.get(key)
    if (slot !== removed) yield slot ?? value
  }
  for (const [key, slot] of m.overlay) if (slot !== removed && !m.base.has(key)) yield slot
}

/** How many keys, base and new, less the removed ones. */
export const layeredSize = <K, V>(m: LayeredMap<K, V>): number => {
  let size = m.base.size
  for (const [key, slot] of m.overlay) {
    if (slot === removed) size--
    else if (!m.base.has(key)) size++
  }
  return size
}
