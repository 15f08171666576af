import { OrderedMap } from 'immutable'

/**
 * A persistent map made of a large native `Map` built once at load (never written again) and a
 * small persistent overlay holding what requests changed since.
 *
 * Why: a persistent hash map over a million entries costs several cache misses and copied nodes
 * per write; a native map cannot be shared between versions. Reads and writes here cost a native
 * lookup plus an overlay operation whose size grows with the number of requests applied, never
 * with the size of the snapshot. The overlay is ordered so that appended entries keep their order.
 */
export interface LayeredMap<K, V> {
  readonly base: ReadonlyMap<K, V>
  readonly overlay: OrderedMap<K, V>
}

export const layered = <K, V>(base: ReadonlyMap<K, V>): LayeredMap<K, V> => ({ base, overlay: OrderedMap() })

// Values are never `undefined`, so `??` tells "absent from the overlay" apart.
export const lookup = <K, V>(m: LayeredMap<K, V>, key: K): V | undefined => m.overlay.get(key) ?? m.base.get(key)

export const assign = <K, V>(m: LayeredMap<K, V>, key: K, value: V): LayeredMap<K, V> => ({
  base: m.base,
  overlay: m.overlay.set(key, value),
})

/** Every value, base entries first in their order, then new keys in the order they were added. */
export function* layeredValues<K, V>(m: LayeredMap<K, V>): Generator<V> {
  for (const [key, value] of m.base) yield m.overlay.get(key) ?? value
  for (const [key, value] of m.overlay) if (!m.base.has(key)) yield value
}

/** How many keys, base and new. */
export const layeredSize = <K, V>(m: LayeredMap<K, V>): number => {
  let added = 0
  for (const key of m.overlay.keys()) if (!m.base.has(key)) added++
  return m.base.size + added
}
