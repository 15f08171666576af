/**
 * An executable specification: AssociateHaVip, DisassociateHaVip, DescribeHaVips and their
 * envelope written a second time, from the project's documents (docs/rules.md, docs/errors.md, docs/snapshot.md) and
 * nothing else, as plainly as possible — plain JSON, lists and loops, no code of src/ but the
 * catalogue's texts. The lifecycle's actions, tasks and steps are in lifecycle.ts. The
 * differential properties hold the engine to it.
 */
import { catalog } from 'havip-rules'
import type { ErrorId } from 'havip-rules'
import type { Page } from './describe.js'
import { specDescribeHaVips } from './describe.js'
import type { LifecycleRequest } from './lifecycle.js'
import { asyncSteps, decodeLifecycle, lifecycleActions, lifecycleApplied, lifecycleReasons, recordTask, step } from './lifecycle.js'

/** The snapshot, as its JSON. */
export interface Account {
  Region?: string
  HaVips?: Array<HaVip>
  Instances?: Array<Instance>
  NetworkInterfaces?: Array<Eni>
  Subnets?: Array<{ SubnetId: string; VpcId: string; CidrBlock: string; Status?: string }>
  RouteEntries?: Array<{ RouteEntryId: string; NextHopType: string; NextHopId: string }>
  AsyncTasks?: Array<Task>
  IdCounter?: number
  AsyncSteps?: number
  Quotas?: { InstancesPerHaVip?: number; HaVipsPerInstance?: number; HaVipsPerRegion?: number; HaVipsPerVpc?: number }
  ClientTokens?: Array<Token>
}
export interface HaVip {
  HaVipId: string; SubnetId: string; Status: string; AssociatedInstanceType?: string; AssociatedInstanceIds?: Array<string>; MasterInstanceId?: string; SupportsAssociation?: boolean
  HaVipName?: string; Description?: string; VpcId?: string; IpAddress?: string; AssociatedEipId?: string; AssociatedEipAddress?: string; ProjectName?: string; Tags?: Array<{ Key: string; Value: string }>
  CreatedAt?: string; UpdatedAt?: string
}
interface Instance { InstanceId: string; Status: string; NetworkInterfaces: Array<{ SubnetId: string; Type: string; PrimaryIpAddress?: string }> }
interface Eni { NetworkInterfaceId: string; SubnetId: string; Status: string; DeviceId?: string; ServiceManaged?: boolean; PrimaryIpAddress?: string; PrivateIpSets?: { PrivateIpSet?: Array<{ PrivateIpAddress?: string }> } }
export interface Task { AsyncTaskId: string; Action: string; ResourceId?: string; Status: string; RequestId?: string; StepsLeft?: number }
/** A ledger entry: a binding's parameters (and the task it recorded), or a Create's parameters and result. */
export interface Token {
  Action: string; ClientToken: string; Status: string; RequestId?: string; AsyncTaskId?: string
  Parameters: { HaVipId?: string; InstanceId?: string; InstanceType?: string } & Record<string, unknown>
  Result?: { HaVipId?: string; IpAddress?: string; AsyncTaskId?: string }
}

/** One reason, as the catalogue words it. */
export interface Reason { id: ErrorId; code: string; status: number; message: string; messageZh: string; codeN?: number }

export interface Answer {
  status: number
  body: { ResponseMetadata: Record<string, unknown>; Result?: Record<string, unknown> }
  account: Account
}

export const reason = (id: ErrorId, fill: Record<string, string> = {}): Reason => {
  // An id the catalogue lacks still makes a reason, one no engine answer can equal.
  const entry: { code: string; status: number; en: string; zh: string; codeN?: number } =
    (catalog as Partial<typeof catalog>)[id] ?? { code: id, status: 0, en: `${id} is not in the catalogue`, zh: '' }
  let message: string = entry.en
  let messageZh: string = entry.zh
  for (const [key, value] of Object.entries(fill)) {
    message = message.split(`{${key}}`).join(value)
    messageZh = messageZh.split(`{${key}}`).join(value)
  }
  return { id, code: entry.code, status: entry.status, message, messageZh, ...(entry.codeN === undefined ? {} : { codeN: entry.codeN }) }
}

/**
 * rules.md, "Requests": a query string (with or without a leading `?` or `/?`, or a whole URL) or
 * an object of strings; names case-sensitive; of a repeated name the first counts.
 */
export const parameters = (input: string | Record<string, string>): Map<string, string> => {
  const params = new Map<string, string>()
  if (typeof input !== 'string') {
    for (const [name, value] of Object.entries(input)) params.set(name, value)
    return params
  }
  let query = input
  const mark = query.indexOf('?')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(query) || query.startsWith('/?') || query.startsWith('?')) query = mark === -1 ? '' : query.slice(mark + 1)
  for (const [name, value] of new URLSearchParams(query)) {
    if (!params.has(name)) params.set(name, value)
  }
  return params
}

/** An empty value counts as absent. */
export const param = (params: Map<string, string>, name: string): string | undefined => {
  const value = params.get(name)
  return value === undefined || value === '' ? undefined : value
}

const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}

interface Binding { action: string; haVipId: string; instanceId: string; instanceType: string; clientToken: string | undefined }

/** R1–R5, in order: the first failure, the request, or a DescribeHaVips (its own parameters are its own). */
const decode = (params: Map<string, string>): Reason | Binding | LifecycleRequest | 'DescribeHaVips' => {
  const action = param(params, 'Action')
  if (action === undefined) return reason('MissingParameter', { name: 'Action' })
  const version = param(params, 'Version')
  if (version === undefined) return reason('MissingParameter', { name: 'Version' })
  if (!['AssociateHaVip', 'DisassociateHaVip', 'DescribeHaVips', ...lifecycleActions].includes(action) || version !== '2020-04-01') {
    return reason('InvalidActionOrVersion', { Action: action, Version: version })
  }
  if (action === 'DescribeHaVips') return action
  if (lifecycleActions.includes(action)) return decodeLifecycle(action, params)
  const haVipId = param(params, 'HaVipId')
  if (haVipId === undefined) return reason('MissingParameter', { name: 'HaVipId' })
  const instanceId = param(params, 'InstanceId')
  if (instanceId === undefined) return reason('MissingParameter', { name: 'InstanceId' })
  const instanceType = param(params, 'InstanceType') ?? 'EcsInstance'
  if (instanceType !== 'EcsInstance' && instanceType !== 'NetworkInterface') return reason('InvalidInstanceType.Malformed')
  const clientToken = param(params, 'ClientToken')
  if (clientToken !== undefined && (clientToken.length > 64 || !isAscii(clientToken))) return reason('InvalidParameter.ClientTokenMalformed')
  return { action, haVipId, instanceId, instanceType, clientToken }
}

const isReason = (x: unknown): x is Reason => typeof x === 'object' && x !== null && 'id' in x
const isLifecycle = (x: Binding | LifecycleRequest): x is LifecycleRequest => lifecycleActions.includes(x.action)

const haVipsOf = (a: Account): Array<HaVip> => a.HaVips ?? []
const boundIds = (h: HaVip): Array<string> => h.AssociatedInstanceIds ?? []
const findHaVip = (a: Account, id: string): HaVip | undefined => haVipsOf(a).find((h) => h.HaVipId === id)
const findInstance = (a: Account, id: string): Instance | undefined => (a.Instances ?? []).find((i) => i.InstanceId === id)
const findEni = (a: Account, id: string): Eni | undefined => (a.NetworkInterfaces ?? []).find((n) => n.NetworkInterfaceId === id)
const quota = (a: Account, name: 'InstancesPerHaVip' | 'HaVipsPerInstance'): number => a.Quotas?.[name] ?? (name === 'InstancesPerHaVip' ? 10 : 5)

/** The ledger (rules.md, "Idempotency"): a replay, a refusal, or nothing to say. */
const ledger = (a: Account, r: Binding): { replay: Token } | { refusal: Reason } | undefined => {
  if (r.clientToken === undefined) return undefined
  const entry = (a.ClientTokens ?? []).find((t) => t.Action === r.action && t.ClientToken === r.clientToken)
  if (entry === undefined) return undefined
  if (entry.Status === 'InProgress') return { refusal: reason('IdempotentProcessing') }
  const p = entry.Parameters
  if (p.HaVipId !== r.haVipId || p.InstanceId !== r.instanceId || (p.InstanceType ?? 'EcsInstance') !== r.instanceType) {
    return { refusal: reason('IdempotentParameterMismatch') }
  }
  return { replay: entry }
}

/** What a binding names, and the not-found reasons (A2, A3; D2, D3) of what is missing. */
const lookUp = (a: Account, r: Binding) => {
  const reasons: Array<Reason> = []
  const h = findHaVip(a, r.haVipId)
  if (h === undefined) reasons.push(reason('InvalidHaVip.NotFound'))
  const ecs = r.instanceType === 'EcsInstance'
  const instance = ecs ? findInstance(a, r.instanceId) : undefined
  const eni = ecs ? undefined : findEni(a, r.instanceId)
  const targetFound = ecs ? instance !== undefined : eni !== undefined
  if (!targetFound) reasons.push(reason(ecs ? 'InvalidInstance.NotFound' : 'InvalidEniId.NotFound'))
  return { reasons, h, instance, eni, targetFound }
}

/** Every rule an association breaks, A2–A12 in order (a rule about a missing HaVip or target says nothing). */
const associateReasons = (a: Account, r: Binding): Array<Reason> => {
  const { reasons, h, instance, eni, targetFound } = lookUp(a, r)
  if (h !== undefined && h.Status !== 'Available' && h.Status !== 'InUse') reasons.push(reason('InvalidHaVip.InvalidStatus'))
  if (h !== undefined && h.SupportsAssociation === false) reasons.push(reason('InvalidHaVip.NotSupport'))
  if (instance !== undefined && instance.Status !== 'RUNNING' && instance.Status !== 'STOPPED') reasons.push(reason('InvalidInstance.InvalidStatus'))
  if (eni !== undefined) {
    if (eni.ServiceManaged === true) reasons.push(reason('Forbidden.ServiceManagedEni'))
    if (eni.Status !== 'InUse' && eni.Status !== 'Available') reasons.push(reason('InvalidEni.InvalidStatus'))
    if (!(eni.Status === 'InUse' && (eni.DeviceId ?? '') !== '')) reasons.push(reason('Forbidden.EniNotAttachedToEcs'))
  }
  if (h !== undefined && boundIds(h).length > 0 && h.AssociatedInstanceType !== r.instanceType) reasons.push(reason('Forbidden.MixedInstanceTypes'))
  if (h !== undefined && targetFound) {
    let subnet: string | undefined
    if (instance !== undefined) {
      for (const n of instance.NetworkInterfaces) {
        if (n.Type === 'primary') {
          subnet = n.SubnetId
          break
        }
      }
    } else subnet = eni?.SubnetId
    if (subnet !== h.SubnetId) reasons.push(reason('InvalidInstance.HaVipMismatch'))
    if (boundIds(h).includes(r.instanceId)) reasons.push(reason('Forbidden.InstanceAlreadyAssociated'))
    if (eni !== undefined && h.AssociatedInstanceType === 'NetworkInterface') {
      for (const id of boundIds(h)) {
        const other = findEni(a, id)
        if (id !== eni.NetworkInterfaceId && other !== undefined && (other.DeviceId ?? '') !== '' && other.DeviceId === eni.DeviceId) {
          reasons.push(reason('Forbidden.TwoEnisOfOneInstance'))
          break
        }
      }
    }
  }
  if (h !== undefined && boundIds(h).length >= quota(a, 'InstancesPerHaVip')) reasons.push(reason('LimitExceeded.InstancesPerHaVip'))
  if (targetFound) {
    let holding = 0
    for (const other of haVipsOf(a)) {
      if (other.AssociatedInstanceType === r.instanceType && boundIds(other).includes(r.instanceId)) holding++
    }
    if (holding >= quota(a, 'HaVipsPerInstance')) reasons.push(reason('LimitExceeded.HaVipsPerInstance'))
  }
  return reasons
}

/** Every rule a disassociation breaks, D2–D6 in order. */
const disassociateReasons = (a: Account, r: Binding): Array<Reason> => {
  const { reasons, h, instance, eni, targetFound } = lookUp(a, r)
  if (h !== undefined && h.Status !== 'Available' && h.Status !== 'InUse') reasons.push(reason('InvalidHaVip.InvalidStatus'))
  if (instance !== undefined && instance.Status !== 'RUNNING' && instance.Status !== 'STOPPED') reasons.push(reason('InvalidInstance.InvalidStatus'))
  if (eni !== undefined && eni.Status !== 'InUse' && eni.Status !== 'Available') reasons.push(reason('InvalidEni.InvalidStatus'))
  if (h !== undefined && targetFound && !(h.AssociatedInstanceType === r.instanceType && boundIds(h).includes(r.instanceId))) {
    reasons.push(reason('ResourceNotAssociated'))
  }
  return reasons
}

/** `explain`: every reason, in order; none for a replay; a refused token first. */
export const specExplain = (a: Account, input: string | Record<string, string>): Array<Reason> => {
  const params = parameters(input)
  const r = decode(params)
  if (isReason(r)) return [r]
  if (r === 'DescribeHaVips') {
    const page = specDescribeHaVips(a, params)
    return isReason(page) ? [page] : []
  }
  if (isLifecycle(r)) return lifecycleReasons(a, r)
  const token = ledger(a, r)
  if (token !== undefined && 'replay' in token) return []
  const rules = r.action === 'AssociateHaVip' ? associateReasons(a, r) : disassociateReasons(a, r)
  return token === undefined ? rules : [token.refusal, ...rules]
}

/** The account after a success (rules.md, "On success"): a copy, the input untouched. */
const applied = (a: Account, r: Binding, requestId: string): Account => {
  const next: Account = structuredClone(a)
  const h = findHaVip(next, r.haVipId)
  if (h === undefined) return next
  if (r.action === 'AssociateHaVip') {
    h.AssociatedInstanceIds = [...boundIds(h), r.instanceId]
    h.AssociatedInstanceType = r.instanceType
    h.Status = 'InUse'
  } else {
    h.AssociatedInstanceIds = boundIds(h).filter((id) => id !== r.instanceId)
    if (h.AssociatedInstanceIds.length === 0) {
      h.AssociatedInstanceType = ''
      h.Status = 'Available'
    }
    if (h.MasterInstanceId === r.instanceId) h.MasterInstanceId = ''
  }
  const taskId = recordTask(next, r.action, r.haVipId, requestId)
  if (r.clientToken !== undefined) {
    next.ClientTokens = [...(next.ClientTokens ?? []), {
      Action: r.action, ClientToken: r.clientToken, Status: 'Succeeded', RequestId: requestId,
      Parameters: { HaVipId: r.haVipId, InstanceType: r.instanceType, InstanceId: r.instanceId }, AsyncTaskId: taskId,
    }]
  }
  return next
}

/** The reads that take a step in asynchronous mode, when they answer 200. */
const steppingReads = ['DescribeHaVips', 'GetAsyncTaskStatus']

/** `handle` (errors.md, "The wire"): the status, the envelope, and the account it leaves. */
export const specHandle = (before: Account, input: string | Record<string, string>, requestId: string, now?: string): Answer => {
  const params = parameters(input)
  const metadata = (id: string): Record<string, unknown> => ({
    RequestId: id, Action: params.get('Action') ?? '', Version: params.get('Version') ?? '', Service: 'vpc', Region: before.Region ?? 'cn-beijing',
  })
  const r = decode(params)
  const first = isReason(r) ? r : specExplain(before, input)[0]
  if (first !== undefined) {
    const error = { ...(first.codeN === undefined ? {} : { CodeN: first.codeN }), Code: first.code, Message: first.message }
    return { status: first.status, body: { ResponseMetadata: { ...metadata(requestId), Error: error } }, account: before }
  }
  // A read answered with 200 in asynchronous mode takes its step first, so that it shows it.
  const a = steppingReads.includes(params.get('Action') ?? '') && asyncSteps(before) > 0 ? step(before) : before
  if (r === 'DescribeHaVips') {
    const page = specDescribeHaVips(a, params) as Page
    return { status: 200, body: { ResponseMetadata: metadata(requestId), Result: { ...page, RequestId: requestId } }, account: a }
  }
  if (isLifecycle(r as Binding | LifecycleRequest)) {
    const { account, result, replayed } = lifecycleApplied(a, r as LifecycleRequest, requestId, now)
    const id = replayed ?? requestId
    const defined = Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined))
    return { status: 200, body: { ResponseMetadata: metadata(id), Result: { RequestId: id, ...defined } }, account }
  }
  const binding = r as Binding
  const token = ledger(a, binding)
  if (token !== undefined && 'replay' in token) {
    const id = token.replay.RequestId ?? requestId
    const task = token.replay.AsyncTaskId === undefined ? {} : { AsyncTaskId: token.replay.AsyncTaskId }
    return { status: 200, body: { ResponseMetadata: metadata(id), Result: { RequestId: id, ...task } }, account: a }
  }
  const next = applied(a, binding, requestId)
  const task = (next.AsyncTasks ?? []).at(-1)?.AsyncTaskId
  return { status: 200, body: { ResponseMetadata: metadata(requestId), Result: { RequestId: requestId, AsyncTaskId: task } }, account: next }
}
