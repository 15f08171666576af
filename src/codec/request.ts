import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import type { MutatingAction } from '../model/ledger.js'
import type { BindingRequest, DescribeHaVipsRequest, DescribeFilter, Request } from '../model/request.js'
import { apiVersion, describeFilters } from '../model/request.js'
import type { InstanceType } from '../model/json.js'
import { instanceTypes } from '../model/resources.js'

/** Request parameters by name: what a query string or a JSON object of strings says. */
export type ParamMap = ReadonlyMap<string, string>

/** The query string of a whole URL (`https://open.volcengineapi.com/?Action=…`), else the text after a leading `?` or `/?`. */
const queryPart = (text: string): string => {
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text).search.slice(1)
    } catch {
      return text
    }
  }
  return text.replace(/^\/?\?/, '')
}

/**
 * Reads request parameters from a query string (a leading `?` or `/?`, or a whole URL, allowed),
 * an object or a Map. The first occurrence of a repeated name counts. An object's numbers and
 * booleans count as their text (a JSON body may send `"PageSize": 10`); other values and anything
 * else count as absent.
 */
export const readParams = (input: unknown): ParamMap => {
  if (typeof input === 'string') {
    const params = new Map<string, string>()
    for (const [name, value] of new URLSearchParams(queryPart(input))) {
      if (!params.has(name)) params.set(name, value)
    }
    return params
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return new Map()
  const params = new Map<string, string>()
  for (const [name, value] of input instanceof Map ? input : Object.entries(input)) {
    if (typeof name !== 'string') continue
    if (typeof value === 'string') params.set(name, value)
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') params.set(name, String(value))
  }
  return params
}

/** A parameter's value; an empty value counts as absent [choice]. */
const param = (params: ParamMap, name: string): string | undefined => {
  const value = params.get(name)
  return value === '' ? undefined : value
}

const required = (value: string | undefined, name: string): E.Either<ApiError, string> =>
  value === undefined
    ? E.left(apiError('MissingParameter', `the request has no ${name}`, { name }))
    : E.right(value)

const servedActions = ['AssociateHaVip', 'DisassociateHaVip', 'DescribeHaVips'] as const
type ServedAction = (typeof servedActions)[number]
const isServed = (action: string): action is ServedAction => (servedActions as ReadonlyArray<string>).includes(action)

/** The gateway's checks (docs/rules.md, checks R1–R2): which operation is asked for. */
const decodeAction = (params: ParamMap): E.Either<ApiError, ServedAction> => {
  // Plain early returns: fp-ts do-notation allocates a record per step, and this runs per request.
  const action = required(param(params, 'Action'), 'Action')
  if (E.isLeft(action)) return action
  const version = required(param(params, 'Version'), 'Version')
  if (E.isLeft(version)) return version
  return isServed(action.right) && version.right === apiVersion
    ? E.right(action.right)
    : E.left(apiError('InvalidActionOrVersion', `this project serves ${servedActions.join(', ')} at version ${apiVersion}`, {
        Action: action.right,
        Version: version.right,
      }))
}

const isInstanceType = (value: string): value is InstanceType => (instanceTypes as ReadonlyArray<string>).includes(value)

const instanceTypeOf = (value: string | undefined): E.Either<ApiError, InstanceType> => {
  if (value === undefined) return E.right('EcsInstance')
  return isInstanceType(value)
    ? E.right(value)
    : E.left(apiError('InvalidInstanceType.Malformed', `InstanceType ${JSON.stringify(value)} is neither EcsInstance nor NetworkInterface`))
}

const isAscii = (text: string): boolean => !/[^\p{ASCII}]/u.test(text)

// The vendor: "ASCII only, at most 64 characters".
const isWellFormedToken = (token: string): boolean => token.length <= 64 && isAscii(token)

const clientTokenOf = (token: string | undefined): E.Either<ApiError, string | undefined> =>
  token === undefined || isWellFormedToken(token)
    ? E.right(token)
    : E.left(apiError('InvalidParameter.ClientTokenMalformed',
        `ClientToken has ${String(token.length)} characters${isAscii(token) ? '' : ' and non-ASCII ones'}; at most 64 ASCII characters are allowed`))

/** The parameters of AssociateHaVip and DisassociateHaVip, empty ones already absent. */
interface BindingParams {
  readonly HaVipId: string | undefined
  readonly InstanceId: string | undefined
  readonly InstanceType: string | undefined
  readonly ClientToken: string | undefined
}

/** Checks R3–R5 (docs/rules.md), shared by AssociateHaVip and DisassociateHaVip. */
const decodeBinding = <A extends MutatingAction>(action: A, p: BindingParams): E.Either<ApiError, BindingRequest<A>> => {
  const haVipId = required(p.HaVipId, 'HaVipId')
  if (E.isLeft(haVipId)) return haVipId
  const instanceId = required(p.InstanceId, 'InstanceId')
  if (E.isLeft(instanceId)) return instanceId
  const instanceType = instanceTypeOf(p.InstanceType)
  if (E.isLeft(instanceType)) return instanceType
  const clientToken = clientTokenOf(p.ClientToken)
  if (E.isLeft(clientToken)) return clientToken
  // Object literals of one shape each: spreading a fresh object costs a microsecond here.
  return E.right(clientToken.right === undefined
    ? { action, haVipId: haVipId.right, instanceId: instanceId.right, instanceType: instanceType.right }
    : { action, haVipId: haVipId.right, instanceId: instanceId.right, instanceType: instanceType.right, clientToken: clientToken.right })
}

const wholeNumber = (params: ParamMap, name: string, fallback: number, max: number): E.Either<ApiError, number> => {
  const value = param(params, name)
  if (value === undefined) return E.right(fallback)
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN
  return n >= 1 && n <= max
    ? E.right(n)
    : E.left(apiError('InvalidParameter', `${name} ${JSON.stringify(value)} is not a whole number from 1 to ${String(max)}`, { name }))
}

const haVipIdsOf = (params: ParamMap): E.Either<ApiError, ReadonlyArray<string>> => {
  const ids: Array<string> = []
  for (const [name, value] of params) {
    const n = /^HaVipIds\.(\d+)$/.exec(name)?.[1]
    if (n === undefined || value === '') continue
    if (Number(n) < 1 || Number(n) > 100) {
      return E.left(apiError('InvalidParameter', `${name}: N runs from 1 to 100`, { name }))
    }
    ids.push(value)
  }
  return E.right(ids)
}

/** DescribeHaVips' parameters (docs/rules.md). */
const decodeDescribe = (params: ParamMap): E.Either<ApiError, DescribeHaVipsRequest> => {
  const haVipIds = haVipIdsOf(params)
  if (E.isLeft(haVipIds)) return haVipIds
  const pageNumber = wholeNumber(params, 'PageNumber', 1, Number.MAX_SAFE_INTEGER)
  if (E.isLeft(pageNumber)) return pageNumber
  const pageSize = wholeNumber(params, 'PageSize', 10, 100)
  if (E.isLeft(pageSize)) return pageSize
  const filters: Partial<Record<DescribeFilter, string>> = {}
  for (const name of describeFilters) {
    const value = param(params, name)
    if (value !== undefined) filters[name] = value
  }
  return E.right({ action: 'DescribeHaVips', haVipIds: haVipIds.right, filters, pageNumber: pageNumber.right, pageSize: pageSize.right })
}

/**
 * Decodes a request (docs/rules.md, checks R1–R5): a query string or an object of parameters, checked in the
 * contract's order; the first failure is the answer, with the vendor's error code.
 */
export const decodeRequest = (input: unknown): E.Either<ApiError, Request> => decodeParams(readParams(input))

/** `decodeRequest` of parameters already read. */
export const decodeParams = (params: ParamMap): E.Either<ApiError, Request> => {
  const action = decodeAction(params)
  if (E.isLeft(action)) return action
  return action.right === 'DescribeHaVips'
    ? decodeDescribe(params)
    : decodeBinding(action.right, {
        HaVipId: param(params, 'HaVipId'),
        InstanceId: param(params, 'InstanceId'),
        InstanceType: param(params, 'InstanceType'),
        ClientToken: param(params, 'ClientToken'),
      })
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/**
 * Checks a request built in code, not decoded from the wire, exactly as the wire's parameters
 * would be checked: the library's functions stay total, and answer the vendor's codes, whatever
 * they are given.
 */
export const checkBinding = <A extends MutatingAction>(action: A, r: unknown): E.Either<ApiError, BindingRequest<A>> => {
  const typed: Partial<Readonly<Record<keyof BindingRequest, unknown>>> = typeof r === 'object' && r !== null ? r : {}
  return decodeBinding(action, {
    HaVipId: text(typed.haVipId),
    InstanceId: text(typed.instanceId),
    InstanceType: text(typed.instanceType),
    ClientToken: text(typed.clientToken),
  })
}
