import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import type { MutatingAction } from '../model/ledger.js'
import type {
  BindingRequest, CreateHaVipRequest, DeleteHaVipRequest, DescribeAction, DescribeRequest, GetAsyncTaskStatusRequest,
  ModifyHaVipAttributesRequest, Page, Request, Tag, TagFilter,
} from '../model/request.js'
import { isAddress } from '../model/address.js'
import { apiVersion, describeSpecs, isDescribeAction } from '../model/request.js'
import type { InstanceType } from '../model/json.js'
import { instanceTypes } from '../model/resources.js'

/** Request parameters by name: what a query string or a JSON object of strings says. */
export type ParamMap = ReadonlyMap<string, string>

/** The query string of a whole URL (`https://open.volcengineapi.com/?Action=…`), else the text after a leading `?` or `/?`. */
const queryPart = (text: string): string => {
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text).search // with its "?", which URLSearchParams drops
    } catch {
      // Not a URL after all: read as a query string.
    }
  }
  return text.replace(/^\/\?/, '')
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
    else if (Number.isFinite(value) || typeof value === 'boolean') params.set(name, String(value))
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

const servedActions = [
  'AssociateHaVip', 'DisassociateHaVip', 'CreateHaVip', 'DeleteHaVip', 'ModifyHaVipAttributes', 'GetAsyncTaskStatus',
  'DescribeHaVips', 'DescribeNetworkInterfaces', 'DescribeInstances',
] as const
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
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN
  return n >= 1 && n <= max
    ? E.right(n)
    : E.left(apiError('InvalidParameter', `${name} ${JSON.stringify(value)} is not a whole number from 1 to ${String(max)}`, { name }))
}

const invalid = (name: string, why: string): E.Either<ApiError, never> => E.left(apiError('InvalidParameter', `${name}: ${why}`, { name }))

/** `N` of an indexed parameter: from 1 to `max`, written as the number it is (no leading zeros, sign or exponent); else undefined. */
const indexOf = (text: string, max: number): number | undefined => {
  const n = Number(text)
  return Number.isInteger(n) && n >= 1 && n <= max && String(n) === text ? n : undefined
}

const maxIds = 100
const maxTagFilters = 10

/**
 * The values of `PREFIX.N` (N from 1 to 100, no leading zeros), as a set. Any other name under the
 * prefix is `InvalidParameter`: ignoring it would widen the answer to every resource.
 */
const idsOf = (params: ParamMap, prefix: string): E.Either<ApiError, ReadonlySet<string>> => {
  const ids = new Set<string>()
  for (const [name, value] of params) {
    if (!name.startsWith(`${prefix}.`)) continue
    if (indexOf(name.slice(prefix.length + 1), maxIds) === undefined) return invalid(name, `N runs from 1 to ${String(maxIds)}, written without leading zeros`)
    if (value !== '') ids.add(value)
  }
  return E.right(ids)
}

/** `TagFilters.N.Key` and `TagFilters.N.Values.M` (N and M from 1 to 10): each key, with the values it may have. */
const tagFiltersOf = (params: ParamMap): E.Either<ApiError, ReadonlyArray<TagFilter>> => {
  const keys = new Map<number, string>()
  const values = new Map<number, Array<string>>()
  for (const [name, value] of params) {
    if (!name.startsWith('TagFilters.')) continue
    const m = /^TagFilters\.([^.]+)\.(Key|Values\.([^.]+))$/.exec(name)
    const n = m?.[1] === undefined ? undefined : indexOf(m[1], maxTagFilters)
    const valueIndex = m?.[3] === undefined ? 1 : indexOf(m[3], maxTagFilters)
    if (n === undefined || valueIndex === undefined) {
      return invalid(name, `is not TagFilters.N.Key or TagFilters.N.Values.M (N and M from 1 to ${String(maxTagFilters)}, without leading zeros)`)
    }
    if (value === '') continue
    if (m?.[2] === 'Key') keys.set(n, value)
    else values.set(n, [...(values.get(n) ?? []), value])
  }
  for (const n of values.keys()) if (!keys.has(n)) return invalid(`TagFilters.${String(n)}.Key`, 'is missing; the filter has values but no key')
  return E.right([...keys].sort(([a], [b]) => a - b).map(([n, key]) => ({ key, values: values.get(n) ?? [] })))
}

const defaultPageSize = 10
const maxPageSize = 100

/** The page asked for: after a `NextToken` (with `MaxResults`) when either is given, else by `PageNumber`/`PageSize`. */
const pageOf = (params: ParamMap, byNumber: boolean): E.Either<ApiError, Page> => {
  const token = param(params, 'NextToken')
  if (token !== undefined || param(params, 'MaxResults') !== undefined || !byNumber) {
    const size = wholeNumber(params, 'MaxResults', defaultPageSize, maxPageSize)
    return E.isLeft(size) ? size : E.right({ kind: 'token', token, size: size.right })
  }
  const number = wholeNumber(params, 'PageNumber', 1, Number.MAX_SAFE_INTEGER)
  if (E.isLeft(number)) return number
  const size = wholeNumber(params, 'PageSize', defaultPageSize, maxPageSize)
  return E.isLeft(size) ? size : E.right({ kind: 'number', number: number.right, size: size.right })
}

/** A Describe call's parameters (docs/rules.md, "Describe calls"). */
const decodeDescribe = <A extends DescribeAction>(action: A, params: ParamMap): E.Either<ApiError, DescribeRequest<A>> => {
  const spec = describeSpecs[action]
  const ids = idsOf(params, spec.idsParam)
  if (E.isLeft(ids)) return ids
  // Every Describe call takes TagFilters.
  const tags = tagFiltersOf(params)
  if (E.isLeft(tags)) return tags
  const page = pageOf(params, spec.pageNumbers)
  if (E.isLeft(page)) return page
  const filters: Array<readonly [string, string]> = []
  for (const [name, field] of Object.entries(spec.filters)) {
    const value = param(params, name)
    if (value !== undefined) filters.push([field, value])
  }
  return E.right({ action, ids: ids.right, filters, tags: tags.right, page: page.right })
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
  const a = action.right
  if (isDescribeAction(a)) return decodeDescribe(a, params)
  switch (a) {
    case 'CreateHaVip':
      return decodeCreate({
        SubnetId: param(params, 'SubnetId'),
        IpAddress: param(params, 'IpAddress'),
        HaVipName: param(params, 'HaVipName'),
        Description: param(params, 'Description'),
        Tags: [...params].filter(([name]) => name.startsWith('Tags.')),
        ClientToken: param(params, 'ClientToken'),
      })
    case 'DeleteHaVip':
      return decodeDelete({ HaVipId: param(params, 'HaVipId') })
    case 'ModifyHaVipAttributes':
      return decodeModify({ HaVipId: param(params, 'HaVipId'), HaVipName: param(params, 'HaVipName'), Description: param(params, 'Description') })
    case 'GetAsyncTaskStatus':
      return decodeTaskStatus({ AsyncTaskId: param(params, 'AsyncTaskId') })
    default:
      return decodeBinding(a, {
        HaVipId: param(params, 'HaVipId'),
        InstanceId: param(params, 'InstanceId'),
        InstanceType: param(params, 'InstanceType'),
        ClientToken: param(params, 'ClientToken'),
      })
  }
}

const codePoints = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}

// Letters (CJK ideographs are letters in Unicode) and the digits 0-9.
const nameText = /^[\p{L}0-9][\p{L}0-9._-]*$/u
const descriptionText = /^[\p{L}0-9][\p{L}0-9,._ =\-，。]*$/u

/** Request check 2 (docs/rules.md): 1–128 code points, a letter or digit first, then letters, digits, `.`, `_`, `-`. */
const nameOf = (name: string | undefined): E.Either<ApiError, string | undefined> => {
  if (name === undefined) return E.right(undefined)
  const length = codePoints(name)
  if (length > 128) return E.left(apiError('InvalidName.Malformed.TooLong', `HaVipName has ${String(length)} characters; at most 128 are allowed`))
  return nameText.test(name)
    ? E.right(name)
    : E.left(apiError('InvalidName.Malformed', `HaVipName ${JSON.stringify(name)} must start with a letter or a digit and hold only letters, digits, ".", "_" and "-"`))
}

/** Request check 3: at most 255 code points, a letter or digit first, then letters, digits and `,._ =-，。`. */
const descriptionOf = (description: string | undefined): E.Either<ApiError, string | undefined> => {
  if (description === undefined) return E.right(undefined)
  const length = codePoints(description)
  if (length > 255) return E.left(apiError('InvalidDescription.Malformed.TooLong', `Description has ${String(length)} characters; at most 255 are allowed`))
  return descriptionText.test(description)
    ? E.right(description)
    : E.left(apiError('InvalidDescription.Malformed', `Description ${JSON.stringify(description)} must start with a letter or a digit and hold only letters, digits, spaces and ",._=-，。"`))
}

/** Request checks 2–3: the name, then the description, each only when given. */
const attributesOf = (haVipName: string | undefined, description: string | undefined): E.Either<ApiError, { readonly haVipName?: string; readonly description?: string }> => {
  const name = nameOf(haVipName)
  if (E.isLeft(name)) return name
  const text = descriptionOf(description)
  if (E.isLeft(text)) return text
  return E.right({ ...(name.right === undefined ? {} : { haVipName: name.right }), ...(text.right === undefined ? {} : { description: text.right }) })
}

const maxTags = 50

/**
 * Request check 5: `Tags.N.Key` / `Tags.N.Value` (N ≥ 1, written without leading zeros, gaps
 * allowed), in the order of N, each checked in turn; then at most 50 tags. An empty value is absent.
 */
const tagsOf = (params: ReadonlyArray<readonly [string, string]>): E.Either<ApiError, ReadonlyArray<Tag> | undefined> => {
  const keys = new Map<number, string>()
  const values = new Map<number, string>()
  for (const [name, value] of params) {
    const m = /^Tags\.([^.]+)\.(Key|Value)$/.exec(name)
    const n = m?.[1] === undefined ? undefined : indexOf(m[1], Number.MAX_SAFE_INTEGER)
    if (n === undefined) return invalid(name, 'is not Tags.N.Key or Tags.N.Value (N from 1, written without leading zeros)')
    if (value === '') continue
    if (m?.[2] === 'Key') keys.set(n, value)
    else values.set(n, value)
  }
  const tags: Array<Tag> = []
  const seen = new Set<string>()
  for (const n of [...new Set([...keys.keys(), ...values.keys()])].sort((a, b) => a - b)) {
    const key = keys.get(n)
    const value = values.get(n) ?? ''
    const at = `Tags.${String(n)}`
    if (key === undefined) return invalid(`${at}.Key`, 'is missing; the tag has a value but no key')
    if (codePoints(key) > 128) return invalid(`${at}.Key`, `has ${String(codePoints(key))} characters; at most 128 are allowed`)
    if (/^(volc|sys):/i.test(key)) return invalid(`${at}.Key`, `${JSON.stringify(key)} starts with a prefix the system keeps for itself`)
    if (seen.has(key)) return invalid(`${at}.Key`, `repeats the key ${JSON.stringify(key)} of an earlier tag`)
    if (codePoints(value) > 256) return invalid(`${at}.Value`, `has ${String(codePoints(value))} characters; at most 256 are allowed`)
    seen.add(key)
    tags.push({ key, value })
  }
  if (tags.length > maxTags) return invalid('Tags', `${String(tags.length)} tags; at most ${String(maxTags)} are allowed`)
  return E.right(tags.length === 0 ? undefined : tags)
}

/** CreateHaVip's parameters, empty ones already absent. */
interface CreateParams {
  readonly SubnetId: string | undefined
  readonly IpAddress: string | undefined
  readonly HaVipName: string | undefined
  readonly Description: string | undefined
  /** Every `Tags.…` parameter, in the request's order. */
  readonly Tags: ReadonlyArray<readonly [string, string]>
  readonly ClientToken: string | undefined
}

/** CreateHaVip's request checks 1–6 (docs/rules.md), in order. */
const decodeCreate = (p: CreateParams): E.Either<ApiError, CreateHaVipRequest> => {
  const subnetId = required(p.SubnetId, 'SubnetId')
  if (E.isLeft(subnetId)) return subnetId
  const attributes = attributesOf(p.HaVipName, p.Description)
  if (E.isLeft(attributes)) return attributes
  if (p.IpAddress !== undefined && !isAddress(p.IpAddress)) {
    return E.left(apiError('InvalidIpAddress.Malformed', `IpAddress ${JSON.stringify(p.IpAddress)} is not four decimal numbers 0-255 without leading zeros`))
  }
  const tags = tagsOf(p.Tags)
  if (E.isLeft(tags)) return tags
  const clientToken = clientTokenOf(p.ClientToken)
  if (E.isLeft(clientToken)) return clientToken
  return E.right({
    action: 'CreateHaVip',
    subnetId: subnetId.right,
    ...(p.IpAddress === undefined ? {} : { ipAddress: p.IpAddress }),
    ...attributes.right,
    ...(tags.right === undefined ? {} : { tags: tags.right }),
    ...(clientToken.right === undefined ? {} : { clientToken: clientToken.right }),
  })
}

const decodeDelete = (p: { readonly HaVipId: string | undefined }): E.Either<ApiError, DeleteHaVipRequest> =>
  pipe(required(p.HaVipId, 'HaVipId'), E.map((haVipId) => ({ action: 'DeleteHaVip', haVipId })))

/** ModifyHaVipAttributes: `HaVipId`, then the name and description as CreateHaVip checks them. */
const decodeModify = (p: { readonly HaVipId: string | undefined; readonly HaVipName: string | undefined; readonly Description: string | undefined }): E.Either<ApiError, ModifyHaVipAttributesRequest> => {
  const haVipId = required(p.HaVipId, 'HaVipId')
  if (E.isLeft(haVipId)) return haVipId
  return pipe(attributesOf(p.HaVipName, p.Description), E.map((attributes) => ({ action: 'ModifyHaVipAttributes', haVipId: haVipId.right, ...attributes })))
}

const decodeTaskStatus = (p: { readonly AsyncTaskId: string | undefined }): E.Either<ApiError, GetAsyncTaskStatusRequest> =>
  pipe(required(p.AsyncTaskId, 'AsyncTaskId'), E.map((asyncTaskId) => ({ action: 'GetAsyncTaskStatus', asyncTaskId })))

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

const fieldsOf = (r: unknown): Readonly<Record<string, unknown>> => (typeof r === 'object' && r !== null ? r as Readonly<Record<string, unknown>> : {})

/** A typed request's tags as the wire's `Tags.N.Key` / `Tags.N.Value` parameters. */
const tagParams = (tags: unknown): ReadonlyArray<readonly [string, string]> =>
  Array.isArray(tags)
    ? tags.flatMap((t: unknown, i) => {
        const f = fieldsOf(t)
        const n = String(i + 1)
        return [[`Tags.${n}.Key`, typeof f.key === 'string' ? f.key : ''], [`Tags.${n}.Value`, typeof f.value === 'string' ? f.value : '']] as const
      })
    : []

/** CreateHaVip built in code, checked as the wire's would be. */
export const checkCreate = (r: unknown): E.Either<ApiError, CreateHaVipRequest> => {
  const f = fieldsOf(r)
  return decodeCreate({
    SubnetId: text(f.subnetId), IpAddress: text(f.ipAddress), HaVipName: text(f.haVipName), Description: text(f.description),
    Tags: tagParams(f.tags), ClientToken: text(f.clientToken),
  })
}

/** DeleteHaVip built in code, checked as the wire's would be. */
export const checkDelete = (r: unknown): E.Either<ApiError, DeleteHaVipRequest> => decodeDelete({ HaVipId: text(fieldsOf(r).haVipId) })

/** ModifyHaVipAttributes built in code, checked as the wire's would be. */
export const checkModify = (r: unknown): E.Either<ApiError, ModifyHaVipAttributesRequest> => {
  const f = fieldsOf(r)
  return decodeModify({ HaVipId: text(f.haVipId), HaVipName: text(f.haVipName), Description: text(f.description) })
}

/** GetAsyncTaskStatus built in code, checked as the wire's would be. */
export const checkTaskStatus = (r: unknown): E.Either<ApiError, GetAsyncTaskStatusRequest> => decodeTaskStatus({ AsyncTaskId: text(fieldsOf(r).asyncTaskId) })
