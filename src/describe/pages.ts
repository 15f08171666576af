import type { Problem } from '../codec/problems.js'
import { childPath } from '../codec/problems.js'

/** The lists of a snapshot that Describe pages make, by the snapshot's key. */
export type ResourceKind = 'HaVips' | 'Instances' | 'NetworkInterfaces' | 'Subnets' | 'RouteEntries'

/** What each kind's Describe call is called, where its list is, and what names an item. */
export interface KindSpec {
  readonly action: 'DescribeHaVips' | 'DescribeInstances' | 'DescribeNetworkInterfaces' | 'DescribeSubnets' | 'DescribeRouteEntryList'
  /** The list's key in `Result`. */
  readonly listKey: string
  readonly idField: string
  /** The field a call is asked for one value of, so that each value's pages have a `TotalCount` of their own (a route table's entries). */
  readonly perField?: string
}

export const kinds: Readonly<Record<ResourceKind, KindSpec>> = {
  HaVips: { action: 'DescribeHaVips', listKey: 'HaVips', idField: 'HaVipId' },
  Instances: { action: 'DescribeInstances', listKey: 'Instances', idField: 'InstanceId' },
  NetworkInterfaces: { action: 'DescribeNetworkInterfaces', listKey: 'NetworkInterfaceSets', idField: 'NetworkInterfaceId' },
  Subnets: { action: 'DescribeSubnets', listKey: 'Subnets', idField: 'SubnetId' },
  RouteEntries: { action: 'DescribeRouteEntryList', listKey: 'RouteEntries', idField: 'RouteEntryId', perField: 'RouteTableId' },
}

/** One saved Describe page: what kind it is meant to be, where it came from (a file name), and its JSON. */
export interface DescribePage {
  readonly kind: ResourceKind
  /** Names the page in messages: a file name, say. */
  readonly source: string
  readonly json: unknown
}

/** A page's items, each with where it was, and what the page says of its region and totals. */
export interface ReadPage {
  readonly kind: ResourceKind
  readonly source: string
  readonly items: ReadonlyArray<{ readonly id: string; readonly item: Readonly<Record<string, unknown>>; readonly path: string }>
  readonly region?: string
  readonly totalCount?: number
  /** Where `totalCount` is in the page: `Result.TotalCount`, or `TotalCount` in a page saved as its Result. */
  readonly totalCountPath: string
}

/** A problem of one page: the page, the JSON path in it, what is wrong. */
export interface PageProblem extends Problem {
  readonly source: string
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

const own = (o: Readonly<Record<string, unknown>>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

/** Which kind's list a Result without its own kind's list holds, by its key. */
const kindIn = (result: Readonly<Record<string, unknown>>): ResourceKind | undefined =>
  (Object.keys(kinds) as ReadonlyArray<ResourceKind>).find((k) => Object.hasOwn(result, kinds[k].listKey))

/** How deep a resource may nest: the vendor's go a few levels down (tags, interfaces, address sets); far deeper is a damaged or hostile page. */
export const maxItemDepth = 64

interface Nested {
  readonly value: unknown
  readonly depth: number
  /** Where the value is in its parent; the item itself has none. */
  readonly in?: { readonly parent: Nested; readonly key: string | number }
}

const pathTo = (n: Nested, base: string): string => (n.in === undefined ? base : childPath(pathTo(n.in.parent, base), n.in.key))

/** The JSON path of the first value nested more than `maxItemDepth` levels inside `item`, found without recursion. */
const tooDeep = (item: unknown, path: string): string | undefined => {
  const stack: Array<Nested> = [{ value: item, depth: 0 }]
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    const { value, depth } = n
    if (typeof value !== 'object' || value === null) continue
    if (depth > maxItemDepth) return pathTo(n, path)
    if (Array.isArray(value)) value.forEach((child: unknown, i) => stack.push({ value: child, depth: depth + 1, in: { parent: n, key: i } }))
    else for (const [key, child] of Object.entries(value)) stack.push({ value: child, depth: depth + 1, in: { parent: n, key } })
  }
  return undefined
}

/** What a response's `ResponseMetadata.Error` says: its code and message where it has them. */
export interface ResponseError {
  readonly code?: string
  readonly message?: string
}

/**
 * The error a response carries: any value of `ResponseMetadata.Error` but `null` makes it an error
 * response, an object (`{Code, Message}`) as the vendor writes it, or a bare text as some proxies do.
 */
export const responseError = (json: unknown): ResponseError | undefined => {
  const meta = isObject(json) ? own(json, 'ResponseMetadata') : undefined
  const error = isObject(meta) ? own(meta, 'Error') : undefined
  if (error === undefined || error === null) return undefined
  if (!isObject(error)) return { message: typeof error === 'string' ? error : `(${Array.isArray(error) ? 'a list' : typeof error})` }
  const code = own(error, 'Code')
  const message = own(error, 'Message')
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) }
}

/** The `havip snapshot build` flag of each kind. */
export const flagOf: Readonly<Record<ResourceKind, string>> = { HaVips: '--havips', Instances: '--instances', NetworkInterfaces: '--enis', Subnets: '--subnets', RouteEntries: '--route-entries' }

/**
 * Reads one page as the API, the vendor SDK or its command line saves it: the whole body
 * (`{ResponseMetadata, Result}`), its `Result`, or the bare list. Refuses an error response, a page
 * of another kind, and items without their id, each with the JSON path.
 */
export const readPage = (page: DescribePage): { readonly ok: true; readonly page: ReadPage } | { readonly ok: false; readonly problems: ReadonlyArray<PageProblem> } => {
  const spec = kinds[page.kind]
  const problem = (path: string, message: string) => ({ ok: false as const, problems: [{ source: page.source, path, message }] })
  let result: unknown = page.json
  let resultPath = ''
  let region: string | undefined
  // A whole body: its metadata (when it has them) and its Result.
  if (isObject(page.json) && (Object.hasOwn(page.json, 'ResponseMetadata') || Object.hasOwn(page.json, 'Result'))) {
    const meta = own(page.json, 'ResponseMetadata') ?? {}
    if (!isObject(meta)) return problem('ResponseMetadata', 'expected an object')
    const error = responseError(page.json)
    if (error !== undefined) {
      return problem('ResponseMetadata.Error', `the page is an error response: ${error.code ?? '(no code)'}${error.message === undefined ? '' : ` (${error.message})`}`)
    }
    const action = own(meta, 'Action')
    if (typeof action === 'string' && action !== spec.action) {
      return problem('ResponseMetadata.Action', `is ${action}; ${flagOf[page.kind]} takes ${spec.action} pages`)
    }
    const r = own(meta, 'Region')
    if (typeof r === 'string' && r !== '') region = r
    result = own(page.json, 'Result')
    resultPath = 'Result'
    if (!isObject(result)) return problem('Result', 'expected the Result object of a Describe response')
  }
  let list: unknown = result
  let listPath = resultPath
  let totalCount: number | undefined
  if (isObject(result)) {
    if (!Object.hasOwn(result, spec.listKey)) {
      const other = kindIn(result)
      return problem(resultPath, other === undefined
        ? `has no ${spec.listKey}: not a ${spec.action} page`
        : `is a ${kinds[other].action} page (${kinds[other].listKey}); give it as ${flagOf[other]}, not ${flagOf[page.kind]}`)
    }
    list = own(result, spec.listKey)
    listPath = childPath(resultPath, spec.listKey)
    const total = own(result, 'TotalCount')
    // Not a number is not a safe integer either.
    if (Number.isSafeInteger(total)) totalCount = total as number
  }
  if (!Array.isArray(list)) return problem(listPath, `expected the list of ${spec.action}, got ${list === null ? 'null' : typeof list}`)
  const items: Array<ReadPage['items'][number]> = []
  const problems: Array<PageProblem> = []
  list.forEach((item: unknown, i) => {
    const path = childPath(listPath, i)
    const id = isObject(item) ? own(item, spec.idField) : undefined
    if (!isObject(item) || typeof id !== 'string' || id === '') {
      problems.push({ source: page.source, path: isObject(item) ? childPath(path, spec.idField) : path, message: `expected an item with its ${spec.idField}` })
      return
    }
    const deep = tooDeep(item, path)
    if (deep !== undefined) {
      problems.push({ source: page.source, path: deep, message: `nested more than ${String(maxItemDepth)} levels deep in the item: not a resource of the vendor's` })
      return
    }
    items.push({ id, item, path })
  })
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    page: { kind: page.kind, source: page.source, items, region, totalCount, totalCountPath: childPath(resultPath, 'TotalCount') },
  }
}
