import type { DescribePage, ResourceKind } from '../describe/pages.js'
import { kinds, responseError } from '../describe/pages.js'
import { apiVersion, serviceOf } from '../model/request.js'
import type { Credentials } from '../wire/signature.js'
import { signGet } from '../wire/signature.js'
import { printable } from './printable.js'
import { UsageError } from './usage-error.js'

/** The vendor's public OpenAPI endpoint. */
export const defaultEndpoint = 'https://open.volcengineapi.com'

/** How far a pull goes before it stops: an endpoint that never ends its pages, or sends too much, is refused. */
export interface PullLimits {
  /** Pages of one Describe call (default 2,000: 200,000 resources at 100 a page). */
  readonly maxPages: number
  /** Bytes of one answer's body, after decompression (default 16 MiB; a page of 100 resources is well under 1 MiB). */
  readonly maxBodyBytes: number
  /** Bytes of every body together (default 512 MiB). */
  readonly maxTotalBytes: number
}

export const defaultPullLimits: PullLimits = { maxPages: 2000, maxBodyBytes: 16 * 2 ** 20, maxTotalBytes: 512 * 2 ** 20 }

export interface PullOptions {
  readonly region: string
  /** Default: the vendor's public endpoint; a `havip serve` or a private endpoint otherwise. */
  readonly endpoint?: string
  readonly credentials: Credentials
  /** Only the resources of this VPC. */
  readonly vpcId?: string
  /** After each page: which kind, how many pages and resources so far. */
  readonly onPage?: (kind: ResourceKind, pages: number, resources: number) => void
  /** How often a throttled, failed (5xx) or unreachable call is tried again (default 4), after waits of 0.5, 1, 2, 4 s. */
  readonly retries?: number
  /** Any of the limits, the others at their defaults. */
  readonly limits?: Partial<PullLimits>
  readonly fetch?: typeof fetch
  readonly now?: () => Date
  readonly sleep?: (ms: number) => Promise<void>
}

const pageSize = 100
const timeoutMs = 30_000
const firstBackoffMs = 500
// The vendor's codes for "too many requests" and "try again".
const retryableCodes = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests', 'ServiceUnavailable', 'InternalError', 'UndefinedError'])

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const mib = (bytes: number): string => (bytes % 2 ** 20 === 0 ? `${String(bytes / 2 ** 20)} MiB` : `${String(bytes)} bytes`)

/** A URL as it may be printed: any password in it replaced by `***`, control characters escaped. */
const redacted = (url: URL): string => {
  const copy = new URL(url.href)
  if (copy.password !== '') copy.password = '***'
  return printable(copy.href)
}

/** The endpoint as it may be printed, as the user wrote it: without the trailing slash. */
const shown = (url: URL): string => redacted(url).replace(/\/+$/, '')

/**
 * The endpoint to call, checked before any call is made: a URL of scheme http or https, without a
 * user name or password (the requests are signed; a password in the URL would only be printed).
 */
export const endpointUrl = (text: string): URL => {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    // Reported below.
  }
  if (!hasScheme && (url === undefined || !['http:', 'https:'].includes(url.protocol))) {
    throw new UsageError(`--endpoint ${printable(text)}: the scheme is missing: write http://${printable(text)} (or https://)`)
  }
  if (url === undefined) throw new UsageError(`--endpoint ${printable(text.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@'))}: not a URL`)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint ${shown(url)}: the scheme must be http or https`)
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`--endpoint ${shown(url)}: a user name or password in the URL is not sent (every request is signed with the access key); leave it out`)
  }
  return url
}

/** The body of an answer, read no further than `limit` bytes (after decompression); past it, `tooBig` says which limit stopped the pull. */
const readBody = async (res: Response, limit: number, tooBig: (encoded: boolean) => UsageError): Promise<string> => {
  const encoded = (res.headers.get('content-encoding') ?? '') !== ''
  const declared = Number(res.headers.get('content-length') ?? '')
  if (!encoded && Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel()
    throw tooBig(encoded)
  }
  if (res.body === null) return ''
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      throw tooBig(encoded)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

interface Answer {
  readonly status: number
  readonly text: string
}

/** One GET, its body read within the limit; a redirect is refused (the signature would go with it). */
const fetchOnce = async (doFetch: typeof fetch, url: URL, headers: Readonly<Record<string, string>>, what: string, limit: number, tooBig: (encoded: boolean) => UsageError): Promise<Answer> => {
  const res = await doFetch(url.href, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel()
    const location = res.headers.get('location')
    let target: URL | undefined
    try {
      target = location === null ? undefined : new URL(location, url)
    } catch {
      // Named as given below.
    }
    const where = target === undefined ? printable(location ?? '(no Location)') : redacted(target)
    const elsewhere = target !== undefined && target.host !== url.host ? ' (another host)' : ''
    throw new UsageError(`${what}: the endpoint redirects to ${where}${elsewhere}: not followed (signed requests go only where --endpoint says)`)
  }
  return { status: res.status, text: await readBody(res, limit, tooBig) }
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON: an answer without a body.
    return undefined
  }
}

interface Call {
  readonly url: URL
  readonly options: PullOptions
  readonly limits: PullLimits
  /** Bytes read so far, every body together. */
  bytes: number
}

/** One signed GET, tried again on throttling, 5xx and network failures; a refusal is a usage error naming the vendor's code. */
const call = async (c: Call, action: string, params: ReadonlyArray<readonly [string, string]>, what: string): Promise<unknown> => {
  const { options, limits } = c
  const scope = { region: options.region, service: serviceOf(action) }
  const retries = options.retries ?? 4
  const doFetch = options.fetch ?? fetch
  const sleep = options.sleep ?? wait
  const url = new URL(`${c.url.href.replace(/\/+$/, '')}/?${new URLSearchParams(params.map(([name, value]): [string, string] => [name, value])).toString()}`)
  let last = ''
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(firstBackoffMs * 2 ** (attempt - 1))
    const headers = signGet('/', params, options.credentials, scope, (options.now ?? (() => new Date()))())
    // The limit of one body, or what is left of the limit of the whole pull when that is less.
    const left = limits.maxTotalBytes - c.bytes
    const whole = left < limits.maxBodyBytes
    const tooBig = (encoded: boolean) => new UsageError(whole
      ? `${what}: the answers' bodies together are larger than ${mib(limits.maxTotalBytes)}${encoded ? ' once decompressed' : ''} (the limit of one pull): stopped`
      : `${what}: the answer's body is larger than ${mib(limits.maxBodyBytes)}${encoded ? ' once decompressed' : ''} (the limit of one page): stopped`)
    let answer: Answer
    try {
      answer = await fetchOnce(doFetch, url, headers, what, whole ? left : limits.maxBodyBytes, tooBig)
    } catch (e) {
      if (e instanceof UsageError) throw e
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e)
      last = `cannot reach ${shown(c.url)}: ${printable(cause)}`
      continue
    }
    c.bytes += Buffer.byteLength(answer.text)
    const body = parsed(answer.text)
    const error = responseError(body)
    if (answer.status === 200 && error === undefined && typeof body === 'object' && body !== null) return body
    const code = error?.code
    last = `${action} was refused: HTTP ${String(answer.status)}${code === undefined ? '' : ` ${printable(code)}`}${error?.message === undefined ? '' : `: ${printable(error.message)}`}`
    // The vendor's words blame the secret key; a request signed for another region than the endpoint's is refused alike.
    if (code === 'SignatureDoesNotMatch') last += ` (signed for region ${options.region}: check that it is the endpoint's region, then the secret key)`
    if (!(answer.status === 429 || answer.status >= 500 || retryableCodes.has(code ?? ''))) break
  }
  throw new UsageError(last)
}

const idsOf = (list: ReadonlyArray<unknown>, idField: string): ReadonlyArray<string> =>
  list.flatMap((item) => {
    const id = typeof item === 'object' && item !== null && Object.hasOwn(item, idField) ? (item as Readonly<Record<string, unknown>>)[idField] : undefined
    return typeof id === 'string' && id !== '' ? [id] : []
  })

/** One Describe call, and what names its pages in messages. */
interface Listing {
  readonly action: string
  readonly listKey: string
  readonly idField: string
  /** Its filters: the VPC, the route table. */
  readonly filters: ReadonlyArray<readonly [string, string]>
  /** `DescribeHaVips`, or `DescribeRouteEntryList of vtb-1`: its pages are `… page N`. */
  readonly name: string
}

/**
 * Every page of one call, following `NextToken` to the end; `onPage` sees each page's JSON and the
 * length of its list. A token seen before, a page of resources already listed, or more pages than
 * the limit stop the pull.
 */
const pageAll = async (c: Call, l: Listing, onPage: (source: string, json: unknown, listed: number) => void): Promise<void> => {
  let token = ''
  // Each token given, with the page that gave it; each id listed.
  const tokens = new Map<string, number>()
  const seen = new Set<string>()
  for (let n = 1; ; n++) {
    if (n > c.limits.maxPages) {
      throw new UsageError(`${l.name}: still a NextToken after ${String(c.limits.maxPages)} pages (the limit of one call, --max-pages): stopped`)
    }
    const params: Array<readonly [string, string]> = [['Action', l.action], ['Version', apiVersion], ['MaxResults', String(pageSize)]]
    if (token !== '') params.push(['NextToken', token])
    params.push(...l.filters)
    const source = `${l.name} page ${String(n)}`
    const json = await call(c, l.action, params, source)
    const result = (json as { Result?: Record<string, unknown> }).Result ?? {}
    const list = result[l.listKey]
    onPage(source, json, Array.isArray(list) ? list.length : 0)
    const next = typeof result.NextToken === 'string' ? result.NextToken : ''
    if (next === '' || !Array.isArray(list) || list.length === 0) return
    const earlier = tokens.get(next)
    if (earlier !== undefined) {
      throw new UsageError(`${source} gives NextToken ${printable(JSON.stringify(next))} again, as page ${String(earlier)} did: the pages loop; stopped`)
    }
    const ids = idsOf(list, l.idField)
    if (ids.length > 0 && ids.every((id) => seen.has(id))) {
      throw new UsageError(`${source} lists only ${l.listKey} earlier pages listed, with a new NextToken: the pages do not advance; stopped`)
    }
    for (const id of ids) seen.add(id)
    tokens.set(next, n)
    token = next
  }
}

/**
 * Reads an account's HaVips, instances, ENIs, subnets and route entries with the vendor's Describe
 * calls (DescribeHaVips, DescribeNetworkInterfaces and DescribeSubnets of service vpc,
 * DescribeInstances of service ecs; DescribeRouteTableList, then DescribeRouteEntryList of each
 * route table), signed, each paged with `NextToken` to the end; the pages, for `buildSnapshot`.
 * An endpoint whose pages do not end (a token seen before, a page of resources already listed,
 * more pages or bytes than the limits) is refused, saying which limit stopped it.
 */
export const pullPages = async (options: PullOptions): Promise<ReadonlyArray<DescribePage>> => {
  const c: Call = { url: endpointUrl(options.endpoint ?? defaultEndpoint), options, limits: { ...defaultPullLimits, ...options.limits }, bytes: 0 }
  const vpc: ReadonlyArray<readonly [string, string]> = options.vpcId === undefined ? [] : [['VpcId', options.vpcId]]
  const pages: Array<DescribePage> = []
  const counts = new Map<ResourceKind, { pages: number; resources: number }>()
  const collect = (kind: ResourceKind) => (source: string, json: unknown, listed: number): void => {
    pages.push({ kind, source, json })
    const count = counts.get(kind) ?? { pages: 0, resources: 0 }
    count.pages++
    count.resources += listed
    counts.set(kind, count)
    options.onPage?.(kind, count.pages, count.resources)
  }
  for (const kind of ['HaVips', 'Instances', 'NetworkInterfaces', 'Subnets'] as const) {
    const { action, listKey, idField } = kinds[kind]
    await pageAll(c, { action, listKey, idField, filters: vpc, name: action }, collect(kind))
  }
  // The route entries of every route table of the VPCs pulled.
  const tables = new Set<string>()
  await pageAll(c, { action: 'DescribeRouteTableList', listKey: 'RouteTableList', idField: 'RouteTableId', filters: vpc, name: 'DescribeRouteTableList' }, (_source, json) => {
    const list = (json as { Result?: Record<string, unknown> }).Result?.RouteTableList
    for (const id of Array.isArray(list) ? idsOf(list, 'RouteTableId') : []) tables.add(id)
  })
  const { action, listKey, idField } = kinds.RouteEntries
  for (const table of tables) {
    await pageAll(c, { action, listKey, idField, filters: [['RouteTableId', table]], name: `${action} of ${printable(table, 80)}` }, collect('RouteEntries'))
  }
  return pages
}
