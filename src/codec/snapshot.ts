import * as E from 'fp-ts/lib/Either.js'
import { parseAddress, parseCidr } from '../model/address.js'
import type { AddressIndex, Subnet } from '../model/addresses.js'
import { loadAddresses } from '../model/addresses.js'
import { layered, layeredValues, unorderedLayered } from '../model/layered-map.js'
import type { AnyLedgerEntryJson, AsyncTaskJson, HaVipJson, SnapshotJson } from '../model/json.js'
import { LedgerIndex, ledgerKey } from '../model/ledger.js'
import type { Eni, Instance, TargetKey } from '../model/resources.js'
import { targetKey, vpcOf } from '../model/resources.js'
import { allTasks, loadTasks } from '../model/tasks.js'
import type { Snapshot } from '../model/snapshot.js'
import { defaultQuotas, defaultRegion, isSnapshot, SnapshotState } from '../model/snapshot.js'
import type { Problem } from './problems.js'
import { childPath, fromValidationErrors, problemText } from './problems.js'
import type { DecodedSnapshot } from './snapshot-codec.js'
import { SnapshotCodec } from './snapshot-codec.js'
import { unknownTopLevelKeys } from './top-level-keys.js'

/** Why a snapshot did not load: every problem, each at its JSON path. */
export interface SnapshotError {
  readonly problems: ReadonlyArray<Problem>
  /** The problems, one a line, ready to print. */
  readonly message: string
}

const snapshotError = (problems: ReadonlyArray<Problem>): SnapshotError => ({
  problems,
  message: problems.map(problemText).join('\n'),
})

/**
 * Loads a snapshot (docs/snapshot.md): checks its shape, then its consistency, and builds the indexes
 * every request reads, so that no request scans a list.
 *
 * The snapshot shares the JSON's objects and never writes to them.
 */
export const loadSnapshot = (json: unknown): E.Either<SnapshotError, Snapshot> => {
  const unknownKeys = typeof json === 'object' && json !== null && !Array.isArray(json) ? unknownTopLevelKeys(json) : []
  // `is` allocates nothing; the error-collecting `decode` runs only on a snapshot that fails it.
  const decoded = SnapshotCodec.is(json) ? E.right(json) : SnapshotCodec.decode(json)
  if (E.isLeft(decoded)) return E.left(snapshotError([...unknownKeys, ...fromValidationErrors(decoded.left)]))
  const problems: Array<Problem> = [...unknownKeys]
  const snapshot = index(decoded.right, (path, message) => problems.push({ path, message }))
  return problems.length === 0 ? E.right(snapshot) : E.left(snapshotError(problems))
}

type Report = (path: string, message: string) => void

const index = (json: DecodedSnapshot, report: Report): SnapshotState => {
  const instances = indexInstances(json.Instances ?? [], report)
  const enis = indexEnis(json.NetworkInterfaces ?? [], report)
  const subnets = indexSubnets(json.Subnets ?? [], report)
  const { haVips, bindingCounts, perVpc } = indexHaVips(json.HaVips ?? [], instances, enis, subnets, report)
  return new SnapshotState({
    region: json.Region ?? defaultRegion,
    quotas: { ...defaultQuotas, ...json.Quotas },
    haVips: layered(haVips),
    haVipCount: haVips.size,
    haVipsPerVpc: unorderedLayered(perVpc),
    instances: layered(instances),
    enis: layered(enis),
    bindingCounts: unorderedLayered(bindingCounts),
    ledger: layered(indexLedger(json.ClientTokens ?? [], report)),
    subnets,
    routeEntryOf: indexRouteEntries(json.RouteEntries ?? [], report),
    addresses: indexAddresses(json, subnets),
    tasks: loadTasks(indexTasks(json.AsyncTasks ?? [], report)),
    idCounter: json.IdCounter ?? 0,
    asyncSteps: json.AsyncSteps ?? 0,
    changed: false,
    source: json,
  })
}

/** How a list's items are identified: the key, and where and how a repeated one is reported. */
interface Identity<J> {
  readonly listPath: string
  readonly keyOf: (item: J) => string
  /** The path (below the item's) and the words for a repeated key. */
  readonly repeated: (item: J) => readonly [field: string | undefined, what: string]
}

const idField = <J>(listPath: string, field: string, idOf: (item: J) => string): Identity<J> => ({
  listPath,
  keyOf: idOf,
  repeated: (item) => [field, `the id ${JSON.stringify(idOf(item))}`],
})

/**
 * Builds a map by key, reporting a repeated key at its path and keeping the first. An item whose
 * value is refused has been reported, so the load fails whatever the map holds; it is remembered
 * only to tell its repeats apart. Where each key first appears is worked out only for a list that
 * repeats one: an index of a million keys is too much to hold for the few lists that need it.
 */
const byId = <J, V>(
  list: ReadonlyArray<J>,
  { listPath, keyOf, repeated }: Identity<J>,
  toValue: (item: J, path: string) => V | undefined,
  report: Report,
  map: ReadonlyMap<string, V> & { set: (id: string, value: V) => unknown } = new Map<string, V>(),
): ReadonlyMap<string, V> => {
  const refused = new Set<string>()
  let firstAt: Map<string, number> | undefined
  const firstOf = (id: string): number => {
    if (firstAt === undefined) {
      firstAt = new Map<string, number>()
      // Backwards, so that the first place of each key is the one left.
      for (let i = list.length - 1; i >= 0; i--) firstAt.set(keyOf(list[i] as J), i)
    }
    return firstAt.get(id) ?? -1
  }
  list.forEach((item, i) => {
    const id = keyOf(item)
    const path = childPath(listPath, i)
    if (map.has(id) || refused.has(id)) {
      const [field, what] = repeated(item)
      report(field === undefined ? path : childPath(path, field), `repeats ${what} of ${childPath(listPath, firstOf(id))}`)
      return
    }
    const value = toValue(item, path)
    if (value === undefined) refused.add(id)
    else map.set(id, value)
  })
  return map
}

const indexInstances = (list: NonNullable<DecodedSnapshot['Instances']>, report: Report): ReadonlyMap<string, Instance> =>
  byId(
    list,
    idField('Instances', 'InstanceId', (i) => i.InstanceId),
    (i, path): Instance | undefined => {
      const primary = i.NetworkInterfaces.find((n) => n.Type === 'primary')
      if (primary === undefined) {
        report(childPath(path, 'NetworkInterfaces'), 'has no interface with Type "primary", so the instance has no subnet')
        return undefined
      }
      return { type: 'EcsInstance', id: i.InstanceId, status: i.Status, subnetId: primary.SubnetId }
    },
    report,
  )

const indexEnis = (list: NonNullable<DecodedSnapshot['NetworkInterfaces']>, report: Report): ReadonlyMap<string, Eni> =>
  byId(
    list,
    idField('NetworkInterfaces', 'NetworkInterfaceId', (n) => n.NetworkInterfaceId),
    (n): Eni => ({
      type: 'NetworkInterface',
      id: n.NetworkInterfaceId,
      status: n.Status,
      subnetId: n.SubnetId,
      deviceId: n.DeviceId ?? '',
      serviceManaged: n.ServiceManaged ?? false,
    }),
    report,
  )

const indexHaVips = (
  list: ReadonlyArray<HaVipJson>,
  instances: ReadonlyMap<string, Instance>,
  enis: ReadonlyMap<string, Eni>,
  subnets: ReadonlyMap<string, Subnet>,
  report: Report,
) => {
  const bindingCounts = new Map<TargetKey, number>()
  const perVpc = new Map<string, number>()
  const haVips = byId(list, idField('HaVips', 'HaVipId', (h) => h.HaVipId), (h, path) => {
    checkTargets(h, path, instances, enis, report).forEach((key) => bindingCounts.set(key, (bindingCounts.get(key) ?? 0) + 1))
    const vpc = vpcOf(h, subnets)
    if (vpc !== undefined) perVpc.set(vpc, (perVpc.get(vpc) ?? 0) + 1)
    return h
  }, report)
  return { haVips, bindingCounts, perVpc }
}

const indexSubnets = (list: NonNullable<DecodedSnapshot['Subnets']>, report: Report): ReadonlyMap<string, Subnet> =>
  byId(list, idField('Subnets', 'SubnetId', (n) => n.SubnetId), (n): Subnet | undefined => {
    // The codec checked the block.
    const cidr = parseCidr(n.CidrBlock)
    return cidr === undefined ? undefined : { id: n.SubnetId, vpcId: n.VpcId, status: n.Status === undefined || n.Status === '' ? 'Available' : n.Status, cidr }
  }, report)

/** The first route entry whose next hop is each HaVip: what DeleteHaVip reads. */
const indexRouteEntries = (list: NonNullable<DecodedSnapshot['RouteEntries']>, report: Report): ReadonlyMap<string, string> => {
  const entries = byId(list, idField('RouteEntries', 'RouteEntryId', (r) => r.RouteEntryId), (r) => r, report)
  const byNextHop = new Map<string, string>()
  for (const r of entries.values()) {
    if (r.NextHopType === 'HaVip' && !byNextHop.has(r.NextHopId)) byNextHop.set(r.NextHopId, r.RouteEntryId)
  }
  return byNextHop
}

const indexTasks = (list: ReadonlyArray<AsyncTaskJson>, report: Report): ReadonlyMap<string, AsyncTaskJson> =>
  byId(list, idField('AsyncTasks', 'AsyncTaskId', (t) => t.AsyncTaskId), (t) => t, report)

/**
 * The addresses in use in each listed subnet (docs/snapshot.md): the HaVips', every instance
 * interface's and ENI's primary address, and the ENIs' other private addresses. A snapshot without
 * subnets indexes nothing: no HaVip can be created in it.
 */
const indexAddresses = (json: DecodedSnapshot, subnets: ReadonlyMap<string, Subnet>): AddressIndex => {
  const uses = new Map<string, Array<number>>()
  const use = (subnetId: string, text: string | undefined): void => {
    const subnet = subnets.get(subnetId)
    // The codec let through only dotted quads and "" (no address), which does not parse.
    const address = parseAddress(text ?? '')
    if (subnet === undefined || address === undefined || address < subnet.cidr.first || address > subnet.cidr.last) return
    const list = uses.get(subnetId)
    if (list === undefined) uses.set(subnetId, [address])
    else list.push(address)
  }
  if (subnets.size > 0) {
    for (const h of json.HaVips ?? []) use(h.SubnetId, h.IpAddress)
    for (const i of json.Instances ?? []) for (const n of i.NetworkInterfaces) use(n.SubnetId, n.PrimaryIpAddress)
    for (const n of json.NetworkInterfaces ?? []) {
      use(n.SubnetId, n.PrimaryIpAddress)
      for (const p of n.PrivateIpSets?.PrivateIpSet ?? []) use(n.SubnetId, p.PrivateIpAddress)
    }
  }
  return loadAddresses(uses)
}

/** Reports what is wrong with a HaVip's target list; returns the keys of its valid targets. */
const checkTargets = (
  h: HaVipJson,
  path: string,
  instances: ReadonlyMap<string, Instance>,
  enis: ReadonlyMap<string, Eni>,
  report: Report,
): ReadonlyArray<TargetKey> => {
  const ids = h.AssociatedInstanceIds ?? []
  const type = h.AssociatedInstanceType
  if (ids.length === 0) return []
  if (type === undefined || type === '') {
    report(childPath(path, 'AssociatedInstanceType'), 'is needed: AssociatedInstanceIds lists targets')
    return []
  }
  const known: ReadonlyMap<string, unknown> = type === 'EcsInstance' ? instances : enis
  const seen = new Set<string>()
  const keys: Array<TargetKey> = []
  ids.forEach((id, i) => {
    const idPath = childPath(childPath(path, 'AssociatedInstanceIds'), i)
    if (seen.has(id)) report(idPath, `lists ${JSON.stringify(id)} twice`)
    else if (!known.has(id))
      report(idPath, `${JSON.stringify(id)} is not in ${type === 'EcsInstance' ? 'Instances' : 'NetworkInterfaces'}`)
    else keys.push(targetKey(type, id))
    seen.add(id)
  })
  return keys
}

const indexLedger = (list: ReadonlyArray<AnyLedgerEntryJson>, report: Report): ReadonlyMap<string, AnyLedgerEntryJson> =>
  byId(list, {
    listPath: 'ClientTokens',
    keyOf: (e) => ledgerKey(e.Action, e.ClientToken),
    repeated: (e) => [undefined, `Action ${JSON.stringify(e.Action)} + ClientToken ${JSON.stringify(e.ClientToken)}`],
  }, (e) => e, report, new LedgerIndex())

/**
 * The snapshot as JSON: the loaded object with every field in its place and order, the lists and
 * counters requests change brought up to date, so that `loadSnapshot` of it gives the same state.
 * A snapshot no request changed gives back the very object it was loaded from. (Untyped code that
 * passes something else gets `undefined`.)
 */
export const snapshotToJson = (s: Snapshot): SnapshotJson => {
  // The type promises a snapshot; only untyped callers can break it, and they get nothing back.
  if (!isSnapshot(s)) return undefined as unknown as SnapshotJson
  if (!s.changed) return s.source
  // fromEntries defines own properties, so a field named "__proto__" stays a field.
  return Object.fromEntries(snapshotEntries(s).map((e) => [e.key, 'items' in e ? [...e.items()] : e.value] as const))
}

/** A top-level entry of a snapshot's JSON: a value, or a list requests change, read lazily. */
export type SnapshotEntry =
  | { readonly key: string; readonly value: unknown }
  | { readonly key: string; readonly items: () => Iterable<unknown> }

/**
 * The snapshot's JSON as top-level entries in their order, without building the lists that
 * requests change: a writer can stream a snapshot of any size, and a snapshot, being immutable,
 * can be written while requests go on making new ones. A key requests gave a value that the
 * loaded object did not have comes last.
 */
export const snapshotEntries = (s: SnapshotState): ReadonlyArray<SnapshotEntry> => {
  const owned: ReadonlyArray<readonly [key: string, entry: SnapshotEntry, added: boolean]> = [
    ['HaVips', { key: 'HaVips', items: () => layeredValues(s.haVips) }, s.haVipCount > 0],
    ['ClientTokens', { key: 'ClientTokens', items: () => layeredValues(s.ledger) }, s.ledger.overlay.size > 0],
    ['AsyncTasks', { key: 'AsyncTasks', items: () => allTasks(s.tasks) }, s.tasks.size > 0],
    ['IdCounter', { key: 'IdCounter', value: s.idCounter }, s.idCounter > 0],
    ['AsyncSteps', { key: 'AsyncSteps', value: s.asyncSteps }, s.asyncSteps > 0],
  ]
  const byKey = new Map(owned.map(([key, entry]) => [key, entry]))
  // A key that holds undefined (a snapshot given as an object) is not in its JSON.
  const present = Object.entries(s.source).filter(([, value]) => value !== undefined)
  const entries = present.map(([key, value]): SnapshotEntry => byKey.get(key) ?? { key, value })
  const had = new Set(present.map(([key]) => key))
  return [...entries, ...owned.filter(([key, , added]) => added && !had.has(key)).map(([, entry]) => entry)]
}
