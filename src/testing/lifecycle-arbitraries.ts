import { createHash } from 'node:crypto'
import fc from 'fast-check'
import type {
  AnyLedgerEntryJson, AsyncTaskJson, HaVipJson, InstanceJson, NetworkInterfaceJson, RouteEntryJson, SnapshotJson, SubnetJson, TagJson,
} from '../model/json.js'
import type { RequestParams, SnapshotOptions } from './arbitraries.js'
import { requestArbitrary, snapshotArbitrary } from './arbitraries.js'

/**
 * fast-check arbitraries for a HaVip's whole life: snapshots with small subnets (addresses run
 * out), addresses in use, HaVips held by an EIP or a route entry, VPCs and regions at or near their
 * quota, tasks in progress, ids about to be issued, and synchronous or asynchronous mode; and
 * sequences mixing every action, often breaking several rules at once.
 */

const weighted = <T>(...choices: ReadonlyArray<readonly [number, fc.Arbitrary<T>]>): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })))
const one = <T>(...values: ReadonlyArray<T>): fc.Arbitrary<T> => fc.constantFrom(...values)
const pick = <T>(items: ReadonlyArray<T>, n: number): T | undefined => items[n % Math.max(items.length, 1)]

/** The id the counter's `n` gives (documented: `havip-` or `at-` and 20 hex digits of SHA-256 of `<Region>/<kind>/<n>`). */
export const issuedId = (region: string, kind: 'havip' | 'task', n: number): string =>
  `${kind === 'havip' ? 'havip-' : 'at-'}${createHash('sha256').update(`${region}/${kind}/${String(n)}`, 'utf8').digest('hex').slice(0, 20)}`

const toNumber = (quad: string): number => quad.split('.').reduce((n, part) => n * 256 + Number(part), 0)
const toQuad = (n: number): string => [24, 16, 8, 0].map((shift) => String(Math.floor(n / 2 ** shift) % 256)).join('.')

/** A block's addresses: its first and last, and those a HaVip may take (all but the first, the second and the last). */
const blockOf = (cidr: string): { first: number; last: number; usable: ReadonlyArray<number> } => {
  const [ip = '0.0.0.0', bits = '32'] = cidr.split('/')
  const first = toNumber(ip)
  const last = first + 2 ** (32 - Number(bits)) - 1
  return { first, last, usable: Array.from({ length: Math.max(last - first - 2, 0) }, (_, k) => first + 2 + k) }
}

// Small blocks, so that a few Creates use a subnet up: a /29 holds 5 free addresses, a /30 one, a /31 or /32 none.
const rawSubnets = fc.record({
  a: weighted([3, one('192.168.0.0/28')], [3, one('192.168.0.0/29')], [1, one('192.168.0.0/27')]),
  b: weighted([3, one('192.168.0.64/29')], [2, one('192.168.0.64/28')], [1, one('192.168.0.64/30')]),
  bListed: weighted([6, one(true)], [1, one(false)]),
  bVpc: weighted([2, one('vpc-1')], [1, one('vpc-2')]),
  bStatus: weighted<string | undefined>([3, one(undefined)], [2, one('Available')], [2, one('Pending')]),
  c: weighted([2, one('10.0.0.0/29')], [2, one('10.0.0.0/30')], [1, one('10.0.0.0/31')], [1, one('10.0.0.0/32')], [1, one('10.0.0.0/28')]),
  cListed: weighted([4, one(true)], [1, one(false)]),
  cStatus: weighted([3, one('Available')], [1, one('Pending')]),
})

const rawLife = fc.record({
  subnets: rawSubnets,
  // Per resource: the lowest free address, any free one, or none.
  addresses: fc.array(fc.tuple(weighted<'lowest' | 'any' | 'none'>([2, one('lowest')], [4, one('any')], [1, one('none')]), fc.nat()), { minLength: 40, maxLength: 40 }),
  privates: fc.array(fc.nat(2), { minLength: 8, maxLength: 8 }),
  // An address listed in use at a reserved place (the gateway's, say): only then are C5 and C6 broken together.
  reservedInUse: weighted([2, one(false)], [1, one(true)]),
  haVipVpc: fc.array(weighted<'own' | 'subnet' | 'other'>([3, one('own')], [2, one('subnet')], [1, one('other')]), { minLength: 6, maxLength: 6 }),
  eips: fc.array(weighted([3, one(false)], [1, one(true)]), { minLength: 6, maxLength: 6 }),
  routes: fc.array(fc.record({ hop: weighted<'havip' | 'gone' | 'instance'>([4, one('havip')], [1, one('gone')], [1, one('instance')]), pick: fc.nat() }), { maxLength: 3 }),
  perVpc: weighted<number | undefined>([2, fc.nat(2)], [1, one(undefined)]),
  perRegion: weighted<number | undefined>([3, fc.nat(3)], [1, one(undefined)]),
  asyncSteps: weighted([3, one(0)], [2, one(1)], [1, one(2)], [1, one(3)]),
  idCounter: weighted([3, one(0)], [1, fc.integer({ min: 1, max: 5 })]),
  // A HaVip or a task already holding the id the counter issues next: it must be skipped.
  collision: weighted<'none' | 'havip' | 'task'>([4, one('none')], [1, one('havip')], [1, one('task')]),
  finished: fc.array(fc.record({
    action: one('CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'AssociateHaVip', 'DisassociateHaVip'),
    status: weighted([4, one('Succeeded')], [1, one('Failed')]),
    pick: fc.nat(),
  }), { maxLength: 3 }),
  stepsLeft: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
  // Creating and Deleting HaVips mostly have their task in progress.
  withTask: fc.array(weighted([3, one(true)], [1, one(false)]), { minLength: 6, maxLength: 6 }),
  bindingTask: weighted([2, one(false)], [1, one(true)]),
  creates: fc.array(fc.record({
    token: one('tok-1', 'tok-c1', 'tok-c2'),
    status: weighted<'Succeeded' | 'InProgress'>([4, one('Succeeded')], [1, one('InProgress')]),
    subnet: one('subnet-a', 'subnet-b'),
    ip: weighted([2, one(false)], [1, one(true)]),
    name: weighted<string | undefined>([2, one(undefined)], [1, one('web')]),
    tags: weighted<ReadonlyArray<TagJson> | undefined>([3, one(undefined)], [1, one([{ Key: 'env', Value: 'prod' }])]),
    pick: fc.nat(),
    task: weighted([3, one(true)], [1, one(false)]),
  }), { maxLength: 2 }),
  ledgerTask: fc.array(weighted([2, one(true)], [1, one(false)]), { minLength: 3, maxLength: 3 }),
})

type RawLife = typeof rawLife extends fc.Arbitrary<infer T> ? T : never

/** What a lifecycle snapshot adds to a binding one. */
const withLife = (base: SnapshotJson, r: RawLife): SnapshotJson => {
  const region = base.Region ?? 'cn-beijing'
  const counter = r.idCounter
  const subnets: Array<SubnetJson> = [
    { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: r.subnets.a, ZoneId: 'cn-beijing-a' },
    ...(r.subnets.bListed ? [{ SubnetId: 'subnet-b', VpcId: r.subnets.bVpc, CidrBlock: r.subnets.b, ...(r.subnets.bStatus === undefined ? {} : { Status: r.subnets.bStatus }) }] : []),
    ...(r.subnets.cListed ? [{ SubnetId: 'subnet-c', VpcId: 'vpc-2', CidrBlock: r.subnets.c, Status: r.subnets.cStatus }] : []),
  ]
  const cidrs = new Map([['subnet-a', r.subnets.a], ['subnet-b', r.subnets.b], ['subnet-c', r.subnets.c]])
  // The free addresses of each subnet, taken as resources claim them.
  const free = new Map([...cidrs].map(([id, cidr]) => [id, [...blockOf(cidr).usable]]))
  let draw = 0
  const claim = (subnetId: string): string | undefined => {
    const [how, n] = r.addresses[draw++ % r.addresses.length] ?? ['any', 0]
    const pool = free.get(subnetId) ?? []
    if (how === 'none' || pool.length === 0) return undefined
    const [address = 0] = pool.splice(how === 'lowest' ? 0 : n % pool.length, 1)
    return toQuad(address)
  }

  const haVipList: Array<HaVipJson> = [...(base.HaVips ?? [])]
  // The HaVip id the counter gives next, already taken: the Create skips it.
  if (r.collision === 'havip') haVipList.push({ HaVipId: issuedId(region, 'havip', counter), SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })
  const haVips = haVipList.map((h, i): HaVipJson => {
    const { IpAddress: _, VpcId: __, ...rest } = h
    const address = claim(h.SubnetId)
    const vpc = r.haVipVpc[i % r.haVipVpc.length]
    return {
      ...rest,
      ...(vpc === 'own' ? { VpcId: 'vpc-1' } : vpc === 'other' ? { VpcId: 'vpc-2' } : {}),
      IpAddress: address ?? '',
      ...(r.eips[i % r.eips.length] === true ? { AssociatedEipId: `eip-${String(i + 1)}`, AssociatedEipAddress: `203.0.113.${String(i + 1)}` } : {}),
    }
  })
  const instances = (base.Instances ?? []).map((x): InstanceJson => ({
    ...x,
    NetworkInterfaces: x.NetworkInterfaces.map((n) => {
      const address = claim(n.SubnetId)
      return address === undefined ? n : { ...n, PrimaryIpAddress: address }
    }),
  }))
  const enis = (base.NetworkInterfaces ?? []).map((e, i): NetworkInterfaceJson => {
    const primary = claim(e.SubnetId)
    const privates = Array.from({ length: r.privates[i % r.privates.length] ?? 0 }, () => claim(e.SubnetId)).filter((x) => x !== undefined)
    return {
      ...e,
      ...(primary === undefined ? {} : { PrimaryIpAddress: primary }),
      ...(privates.length === 0 ? {} : { PrivateIpSets: { PrivateIpSet: privates.map((p) => ({ PrivateIpAddress: p, Primary: false })) } }),
    }
  })
  // Preferably in subnet-a, where most Creates go.
  const holder = Math.max(enis.findIndex((e) => e.SubnetId === 'subnet-a'), 0)
  const held = enis[holder]
  if (r.reservedInUse && held !== undefined) {
    const gateway = toQuad(blockOf(cidrs.get(held.SubnetId) ?? '0.0.0.0/32').first + 1)
    enis[holder] = { ...held, PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: gateway, Primary: false }] } }
  }

  const routes = r.routes.map((x, k): RouteEntryJson => ({
    RouteEntryId: `rte-${String(k + 1)}`,
    RouteTableId: 'vtb-1',
    DestinationCidrBlock: `172.16.${String(k)}.0/24`,
    NextHopType: x.hop === 'instance' ? 'Instance' : 'HaVip',
    NextHopId: x.hop === 'havip' ? (pick(haVips, x.pick)?.HaVipId ?? 'havip-gone') : x.hop === 'gone' ? 'havip-gone' : (pick(instances, x.pick)?.InstanceId ?? 'i-1'),
  }))

  const tasks: Array<AsyncTaskJson> = r.finished.map((t, k) => ({
    AsyncTaskId: `at-old-${String(k + 1)}`, Action: t.action, ResourceId: pick(haVips, t.pick)?.HaVipId ?? 'havip-gone', Status: t.status, RequestId: `req-old-${String(k + 1)}`, StepsLeft: 0,
  }))
  for (const [i, h] of haVips.entries()) {
    const action = h.Status === 'Creating' ? 'CreateHaVip' : h.Status === 'Deleting' ? 'DeleteHaVip' : r.bindingTask && h.Status === 'InUse' ? 'AssociateHaVip' : undefined
    if (action === undefined || r.withTask[i % r.withTask.length] !== true) continue
    tasks.push({ AsyncTaskId: `at-run-${String(i + 1)}`, Action: action, ResourceId: h.HaVipId, Status: 'InProgress', RequestId: `req-run-${String(i + 1)}`, StepsLeft: r.stepsLeft[i % r.stepsLeft.length] ?? 1 })
  }
  // The task id the counter gives next (a binding's), or the one after (a Create's), already taken.
  if (r.collision === 'task') tasks.push({ AsyncTaskId: issuedId(region, 'task', counter), Action: 'ModifyHaVipAttributes', ResourceId: 'havip-gone', Status: 'Succeeded', StepsLeft: 0 })

  const bindingLedger = (base.ClientTokens ?? []).map((e, k): AnyLedgerEntryJson => (r.ledgerTask[k % r.ledgerTask.length] === true && tasks[0] !== undefined ? { ...e, AsyncTaskId: tasks[0].AsyncTaskId } : e))
  const createLedger = r.creates
    .filter((c, k, all) => all.findIndex((x) => x.token === c.token) === k)
    .map((c): AnyLedgerEntryJson => {
      const made = pick(haVips, c.pick)
      return {
        Action: 'CreateHaVip', ClientToken: c.token, Status: c.status, RequestId: `req-create-${c.token}`,
        Parameters: {
          SubnetId: c.subnet, ...(c.ip && made?.IpAddress ? { IpAddress: made.IpAddress } : {}),
          ...(c.name === undefined ? {} : { HaVipName: c.name }), ...(c.tags === undefined ? {} : { Tags: c.tags }),
        },
        Result: { HaVipId: made?.HaVipId ?? 'havip-gone', IpAddress: made?.IpAddress || '192.168.0.2', ...(c.task && tasks[0] !== undefined ? { AsyncTaskId: tasks[0].AsyncTaskId } : {}) },
      }
    })

  const inVpc1 = haVips.filter((h) => (h.VpcId ?? (h.SubnetId === 'subnet-a' ? 'vpc-1' : h.SubnetId === 'subnet-b' && r.subnets.bListed ? r.subnets.bVpc : '')) === 'vpc-1').length
  return {
    ...base,
    HaVips: haVips,
    Instances: instances,
    NetworkInterfaces: enis,
    Quotas: {
      ...base.Quotas,
      ...(r.perVpc === undefined ? {} : { HaVipsPerVpc: Math.max(inVpc1 + r.perVpc, 1) }),
      ...(r.perRegion === undefined ? {} : { HaVipsPerRegion: Math.max(haVips.length + r.perRegion, 1) }),
    },
    ClientTokens: [...bindingLedger, ...createLedger],
    Subnets: subnets,
    RouteEntries: routes,
    AsyncTasks: tasks,
    IdCounter: counter,
    AsyncSteps: r.asyncSteps,
  }
}

/**
 * A snapshot that loads, for the whole life of a HaVip: the binding snapshot of
 * `snapshotArbitrary(options)` with small subnets, addresses in use, EIPs and route entries on
 * some HaVips, quotas at or near their counts, tasks, and synchronous or asynchronous mode.
 */
export const lifecycleSnapshotArbitrary = (options: SnapshotOptions = {}): fc.Arbitrary<SnapshotJson> =>
  fc.tuple(snapshotArbitrary(options), rawLife).map(([base, r]) => withLife(base, r))

/** The ids a sequence may meet: those of the snapshot, those the counter issues next, and unknown ones. */
const idsOf = (s: SnapshotJson) => {
  const region = s.Region ?? 'cn-beijing'
  const next = Array.from({ length: 6 }, (_, k) => (s.IdCounter ?? 0) + k)
  const haVips = s.HaVips ?? []
  const routed = new Set((s.RouteEntries ?? []).filter((e) => e.NextHopType === 'HaVip').map((e) => e.NextHopId))
  return {
    haVips: haVips.map((h) => h.HaVipId),
    // What DeleteHaVip refuses: bound, held by an EIP or a route entry, or in transition.
    held: haVips.filter((h) => h.Status !== 'Available' || (h.AssociatedInstanceIds ?? []).length > 0 || (h.AssociatedEipId ?? '') !== '' || routed.has(h.HaVipId)).map((h) => h.HaVipId),
    comingHaVips: next.map((n) => issuedId(region, 'havip', n)),
    tasks: (s.AsyncTasks ?? []).map((t) => t.AsyncTaskId),
    comingTasks: next.map((n) => issuedId(region, 'task', n)),
  }
}

const absent = fc.constant(undefined)

const nameArbitrary = weighted<string | undefined>(
  [6, absent], [3, one('web-1', '高可用.vip_1', 'A')], [1, one('a'.repeat(128), '名'.repeat(128))],
  [1, one('a'.repeat(129), '名'.repeat(129))], [1, one('-web', 'web 1', '_x', 'a/b', '')],
)
const descriptionArbitrary = weighted<string | undefined>(
  [6, absent], [3, one('primary, 主。', 'x=1 y-2', '说明')], [1, one('d'.repeat(255))],
  [1, one('d'.repeat(256))], [1, one(' lead', 'a!b', ',x', '')],
)

type Tags = ReadonlyArray<readonly [string, string]>
const tagsArbitrary = weighted<Tags>(
  [8, fc.constant([])],
  [3, fc.uniqueArray(fc.tuple(fc.constantFrom(1, 2, 3, 7), one('env', 'team', 'app'), one('prod', 'test', '')), { selector: (t) => t[0], minLength: 1, maxLength: 3 })
    .map((tags) => tags.flatMap(([n, key, value]): Tags => [[`Tags.${String(n)}.Key`, key], ...(value === '' ? [] : [[`Tags.${String(n)}.Value`, value] as const])]))],
  [1, one<Tags>([['Tags.1.Value', 'prod']], [['Tags.1.Key', 'env'], ['Tags.2.Value', 'x']])],
  [1, one<Tags>([['Tags.1.Key', 'volc:env']], [['Tags.1.Key', 'SYS:x']], [['Tags.1.Key', 'env'], ['Tags.2.Key', 'env']])],
  [1, one<Tags>([['Tags.1.Key', 'k'.repeat(129)]], [['Tags.1.Key', 'env'], ['Tags.1.Value', 'v'.repeat(257)]], [['Tags.1.Key', 'k'.repeat(128)], ['Tags.1.Value', 'v'.repeat(256)]])],
  [1, one<Tags>([['Tags.01.Key', 'env']], [['Tags.0.Key', 'env']], [['Tags.1.Key', 'env'], ['Tags.x.Key', 'team']])],
  [1, one<Tags>(Array.from({ length: 51 }, (_, k) => [`Tags.${String(k + 1)}.Key`, `k${String(k)}`] as const), Array.from({ length: 50 }, (_, k) => [`Tags.${String(k + 1)}.Key`, `k${String(k)}`] as const))],
)

/** CreateHaVip: a subnet (small, full, pending, unknown), an address (free, used, reserved, elsewhere, malformed), names, tags, tokens. */
const createArbitrary = (s: SnapshotJson): fc.Arbitrary<RequestParams> => {
  const subnets = s.Subnets ?? []
  const tokens = (s.ClientTokens ?? []).filter((t) => t.Action === 'CreateHaVip').map((t) => t.ClientToken)
  return fc.record({
    subnet: weighted<string | undefined>([8, one('subnet-a')], [3, one('subnet-b')], [3, one('subnet-c')], [1, one('subnet-missing')], [1, absent]),
    ip: weighted<'absent' | 'free' | 'used' | 'reserved' | 'elsewhere' | 'malformed'>(
      [8, one('absent')], [3, one('free')], [2, one('used')], [3, one('reserved')], [2, one('elsewhere')], [1, one('malformed')],
    ),
    ipPick: fc.nat(),
    malformedIp: one('192.168.0.01', '256.0.0.1', '1.2.3', '1.2.3.4.5', ' 1.2.3.4'),
    name: nameArbitrary,
    description: descriptionArbitrary,
    tags: tagsArbitrary,
    token: weighted<string | undefined>([6, absent], [2, tokens.length === 0 ? one('tok-c1') : one(...tokens)], [2, one('tok-c1', 'tok-c2', 'tok-c3')], [1, one('x'.repeat(65), 'jeton-é')]),
  }).map((r): RequestParams => {
    const subnet = subnets.find((x) => x.SubnetId === r.subnet) ?? subnets.find((x) => x.SubnetId !== r.subnet)
    const block = blockOf(subnet?.CidrBlock ?? '192.168.0.0/29')
    const used = [...(s.HaVips ?? []).filter((h) => h.SubnetId === subnet?.SubnetId).map((h) => h.IpAddress ?? ''),
      ...(s.NetworkInterfaces ?? []).filter((n) => n.SubnetId === subnet?.SubnetId).map((n) => n.PrimaryIpAddress ?? '')].filter((a) => a !== '')
    const free = block.usable.map(toQuad).filter((a) => !used.includes(a))
    const other = subnets.find((x) => x.SubnetId !== subnet?.SubnetId)
    const ip = r.ip === 'absent' ? undefined
      : r.ip === 'free' ? pick(free, r.ipPick) ?? toQuad(block.first + 2)
        : r.ip === 'used' ? pick(used, r.ipPick) ?? toQuad(block.first + 2)
          : r.ip === 'reserved' ? toQuad(pick([block.first + 1, block.first, block.first + 1, block.last], r.ipPick) ?? block.first)
            : r.ip === 'elsewhere' ? toQuad(blockOf(other?.CidrBlock ?? '172.16.0.0/29').first + 2)
              : r.malformedIp
    const p: Record<string, string | undefined> = {
      Action: 'CreateHaVip', Version: '2020-04-01', SubnetId: r.subnet, IpAddress: ip, HaVipName: r.name, Description: r.description, ClientToken: r.token,
    }
    return { ...Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)), ...Object.fromEntries(r.tags) }
  })
}

/** A Create ledger entry's own parameters, as a request that replays it. */
const createReplayArbitrary = (s: SnapshotJson): fc.Arbitrary<RequestParams> | undefined => {
  const entries = (s.ClientTokens ?? []).flatMap((t) => (t.Action === 'CreateHaVip' && 'SubnetId' in t.Parameters ? [{ token: t.ClientToken, p: t.Parameters }] : []))
  if (entries.length === 0) return undefined
  return fc.constantFrom(...entries).map(({ token, p }): RequestParams => ({
    Action: 'CreateHaVip', Version: '2020-04-01', SubnetId: p.SubnetId, ClientToken: token,
    ...(p.IpAddress === undefined ? {} : { IpAddress: p.IpAddress }), ...(p.HaVipName === undefined ? {} : { HaVipName: p.HaVipName }),
    ...(p.Description === undefined ? {} : { Description: p.Description }),
    ...Object.fromEntries((p.Tags ?? []).flatMap((t, k) => [[`Tags.${String(k + 1)}.Key`, t.Key], [`Tags.${String(k + 1)}.Value`, t.Value]])),
  }))
}

/** A HaVip id: of the snapshot (often one DeleteHaVip refuses), one a Create of the sequence will issue, unknown, or none. */
const haVipIdArbitrary = (s: SnapshotJson): fc.Arbitrary<string | undefined> => {
  const ids = idsOf(s)
  return weighted<string | undefined>(
    [4, ids.haVips.length === 0 ? one('havip-missing') : one(...ids.haVips)],
    [4, ids.held.length === 0 ? one(...ids.comingHaVips) : one(...ids.held)],
    [4, one(...ids.comingHaVips.slice(0, 3))],
    [1, one('havip-missing', '')], [1, absent],
  )
}

const withId = (p: Record<string, string | undefined>): RequestParams => Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined))

/**
 * The requests of a HaVip's whole life for a snapshot: CreateHaVip, DeleteHaVip,
 * ModifyHaVipAttributes, GetAsyncTaskStatus, AssociateHaVip and DisassociateHaVip (as
 * `requestArbitrary` makes them, sometimes naming a HaVip the sequence creates), DescribeHaVips,
 * and replays of the ledger's Creates; a few without Action or with a wrong Version.
 */
export const lifecycleRequestArbitrary = (s: SnapshotJson): fc.Arbitrary<RequestParams> => {
  const ids = idsOf(s)
  const replay = createReplayArbitrary(s)
  const haVipId = haVipIdArbitrary(s)
  const request = fc.oneof(
    { weight: 8, arbitrary: createArbitrary(s) },
    { weight: 4, arbitrary: haVipId.map((id) => withId({ Action: 'DeleteHaVip', Version: '2020-04-01', HaVipId: id })) },
    { weight: 3, arbitrary: fc.tuple(haVipId, nameArbitrary, descriptionArbitrary).map(([id, name, description]) => withId({ Action: 'ModifyHaVipAttributes', Version: '2020-04-01', HaVipId: id, HaVipName: name, Description: description })) },
    {
      weight: 4,
      arbitrary: weighted<string | undefined>([3, ids.tasks.length === 0 ? one(...ids.comingTasks) : one(...ids.tasks)], [4, one(...ids.comingTasks)], [1, one('at-missing', '')], [1, absent])
        .map((id) => withId({ Action: 'GetAsyncTaskStatus', Version: '2020-04-01', AsyncTaskId: id })),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(requestArbitrary(s), weighted([3, one(undefined)], [1, one(...ids.comingHaVips.slice(0, 3))]))
        .map(([p, coming]) => (coming === undefined ? p : { ...p, HaVipId: coming })),
    },
    { weight: 3, arbitrary: weighted([1, one<RequestParams>({})], [3, one(...ids.haVips, ...ids.comingHaVips.slice(0, 3)).map((id) => ({ 'HaVipIds.1': id }))]).map((p) => ({ Action: 'DescribeHaVips', Version: '2020-04-01', ...p })) },
    ...(replay === undefined ? [] : [{ weight: 2, arbitrary: replay }]),
  )
  return fc.tuple(request, weighted<'as is' | 'no Action' | 'other Version'>([40, one('as is')], [1, one('no Action')], [1, one('other Version')]))
    .map(([p, how]) => {
      if (how === 'as is') return p
      const { Action: _, ...rest } = p
      return how === 'no Action' ? rest : { ...p, Version: '2019-01-01' }
    })
}

/** A lifecycle snapshot and a sequence of requests for it. */
export const lifecycleScenarioArbitrary = (maxRequests = 12, options: SnapshotOptions = {}): fc.Arbitrary<{ snapshot: SnapshotJson; requests: ReadonlyArray<RequestParams> }> =>
  lifecycleSnapshotArbitrary(options).chain((snapshot) =>
    fc.array(lifecycleRequestArbitrary(snapshot), { minLength: 1, maxLength: maxRequests }).map((requests) => ({ snapshot, requests })))
