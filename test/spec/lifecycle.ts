/**
 * The executable specification of a HaVip's life: CreateHaVip, DeleteHaVip,
 * ModifyHaVipAttributes, GetAsyncTaskStatus, the task every write records and the asynchronous
 * mode's steps, written from the project's documents as plainly as the rest of test/spec — its
 * own tiny model of subnets, addresses (numbers), ids (SHA-256 of a counter) and tasks, with no
 * code of src/ but the catalogue's texts.
 */
import { createHash } from 'node:crypto'
import type { ErrorId } from 'havip-rules'
import type { Account, HaVip, Reason, Task, Token } from './specification.js'
import { param, reason } from './specification.js'

/** The lifecycle requests, after their request checks. */
export type LifecycleRequest =
  | { action: 'CreateHaVip'; subnetId: string; ipAddress?: string; name?: string; description?: string; tags?: Array<{ Key: string; Value: string }>; clientToken?: string }
  | { action: 'DeleteHaVip'; haVipId: string }
  | { action: 'ModifyHaVipAttributes'; haVipId: string; name?: string; description?: string }
  | { action: 'GetAsyncTaskStatus'; taskId: string }

export const lifecycleActions = ['CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'GetAsyncTaskStatus']

const why = (id: string, fill: Record<string, string> = {}): Reason => reason(id as ErrorId, fill)
const invalid = (name: string): Reason => why('InvalidParameter', { name })
// Lengths count code points, as the documents say: Array.from walks a string by code point.
const codePoints = (text: string): number => Array.from(text).length

// Letters are Unicode letters (CJK ideographs among them); digits are 0-9 only.
const nameShape = /^[\p{L}0-9][\p{L}0-9._-]*$/u
const descriptionShape = /^[\p{L}0-9][\p{L}0-9,._ =\-，。]*$/u
const quad = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/

/** A dotted quad as a number, or undefined when it is not one. */
export const addressNumber = (text: string): number | undefined => {
  const m = quad.exec(text)
  if (m === null) return undefined
  let n = 0
  for (const part of m.slice(1)) {
    if (Number(part) > 255) return undefined
    n = n * 256 + Number(part)
  }
  return n
}

export const addressText = (n: number): string => [n / 16777216, n / 65536, n / 256, n].map((x) => String(Math.floor(x) % 256)).join('.')

/** The first and last address of a CIDR block. */
export const cidrRange = (cidr: string): { first: number; last: number } => {
  const [ip = '', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const first = addressNumber(ip) ?? 0
  return { first, last: first + size - 1 }
}

const checkName = (name: string | undefined): Reason | undefined => {
  if (name === undefined) return undefined
  if (codePoints(name) > 128) return why('InvalidName.Malformed.TooLong')
  if (!nameShape.test(name)) return why('InvalidName.Malformed')
  return undefined
}

const checkDescription = (description: string | undefined): Reason | undefined => {
  if (description === undefined) return undefined
  if (codePoints(description) > 255) return why('InvalidDescription.Malformed.TooLong')
  if (!descriptionShape.test(description)) return why('InvalidDescription.Malformed')
  return undefined
}

/** `Tags.N.Key` / `Tags.N.Value`: N canonical, tag by tag in ascending N, at most 50. */
const readTags = (params: Map<string, string>): Reason | Array<{ Key: string; Value: string }> => {
  const keys = new Map<number, string>()
  const values = new Map<number, string>()
  for (const [name, value] of params) {
    if (!name.startsWith('Tags.')) continue
    const m = /^Tags\.([1-9][0-9]*)\.(Key|Value)$/.exec(name)
    if (m === null) return invalid(name)
    if (value === '') continue
    if (m[2] === 'Key') keys.set(Number(m[1]), value)
    else values.set(Number(m[1]), value)
  }
  const ns = [...new Set([...keys.keys(), ...values.keys()])].sort((x, y) => x - y)
  const tags: Array<{ Key: string; Value: string }> = []
  for (const n of ns) {
    const key = keys.get(n)
    const value = values.get(n)
    if (key === undefined) return invalid(`Tags.${String(n)}.Key`)
    if (codePoints(key) > 128 || /^(volc:|sys:)/i.test(key) || tags.some((t) => t.Key === key)) return invalid(`Tags.${String(n)}.Key`)
    if (value !== undefined && codePoints(value) > 256) return invalid(`Tags.${String(n)}.Value`)
    tags.push({ Key: key, Value: value ?? '' })
  }
  if (tags.length > 50) return invalid('Tags')
  return tags
}

const isAscii = (text: string): boolean => Array.from(text).every((c) => (c.codePointAt(0) ?? 0) <= 127)

/** The request checks of each lifecycle action, in order (after Action and Version). */
export const decodeLifecycle = (action: string, params: Map<string, string>): Reason | LifecycleRequest => {
  if (action === 'GetAsyncTaskStatus') {
    const taskId = param(params, 'AsyncTaskId')
    return taskId === undefined ? why('MissingParameter', { name: 'AsyncTaskId' }) : { action, taskId }
  }
  if (action === 'DeleteHaVip' || action === 'ModifyHaVipAttributes') {
    const haVipId = param(params, 'HaVipId')
    if (haVipId === undefined) return why('MissingParameter', { name: 'HaVipId' })
    if (action === 'DeleteHaVip') return { action, haVipId }
    const name = param(params, 'HaVipName')
    const description = param(params, 'Description')
    const wrong = checkName(name) ?? checkDescription(description)
    if (wrong !== undefined) return wrong
    return { action, haVipId, ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }) }
  }
  const subnetId = param(params, 'SubnetId')
  if (subnetId === undefined) return why('MissingParameter', { name: 'SubnetId' })
  const name = param(params, 'HaVipName')
  const description = param(params, 'Description')
  const ipAddress = param(params, 'IpAddress')
  const wrong = checkName(name) ?? checkDescription(description) ??
    (ipAddress !== undefined && addressNumber(ipAddress) === undefined ? why('InvalidIpAddress.Malformed') : undefined)
  if (wrong !== undefined) return wrong
  const tags = readTags(params)
  if (!Array.isArray(tags)) return tags
  const clientToken = param(params, 'ClientToken')
  if (clientToken !== undefined && (clientToken.length > 64 || !isAscii(clientToken))) return why('InvalidParameter.ClientTokenMalformed')
  return {
    action: 'CreateHaVip', subnetId,
    ...(ipAddress === undefined ? {} : { ipAddress }), ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }), ...(tags.length === 0 ? {} : { tags }),
    ...(clientToken === undefined ? {} : { clientToken }),
  }
}

// The account's parts, with their defaults.
const haVipsOf = (a: Account): Array<HaVip> => a.HaVips ?? []
const tasksOf = (a: Account): Array<Task> => a.AsyncTasks ?? []
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
export const asyncSteps = (a: Account): number => a.AsyncSteps ?? 0
const subnetOf = (a: Account, id: string) => (a.Subnets ?? []).find((s) => s.SubnetId === id)
const regionOf = (a: Account): string => a.Region ?? 'cn-beijing'

/** A HaVip's VPC: its own, else its subnet's when the subnet is listed, else unknown. */
const vpcOf = (a: Account, h: HaVip): string | undefined => text(h.VpcId) ?? subnetOf(a, h.SubnetId)?.VpcId

/** Every address the account lists in a subnet: HaVips', instance interfaces' and ENIs'. */
const addressesInUse = (a: Account, subnetId: string): Set<number> => {
  const listed: Array<unknown> = []
  for (const h of haVipsOf(a)) if (h.SubnetId === subnetId) listed.push(h.IpAddress)
  for (const i of a.Instances ?? []) for (const n of i.NetworkInterfaces) if (n.SubnetId === subnetId) listed.push(n.PrimaryIpAddress)
  for (const e of a.NetworkInterfaces ?? []) {
    if (e.SubnetId !== subnetId) continue
    listed.push(e.PrimaryIpAddress)
    for (const p of e.PrivateIpSets?.PrivateIpSet ?? []) listed.push(p.PrivateIpAddress)
  }
  const used = new Set<number>()
  for (const address of listed) {
    const n = typeof address === 'string' ? addressNumber(address) : undefined
    if (n !== undefined) used.add(n)
  }
  return used
}

/** The lowest address of the block that is neither reserved (first, second, last) nor in use. */
const lowestFree = (a: Account, subnetId: string, cidr: string): number | undefined => {
  const { first, last } = cidrRange(cidr)
  const used = addressesInUse(a, subnetId)
  for (let n = first + 2; n <= last - 1; n++) if (!used.has(n)) return n
  return undefined
}

/** The ledger entry of a tokened Create: a replay, a refusal, or nothing to say. */
const createLedger = (a: Account, r: Extract<LifecycleRequest, { action: 'CreateHaVip' }>): { replay: Token } | { refusal: Reason } | undefined => {
  if (r.clientToken === undefined) return undefined
  const entry = (a.ClientTokens ?? []).find((t) => t.Action === 'CreateHaVip' && t.ClientToken === r.clientToken)
  if (entry === undefined) return undefined
  if (entry.Status === 'InProgress') return { refusal: why('IdempotentProcessing') }
  const p = entry.Parameters as Record<string, unknown>
  const same = p.SubnetId === r.subnetId && p.IpAddress === r.ipAddress && p.HaVipName === r.name && p.Description === r.description &&
    JSON.stringify(p.Tags) === JSON.stringify(r.tags)
  return same ? { replay: entry } : { refusal: why('IdempotentParameterMismatch') }
}

/** C2–C9: every rule a Create breaks, in order (a rule about a missing subnet says nothing). */
const createReasons = (a: Account, r: Extract<LifecycleRequest, { action: 'CreateHaVip' }>): Array<Reason> => {
  const reasons: Array<Reason> = []
  const subnet = subnetOf(a, r.subnetId)
  if (subnet === undefined) reasons.push(why('InvalidSubnet.NotFound'))
  else {
    if ((text(subnet.Status) ?? 'Available') !== 'Available') reasons.push(why('InvalidSubnet.InvalidStatus'))
    const { first, last } = cidrRange(subnet.CidrBlock)
    if (r.ipAddress !== undefined) {
      const n = addressNumber(r.ipAddress) ?? -1
      if (n < first || n > last) reasons.push(why('InvalidIpAddress.OutOfRange'))
      // As the documents word it: the one after the first is reserved even where a /32 block ends before it.
      if (n === first || n === first + 1 || n === last) reasons.push(why('InvalidIpAddress.NotAvailable'))
      if (addressesInUse(a, subnet.SubnetId).has(n)) reasons.push(why('InvalidIpAddress.InUse'))
    } else if (lowestFree(a, subnet.SubnetId, subnet.CidrBlock) === undefined) reasons.push(why('InsufficientIpAddress.Subnet'))
    const inVpc = haVipsOf(a).filter((h) => vpcOf(a, h) === subnet.VpcId).length
    if (inVpc >= (a.Quotas?.HaVipsPerVpc ?? 5)) reasons.push(why('QuotaExceeded.HaVipsPerVpc'))
  }
  if (haVipsOf(a).length >= (a.Quotas?.HaVipsPerRegion ?? 20)) reasons.push(why('QuotaExceeded.HaVipsPerRegion'))
  return reasons
}

/** X1–X4. */
const deleteReasons = (a: Account, haVipId: string): Array<Reason> => {
  const h = haVipsOf(a).find((x) => x.HaVipId === haVipId)
  if (h === undefined) return [why('InvalidHaVip.NotFound')]
  const reasons: Array<Reason> = []
  if (h.Status !== 'Available' || (h.AssociatedInstanceIds ?? []).length > 0) reasons.push(why('InvalidHaVip.InvalidStatus'))
  if (text(h.AssociatedEipId) !== undefined) reasons.push(why('InvalidHaVip.InUse.Eip'))
  if ((a.RouteEntries ?? []).some((e) => e.NextHopType === 'HaVip' && e.NextHopId === haVipId)) reasons.push(why('InvalidHaVip.InUse.RouteEntry'))
  return reasons
}

/** M1–M2. */
const modifyReasons = (a: Account, haVipId: string): Array<Reason> => {
  const h = haVipsOf(a).find((x) => x.HaVipId === haVipId)
  if (h === undefined) return [why('InvalidHaVip.NotFound')]
  return h.Status === 'Available' || h.Status === 'InUse' ? [] : [why('InvalidHaVip.InvalidStatus')]
}

/** `explain` of a lifecycle request: every reason in order; none for a replay; a refused token first. */
export const lifecycleReasons = (a: Account, r: LifecycleRequest): Array<Reason> => {
  switch (r.action) {
    case 'CreateHaVip': {
      const token = createLedger(a, r)
      if (token !== undefined && 'replay' in token) return []
      return token === undefined ? createReasons(a, r) : [token.refusal, ...createReasons(a, r)]
    }
    case 'DeleteHaVip': return deleteReasons(a, r.haVipId)
    case 'ModifyHaVipAttributes': return modifyReasons(a, r.haVipId)
    case 'GetAsyncTaskStatus': return tasksOf(a).some((t) => t.AsyncTaskId === r.taskId) ? [] : [why('InvalidAsyncTask.NotFound')]
  }
}

const hex20 = (textToHash: string): string => createHash('sha256').update(textToHash, 'utf8').digest('hex').slice(0, 20)

/** The id a counter value gives: `havip-` or `at-` and 20 hex digits of SHA-256 of `<Region>/<kind>/<n>`. */
export const idAt = (region: string, kind: 'havip' | 'task', n: number): string => `${kind === 'havip' ? 'havip-' : 'at-'}${hex20(`${region}/${kind}/${String(n)}`)}`

/** Issues the next id of a kind, skipping one already used, and moves the counter past it (mutates `a`). */
const issue = (a: Account, kind: 'havip' | 'task'): string => {
  let n = a.IdCounter ?? 0
  for (;;) {
    const id = idAt(regionOf(a), kind, n)
    n++
    const taken = kind === 'havip' ? haVipsOf(a).some((h) => h.HaVipId === id) : tasksOf(a).some((t) => t.AsyncTaskId === id)
    if (!taken) {
      a.IdCounter = n
      return id
    }
  }
}

export const ledgerLimit = 10_000

/** Records a write's task (mutates `a`): finished at once, or in progress for the account's steps; the oldest finished tasks go past the limit. */
export const recordTask = (a: Account, action: string, resourceId: string, requestId: string): string => {
  const id = issue(a, 'task')
  const steps = asyncSteps(a)
  const task: Task = { AsyncTaskId: id, Action: action, ResourceId: resourceId, Status: steps === 0 ? 'Succeeded' : 'InProgress', RequestId: requestId, StepsLeft: steps }
  const tasks = [...tasksOf(a), task]
  let excess = tasks.length - ledgerLimit
  a.AsyncTasks = tasks.filter((t) => {
    if (excess <= 0 || t === task || t.Status === 'InProgress') return true
    excess--
    return false
  })
  return id
}

/** One step: every task in progress, oldest first, loses one; at none left it succeeds and its change completes. */
export const step = (a: Account): Account => {
  const next: Account = structuredClone(a)
  for (const t of tasksOf(next)) {
    if (t.Status !== 'InProgress') continue
    t.StepsLeft = Math.max((t.StepsLeft ?? 0) - 1, 0)
    if (t.StepsLeft > 0) continue
    t.Status = 'Succeeded'
    const h = haVipsOf(next).find((x) => x.HaVipId === t.ResourceId)
    if (t.Action === 'CreateHaVip' && h?.Status === 'Creating') h.Status = 'Available'
    if (t.Action === 'DeleteHaVip' && h?.Status === 'Deleting') next.HaVips = haVipsOf(next).filter((x) => x !== h)
  }
  return next
}

/** `advance(snapshot, steps)`. */
export const specAdvance = (a: Account, steps: number): Account => {
  let next: Account = structuredClone(a)
  for (let i = 0; i < steps; i++) next = step(next)
  return next
}

/**
 * The account after a lifecycle request that breaks no rule, the `Result` it answers (after
 * `RequestId`), and for a replay the RequestId of the success it replays.
 */
export const lifecycleApplied = (a: Account, r: LifecycleRequest, requestId: string, now?: string): { account: Account; result: Record<string, unknown>; replayed?: string } => {
  if (r.action === 'GetAsyncTaskStatus') {
    const task = tasksOf(a).find((t) => t.AsyncTaskId === r.taskId)
    return { account: a, result: { AsyncTaskId: r.taskId, AsyncTaskStatus: task?.Status } }
  }
  if (r.action === 'CreateHaVip') {
    const token = createLedger(a, r)
    if (token !== undefined && 'replay' in token) {
      const recorded = token.replay.Result ?? {}
      return {
        account: a, result: { HaVipId: recorded.HaVipId, IpAddress: recorded.IpAddress, AsyncTaskId: recorded.AsyncTaskId },
        ...(token.replay.RequestId === undefined ? {} : { replayed: token.replay.RequestId }),
      }
    }
  }
  const next: Account = structuredClone(a)
  const async = asyncSteps(next) > 0
  if (r.action === 'CreateHaVip') {
    const subnet = subnetOf(next, r.subnetId)
    const haVipId = issue(next, 'havip')
    const ipAddress = r.ipAddress ?? addressText(lowestFree(next, r.subnetId, subnet?.CidrBlock ?? '0.0.0.0/32') ?? 0)
    next.HaVips = [...haVipsOf(next), {
      HaVipId: haVipId, HaVipName: r.name ?? haVipId, Description: r.description ?? '', VpcId: subnet?.VpcId, SubnetId: r.subnetId,
      IpAddress: ipAddress, Status: async ? 'Creating' : 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [],
      AssociatedEipId: '', AssociatedEipAddress: '', MasterInstanceId: '', ProjectName: 'default', Tags: r.tags ?? [],
      // The host's time, when it passes one: the only thing that reads it.
      ...(now === undefined ? {} : { CreatedAt: now, UpdatedAt: now }),
    }]
    const taskId = recordTask(next, 'CreateHaVip', haVipId, requestId)
    const result = { HaVipId: haVipId, IpAddress: ipAddress, AsyncTaskId: taskId }
    if (r.clientToken !== undefined) {
      next.ClientTokens = [...(next.ClientTokens ?? []), {
        Action: 'CreateHaVip', ClientToken: r.clientToken, Status: 'Succeeded', RequestId: requestId,
        Parameters: {
          SubnetId: r.subnetId, ...(r.ipAddress === undefined ? {} : { IpAddress: r.ipAddress }), ...(r.name === undefined ? {} : { HaVipName: r.name }),
          ...(r.description === undefined ? {} : { Description: r.description }), ...(r.tags === undefined ? {} : { Tags: r.tags }),
        },
        Result: result,
      }]
    }
    return { account: next, result }
  }
  const h = haVipsOf(next).find((x) => x.HaVipId === r.haVipId)
  if (r.action === 'DeleteHaVip') {
    if (async && h !== undefined) h.Status = 'Deleting'
    else next.HaVips = haVipsOf(next).filter((x) => x.HaVipId !== r.haVipId)
  } else if (h !== undefined) {
    if (r.name !== undefined) h.HaVipName = r.name
    if (r.description !== undefined) h.Description = r.description
    if (now !== undefined) h.UpdatedAt = now
  }
  return { account: next, result: { AsyncTaskId: recordTask(next, r.action, r.haVipId, requestId) } }
}
