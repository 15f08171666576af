import fc from 'fast-check'
import type { HaVipJson, InstanceJson, LedgerEntryJson, NetworkInterfaceJson, Quotas, SnapshotJson } from '../model/json.js'

/**
 * fast-check arbitraries for havip-rules: consistent snapshots (as the JSON a user would load)
 * and the requests to send them, aimed mostly at things that exist, so that every rule and every
 * error of the catalogue is reached, success included.
 */

/** Request parameters, as an object of strings (what `handle` and `decodeRequest` take). */
export type RequestParams = Readonly<Record<string, string>>

// Ids that are also names of Object.prototype members, mixed in to catch prototype-keyed lookups.
const instanceIds = (count: number): ReadonlyArray<string> =>
  ['__proto__', 'constructor', ...Array.from({ length: Math.max(count - 2, 0) }, (_, i) => `i-${String(i + 1)}`)]
const eniIds = ['eni-1', 'eni-2', 'eni-3', 'eni-4', 'eni-5', 'toString', 'hasOwnProperty'] as const
const haVipIds = ['havip-1', 'havip-2', 'havip-3', '__proto__', 'valueOf'] as const
const tokens = ['tok-1', 'tok-2', 'tok-3'] as const

const weighted = <T>(...choices: ReadonlyArray<readonly [number, T]>): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })))

// Mostly one subnet, so that the rules after the subnet check are reached.
const subnet = weighted([10, 'subnet-a'], [1, 'subnet-b'])

const instanceStatus = weighted(
  [8, 'RUNNING'], [4, 'STOPPED'], [1, 'STARTING'], [1, 'STOPPING'], [1, 'ERROR'],
)

// Some instances list a secondary interface, in the other subnet, before the primary one.
const rawInstance = (ids: ReadonlyArray<string>) => fc.record({ id: fc.constantFrom(...ids), status: instanceStatus, subnet, secondaryFirst: weighted([5, false], [1, true]) })

const rawEni = fc.record({
  id: fc.constantFrom(...eniIds),
  subnet,
  // 'stale': Available, yet still naming the instance it was detached from.
  kind: weighted<'attached' | 'available' | 'stale' | 'moving' | 'managed'>([7, 'attached'], [1, 'available'], [1, 'stale'], [1, 'moving'], [1, 'managed']),
  device: fc.nat(),
  movingStatus: fc.constantFrom('Attaching', 'Detaching', 'Creating', 'Deleting'),
})

const rawHaVip = (maxPicks: number) => fc.record({
  id: fc.constantFrom(...haVipIds),
  subnet,
  type: fc.constantFrom('EcsInstance' as const, 'NetworkInterface' as const),
  picks: fc.array(fc.nat(), { maxLength: maxPicks }),
  // Some HaVips start at their quota or one below it, so that one request reaches the limit.
  fill: weighted<'picks' | 'full' | 'almost'>([4, 'picks'], [1, 'full'], [1, 'almost']),
  status: weighted<'derived' | 'Creating' | 'Deleting'>([10, 'derived'], [1, 'Creating'], [1, 'Deleting']),
  supportsAssociation: weighted<boolean | undefined>([12, undefined], [1, false]),
  // Some name a MasterInstanceId among their targets; some emptied ones keep their old type.
  master: weighted<number | undefined>([3, undefined], [1, 0], [1, 1]),
  staleType: weighted([4, false], [1, true]),
  // For DescribeHaVips' filters: a project, and tags from a small set, so that they repeat.
  project: fc.constantFrom('default', 'web'),
  tags: fc.uniqueArray(fc.record({ Key: fc.constantFrom('env', 'team'), Value: fc.constantFrom('prod', 'test', '') }), { selector: (t) => t.Key, maxLength: 2 }),
})

const rawLedgerEntry = fc.record({
  action: weighted([3, 'AssociateHaVip'], [1, 'DisassociateHaVip']),
  token: fc.constantFrom(...tokens),
  status: weighted<'Succeeded' | 'InProgress'>([3, 'Succeeded'], [1, 'InProgress']),
  haVip: fc.nat(),
  instance: fc.nat(),
  type: weighted<'EcsInstance' | 'NetworkInterface' | undefined>([3, 'EcsInstance'], [1, 'NetworkInterface'], [1, undefined]),
  requestId: weighted([4, true], [1, false]),
})

const pick = <T>(items: ReadonlyArray<T>, n: number): T | undefined => items[n % Math.max(items.length, 1)]

type RawInstance = ReturnType<typeof rawInstance> extends fc.Arbitrary<infer T> ? T : never
type RawEni = typeof rawEni extends fc.Arbitrary<infer T> ? T : never
type RawHaVip = ReturnType<typeof rawHaVip> extends fc.Arbitrary<infer T> ? T : never
type RawLedgerEntry = typeof rawLedgerEntry extends fc.Arbitrary<infer T> ? T : never

const otherSubnet = (s: string): string => (s === 'subnet-a' ? 'subnet-b' : 'subnet-a')

const buildInstance = (r: RawInstance): InstanceJson => {
  const primary = { NetworkInterfaceId: `eni-primary-${r.id}`, SubnetId: r.subnet, Type: 'primary' }
  return {
    InstanceId: r.id,
    Status: r.status,
    VpcId: 'vpc-1',
    NetworkInterfaces: r.secondaryFirst ? [{ NetworkInterfaceId: `eni-second-${r.id}`, SubnetId: otherSubnet(r.subnet), Type: 'secondary' }, primary] : [primary],
  }
}

const subnetOf = (x: InstanceJson): string => x.NetworkInterfaces.find((n) => n.Type === 'primary')?.SubnetId ?? ''

const buildEni = (instances: ReadonlyArray<InstanceJson>) => (r: RawEni): NetworkInterfaceJson => {
    // Few instances carry ENIs, so that two ENIs of one instance are common.
  const device = r.kind === 'attached' || r.kind === 'moving' || r.kind === 'stale' ? (pick(instances.slice(0, 2), r.device)?.InstanceId ?? '') : ''
  return {
    NetworkInterfaceId: r.id,
    SubnetId: r.subnet,
    VpcId: 'vpc-1',
    Status: r.kind === 'moving' || (r.kind === 'managed' && r.device % 3 === 0) ? r.movingStatus : r.kind === 'stale' || device === '' ? 'Available' : 'InUse',
    Type: 'secondary',
    DeviceId: device,
    ServiceManaged: r.kind === 'managed',
  }
}

/**
 * Binds each HaVip to the targets its picks point at, keeping every invariant the vendor
 * enforces: one type, one subnet, at most the quotas, no service-managed or unattached ENI, no two
 * ENIs of one instance.
 */
const buildHaVips = (
  raws: ReadonlyArray<RawHaVip>,
  instances: ReadonlyArray<InstanceJson>,
  enis: ReadonlyArray<NetworkInterfaceJson>,
  quotas: Quotas,
): ReadonlyArray<HaVipJson> => {
  const counts = new Map<string, number>()
  return raws.map((r, i) => {
    const candidates: ReadonlyArray<{ id: string; subnet: string; device?: string }> = r.type === 'EcsInstance'
      ? instances.map((x) => ({ id: x.InstanceId, subnet: subnetOf(x) }))
      // Only an attached ENI is InUse, and never a service-managed one.
      : enis.filter((e) => e.Status === 'InUse')
        .map((e) => ({ id: e.NetworkInterfaceId, subnet: e.SubnetId, device: e.DeviceId }))
    const chosen: Array<{ id: string; device?: string }> = []
    const wanted = r.fill === 'almost' ? quotas.InstancesPerHaVip - 1 : quotas.InstancesPerHaVip
    for (const c of r.fill === 'picks' ? r.picks.map((n) => pick(candidates, n)) : candidates) {
      if (c === undefined || chosen.length >= wanted) break
      const key = `${r.type}:${c.id}`
      if (c.subnet !== r.subnet || chosen.some((x) => x.id === c.id || (c.device !== undefined && x.device === c.device))) continue
      if ((counts.get(key) ?? 0) >= quotas.HaVipsPerInstance) continue
      counts.set(key, (counts.get(key) ?? 0) + 1)
      chosen.push(c)
    }
    return {
      HaVipId: r.id,
      HaVipName: `ha-${String(i % 2)}`,
      SubnetId: r.subnet,
      VpcId: 'vpc-1',
      IpAddress: `192.168.0.${String(10 + i)}`,
      Status: r.status !== 'derived' ? r.status : chosen.length > 0 ? 'InUse' : 'Available',
      AssociatedInstanceType: chosen.length > 0 || r.staleType ? r.type : '',
      AssociatedInstanceIds: chosen.map((c) => c.id),
      ...(r.master === undefined ? {} : { MasterInstanceId: chosen[r.master]?.id ?? '' }),
      ...(r.supportsAssociation === undefined ? {} : { SupportsAssociation: r.supportsAssociation }),
      ProjectName: r.project,
      ...(r.tags.length === 0 ? {} : { Tags: r.tags }),
    }
  })
}

const buildLedger = (raws: ReadonlyArray<RawLedgerEntry>, haVips: ReadonlyArray<HaVipJson>, instances: ReadonlyArray<InstanceJson>) =>
  raws.map((r, i): LedgerEntryJson => ({
    Action: r.action,
    ClientToken: r.token,
    Status: r.status,
    ...(r.requestId ? { RequestId: `req-ledger-${String(i)}` } : {}),
    Parameters: {
      HaVipId: pick(haVips, r.haVip)?.HaVipId ?? 'havip-1',
      ...(r.type === undefined ? {} : { InstanceType: r.type }),
      InstanceId: pick(instances, r.instance)?.InstanceId ?? 'i-1',
    },
  }))

export interface SnapshotOptions {
  /** Between this many (default 1) and `maxInstances` (default 6) ECS instances. */
  readonly minInstances?: number
  readonly maxInstances?: number
  /** At most this many HaVips (default 4, at most 5). */
  readonly maxHaVips?: number
  /** The quotas; by default small ones (1–4 targets per HaVip, 1–3 HaVips per target), so that both limits are reached. */
  readonly quotas?: fc.Arbitrary<Quotas>
}

const smallQuotas = fc.record({ InstancesPerHaVip: fc.integer({ min: 1, max: 4 }), HaVipsPerInstance: fc.integer({ min: 1, max: 3 }) })

/** A snapshot that loads, whose bindings respect every rule, shaped like the vendor's Describe output. */
export const snapshotArbitrary = (
  { minInstances = 1, maxInstances = 6, maxHaVips = 4, quotas = smallQuotas }: SnapshotOptions = {},
): fc.Arbitrary<SnapshotJson> =>
  fc.record({
    instances: fc.uniqueArray(rawInstance(instanceIds(maxInstances)), { selector: (r) => r.id, minLength: minInstances, maxLength: maxInstances }),
    enis: fc.uniqueArray(rawEni, { selector: (r) => r.id, minLength: 1, maxLength: 6 }),
    haVips: fc.uniqueArray(rawHaVip(Math.max(maxInstances, 6)), { selector: (r) => r.id, minLength: 1, maxLength: maxHaVips }),
    ledger: fc.uniqueArray(rawLedgerEntry, { selector: (r) => `${r.action} ${r.token}`, maxLength: 3 }),
    quotas,
    region: weighted([5, 'cn-beijing'], [1, 'ap-southeast-1']),
  }).map(({ instances: ri, enis: re, haVips: rh, ledger: rl, quotas, region }) => {
    const instances = ri.map(buildInstance)
    const enis = re.map(buildEni(instances))
    const haVips = buildHaVips(rh, instances, enis, quotas)
    return {
      Region: region,
      HaVips: haVips,
      Instances: instances,
      NetworkInterfaces: enis,
      Quotas: quotas,
      ClientTokens: buildLedger(rl, haVips, instances),
    }
  })

const rawRequest = fc.record({
  action: weighted([2, 'AssociateHaVip'], [1, 'DisassociateHaVip']),
  unknownHaVip: weighted([15, false], [1, true]),
  haVipPick: fc.nat(),
  instanceType: weighted<'EcsInstance' | 'NetworkInterface' | undefined>([2, 'EcsInstance'], [2, 'NetworkInterface'], [1, undefined]),
  // 'fits': in the HaVip's subnet and not yet bound to it, so that bindings pile up to the limits.
  target: weighted<'bound' | 'fits' | 'any' | 'unknown'>([5, 'bound'], [5, 'fits'], [4, 'any'], [1, 'unknown']),
  targetPick: fc.nat(),
  // A few tokens that collide with each other and with the ledger; the rest fresh.
  token: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...tokens) },
    { weight: 2, arbitrary: fc.nat(9999).map((n) => `tok-${String(n)}`) },
  ),
})

/** What a gateway refuses before any rule: missing or malformed parameters. */
const malformations: ReadonlyArray<(p: RequestParams) => RequestParams> = [
  ({ Action: _, ...rest }) => rest,
  ({ Version: _, ...rest }) => rest,
  (p) => ({ ...p, Version: '2019-01-01' }),
  // An action nobody serves (DeleteHaVip, once used here, is served now).
  (p) => ({ ...p, Action: 'UpdateHaVip' }),
  ({ HaVipId: _, ...rest }) => rest,
  ({ InstanceId: _, ...rest }) => rest,
  (p) => ({ ...p, InstanceType: 'ecsinstance' }),
  (p) => ({ ...p, ClientToken: 'x'.repeat(65) }),
  (p) => ({ ...p, ClientToken: 'jeton-é' }),
]

/**
 * AssociateHaVip and DisassociateHaVip requests for a snapshot: mostly well formed and naming
 * what exists (Disassociate often a bound target), sometimes unknown ids or malformed parameters.
 */
export const requestArbitrary = (s: SnapshotJson): fc.Arbitrary<RequestParams> =>
  fc.tuple(rawRequest, fc.oneof(
    { weight: 50, arbitrary: fc.constant((p: RequestParams) => p) },
    // About one request in seven is malformed, each malformation as likely as the others.
    { weight: malformations.length, arbitrary: fc.constantFrom(...malformations) },
  ))
    .map(([r, malform]) => {
      const haVip = r.unknownHaVip ? undefined : pick(s.HaVips ?? [], r.haVipPick)
      const type = r.instanceType ?? 'EcsInstance'
      const all = type === 'EcsInstance' ? (s.Instances ?? []).map((i) => i.InstanceId) : (s.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId)
      const bound = haVip?.AssociatedInstanceType === type ? haVip.AssociatedInstanceIds ?? [] : []
      const fits = type === 'EcsInstance'
        ? (s.Instances ?? []).filter((i) => subnetOf(i) === haVip?.SubnetId).map((i) => i.InstanceId)
        : (s.NetworkInterfaces ?? []).filter((n) => n.SubnetId === haVip?.SubnetId).map((n) => n.NetworkInterfaceId)
      const chosen = r.target === 'bound' ? pick(bound, r.targetPick) : r.target === 'fits' ? pick(fits.filter((id) => !bound.includes(id)), r.targetPick) : undefined
      const instanceId = r.target === 'unknown' ? 'i-unknown' : chosen ?? pick(all, r.targetPick) ?? 'i-unknown'
      return malform({
        Action: r.action,
        Version: '2020-04-01',
        HaVipId: haVip?.HaVipId ?? 'havip-unknown',
        InstanceId: instanceId,
        ...(r.instanceType === undefined ? {} : { InstanceType: r.instanceType }),
        ...(r.token === undefined ? {} : { ClientToken: r.token }),
      })
    })

/** A snapshot and a sequence of requests for it. */
export const scenarioArbitrary = (maxRequests = 8): fc.Arbitrary<{ snapshot: SnapshotJson; requests: ReadonlyArray<RequestParams> }> =>
  snapshotArbitrary().chain((snapshot) =>
    fc.array(requestArbitrary(snapshot), { minLength: 1, maxLength: maxRequests }).map((requests) => ({ snapshot, requests })))
