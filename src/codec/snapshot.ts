import * as E from 'fp-ts/lib/Either.js'
import { layered, layeredValues, lookup } from '../model/layered-map.js'
import type { LedgerEntryJson } from '../model/json.js'
import { ledgerKey } from '../model/ledger.js'
import type { HaVipJson } from '../model/json.js'
import type { Eni, Instance, TargetKey } from '../model/resources.js'
import { targetKey } from '../model/resources.js'
import type { SnapshotJson } from '../model/json.js'
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
  const { haVips, haVipOrder, bindingCounts } = indexHaVips(json.HaVips ?? [], instances, enis, report)
  const ledger = indexLedger(json.ClientTokens ?? [], report)
  return new SnapshotState(json.Region ?? defaultRegion, { ...defaultQuotas, ...json.Quotas }, layered(haVips), haVipOrder,
    layered(instances), layered(enis), layered(bindingCounts), layered(ledger), json)
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

/** Builds a map by key, reporting a repeated key at its path and keeping the first. */
const byId = <J, V>(
  list: ReadonlyArray<J>,
  { listPath, keyOf, repeated }: Identity<J>,
  toValue: (item: J, path: string) => V | undefined,
  report: Report,
): Map<string, V> => {
  const map = new Map<string, V>()
  const firstAt = new Map<string, number>()
  list.forEach((item, i) => {
    const id = keyOf(item)
    const path = childPath(listPath, i)
    const first = firstAt.get(id)
    if (first !== undefined) {
      const [field, what] = repeated(item)
      report(field === undefined ? path : childPath(path, field), `repeats ${what} of ${childPath(listPath, first)}`)
      return
    }
    firstAt.set(id, i)
    const value = toValue(item, path)
    if (value !== undefined) map.set(id, value)
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
  report: Report,
) => {
  const bindingCounts = new Map<TargetKey, number>()
  const haVips = byId(list, idField('HaVips', 'HaVipId', (h) => h.HaVipId), (h, path) => {
    checkTargets(h, path, instances, enis, report).forEach((key) => bindingCounts.set(key, (bindingCounts.get(key) ?? 0) + 1))
    return h
  }, report)
  return { haVips, haVipOrder: [...haVips.keys()], bindingCounts }
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

const indexLedger = (list: ReadonlyArray<LedgerEntryJson>, report: Report): ReadonlyMap<string, LedgerEntryJson> =>
  byId(list, {
    listPath: 'ClientTokens',
    keyOf: (e) => ledgerKey(e.Action, e.ClientToken),
    repeated: (e) => [undefined, `Action ${JSON.stringify(e.Action)} + ClientToken ${JSON.stringify(e.ClientToken)}`],
  }, (e) => e, report)

/**
 * The snapshot as JSON: the loaded object with every field in its place and order, HaVips and
 * ClientTokens brought up to date, so that `loadSnapshot` of it gives the same state. A snapshot no
 * request changed gives back the very object it was loaded from. (Untyped code that passes
 * something else gets `undefined`.)
 */
export const snapshotToJson = (s: Snapshot): SnapshotJson => {
  // The type promises a snapshot; only untyped callers can break it, and they get nothing back.
  if (!isSnapshot(s)) return undefined as unknown as SnapshotJson
  if (s.haVips.overlay.size === 0 && s.ledger.overlay.size === 0) return s.source
  // fromEntries defines own properties, so a field named "__proto__" stays a field.
  return Object.fromEntries(snapshotEntries(s).map((e) => [e.key, 'items' in e ? [...e.items()] : e.value] as const))
}

/** A top-level entry of a snapshot's JSON: a value as loaded, or a list requests change, read lazily. */
export type SnapshotEntry =
  | { readonly key: string; readonly value: unknown }
  | { readonly key: 'HaVips' | 'ClientTokens'; readonly items: () => Iterable<unknown> }

/**
 * The snapshot's JSON as top-level entries in their order, without building the lists that
 * requests change: a writer can stream a snapshot of any size, and a snapshot, being immutable,
 * can be written while requests go on making new ones.
 */
export const snapshotEntries = (s: SnapshotState): ReadonlyArray<SnapshotEntry> => {
  const haVips = function* (): Iterable<unknown> {
    for (const id of s.haVipOrder) yield lookup(s.haVips, id)
  }
  const ledger = (): Iterable<unknown> => layeredValues(s.ledger)
  // A key that holds undefined (a snapshot given as an object) is not in its JSON.
  const entries = Object.entries(s.source).filter(([, value]) => value !== undefined).map(([key, value]): SnapshotEntry =>
    key === 'HaVips' ? { key, items: haVips } : key === 'ClientTokens' ? { key, items: ledger } : { key, value })
  const ledgerAdded = s.source.ClientTokens === undefined && s.ledger.overlay.size > 0
  return ledgerAdded ? [...entries, { key: 'ClientTokens', items: ledger }] : entries
}
