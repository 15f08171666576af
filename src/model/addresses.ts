import { Map as IMap, Set as ISet } from 'immutable'
import type { Cidr } from './address.js'

/** A subnet, reduced at load to what the rules read. */
export interface Subnet {
  readonly id: string
  readonly vpcId: string
  /** `Available` unless the snapshot says otherwise. */
  readonly status: string
  readonly cidr: Cidr
}

/** The addresses in use in one subnet at load: inside its block, sorted, each once; and how many users the shared ones have. */
export interface LoadedAddresses {
  readonly sorted: Uint32Array
  readonly shared: ReadonlyMap<number, number>
}

/** What requests changed in one subnet's addresses since load. */
export interface AddressChanges {
  /** Users added (positive) or removed (negative), by address. */
  readonly delta: IMap<number, number>
  /** Addresses in use at load that no longer are. */
  readonly freed: ISet<number>
  /** Every free address of the block is at or above this one (0: not known): the search for a free one starts here. */
  readonly floor: number
}

/**
 * Which addresses are in use, per subnet: sorted arrays built once at load, and the changes since in
 * a small persistent map. Finding the lowest free address is a binary search for the first gap of
 * the loaded array, from a floor below which everything is known to be taken, so it never walks
 * the block from its start.
 */
export interface AddressIndex {
  readonly loaded: ReadonlyMap<string, LoadedAddresses>
  readonly changes: IMap<string, AddressChanges>
}

const none: LoadedAddresses = { sorted: new Uint32Array(0), shared: new Map() }
const unchanged: AddressChanges = { delta: IMap(), freed: ISet(), floor: 0 }

/** The first index whose address is at least `v`. */
const lowerBound = (sorted: Uint32Array, v: number): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

const loadedCount = (l: LoadedAddresses, address: number): number => {
  const i = lowerBound(l.sorted, address)
  return l.sorted[i] === address ? l.shared.get(address) ?? 1 : 0
}

/**
 * The lowest address from `v` on that was not in use at load. The addresses from index `k` on run
 * without a gap while `sorted[j] - j` stays `v - k`; that difference never falls, so the first
 * gap is found by binary search.
 */
const nextLoadedGap = (sorted: Uint32Array, v: number): number => {
  const k = lowerBound(sorted, v)
  // When v is free, sorted[k] - k already exceeds v - k: the search ends at k.
  let lo = k
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) - mid === v - k) lo = mid + 1
    else hi = mid
  }
  return v + (lo - k)
}

/** How many resources use the address in the subnet. */
export const useCount = (index: AddressIndex, subnetId: string, address: number): number =>
  loadedCount(index.loaded.get(subnetId) ?? none, address) + (index.changes.get(subnetId)?.delta.get(address) ?? 0)

/** One more (`+1`) or one fewer (`-1`) user of an address. */
export const changeUse = (index: AddressIndex, subnetId: string, address: number, by: 1 | -1): AddressIndex => {
  const loaded = loadedCount(index.loaded.get(subnetId) ?? none, address)
  const before = index.changes.get(subnetId) ?? unchanged
  const delta = (before.delta.get(address) ?? 0) + by
  const now = loaded + delta
  const changes: AddressChanges = {
    delta: delta === 0 ? before.delta.delete(address) : before.delta.set(address, delta),
    freed: loaded > 0 && now === 0 ? before.freed.add(address) : before.freed.delete(address),
    // An address given back may be the lowest free one; one taken was free, so at or above the floor
    // already; a shared one still in use only lowers the floor, which stays a bound. 0: not known yet.
    floor: Math.min(before.floor, address),
  }
  return { loaded: index.loaded, changes: index.changes.set(subnetId, changes) }
}

/** The lowest free address of the subnet: inside its block, not reserved, not in use; undefined when there is none. */
export const lowestFree = (index: AddressIndex, subnet: Subnet): number | undefined => {
  const lo = subnet.cidr.first + 2
  const hi = subnet.cidr.last - 1
  const loaded = index.loaded.get(subnet.id) ?? none
  const changes = index.changes.get(subnet.id) ?? unchanged
  let x = Math.max(lo, changes.floor)
  // Never in use at load, and not taken since; the changes hold only what requests added.
  for (;;) {
    x = nextLoadedGap(loaded.sorted, x)
    if ((changes.delta.get(x) ?? 0) <= 0) break
    x += 1
  }
  let best = x
  for (const f of changes.freed) if (f >= lo) best = Math.min(best, f)
  return best <= hi ? best : undefined
}

/** After the lowest free address was taken: everything below the next one is in use. */
export const raiseFloor = (index: AddressIndex, subnetId: string, taken: number): AddressIndex =>
  ({ loaded: index.loaded, changes: index.changes.set(subnetId, { ...(index.changes.get(subnetId) ?? unchanged), floor: taken + 1 }) })

/** Builds the loaded index from every (subnet, address) pair in use. */
export const loadAddresses = (uses: ReadonlyMap<string, ReadonlyArray<number>>): AddressIndex => {
  const loaded = new Map<string, LoadedAddresses>()
  for (const [subnetId, addresses] of uses) {
    const all = Uint32Array.from(addresses).sort()
    const shared = new Map<number, number>()
    let n = 0
    // Compacts in place: each write lands at or before the element being read.
    for (const a of all) {
      if (all[n - 1] === a) shared.set(a, (shared.get(a) ?? 1) + 1)
      else all[n++] = a
    }
    loaded.set(subnetId, { sorted: all.slice(0, n), shared })
  }
  return { loaded, changes: IMap() }
}
