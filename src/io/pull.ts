import type { DescribePage, ResourceKind } from '../describe/pages.js'
import { kinds } from '../describe/pages.js'
import { apiVersion, serviceOf } from '../model/request.js'
import type { Credentials } from '../wire/signature.js'
import { signGet } from '../wire/signature.js'
import { UsageError } from './usage-error.js'

/** The vendor's public OpenAPI endpoint. */
export const defaultEndpoint = 'https://open.volcengineapi.com'

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
  readonly fetch?: typeof fetch
  readonly now?: () => Date
  readonly sleep?: (ms: number) => Promise<void>
}

const pageSize = 100
const timeoutMs = 30_000
const firstBackoffMs = 500
// The vendor's codes for "too many requests" and "try again".
const retryableCodes = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests', 'ServiceUnavailable', 'InternalError', 'UndefinedError'])

interface Answer {
  readonly status: number
  readonly body: unknown
}

interface VendorError {
  readonly Code?: unknown
  readonly Message?: unknown
}

/** The error in an answer's ResponseMetadata: any there is a refusal. */
const errorOf = (body: unknown): VendorError | undefined =>
  (body as { readonly ResponseMetadata?: { readonly Error?: VendorError | null } } | null | undefined)?.ResponseMetadata?.Error ?? undefined

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** One signed GET, tried again on throttling, 5xx and network failures; a refusal is a usage error naming the vendor's code. */
const call = async (options: PullOptions, action: string, params: ReadonlyArray<readonly [string, string]>): Promise<unknown> => {
  const endpoint = (options.endpoint ?? defaultEndpoint).replace(/\/+$/, '')
  const scope = { region: options.region, service: serviceOf(action) }
  const retries = options.retries ?? 4
  const doFetch = options.fetch ?? fetch
  const sleep = options.sleep ?? wait
  let last = ''
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(firstBackoffMs * 2 ** (attempt - 1))
    const headers = signGet('/', params, options.credentials, scope, (options.now ?? (() => new Date()))())
    let answer: Answer
    try {
      const query = new URLSearchParams(params.map(([name, value]): [string, string] => [name, value])).toString()
      const res = await doFetch(`${endpoint}/?${query}`, { headers, signal: AbortSignal.timeout(timeoutMs) })
      const text = await res.text()
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        // Not JSON: an answer without a body.
      }
      answer = { status: res.status, body }
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e)
      last = `cannot reach ${endpoint}: ${cause}`
      continue
    }
    const error = errorOf(answer.body)
    if (answer.status === 200 && error === undefined && typeof answer.body === 'object' && answer.body !== null) return answer.body
    const code = typeof error?.Code === 'string' ? error.Code : undefined
    last = `${action} was refused: HTTP ${String(answer.status)}${code === undefined ? '' : ` ${code}`}${typeof error?.Message === 'string' ? `: ${error.Message}` : ''}`
    // The vendor's words blame the secret key; a request signed for another region than the endpoint's is refused alike.
    if (code === 'SignatureDoesNotMatch') last += ` (signed for region ${options.region}: check that it is the endpoint's region, then the secret key)`
    if (!(answer.status === 429 || answer.status >= 500 || retryableCodes.has(code ?? ''))) break
  }
  throw new UsageError(last)
}

/**
 * Reads an account's HaVips, instances and ENIs with the vendor's Describe calls (DescribeHaVips
 * and DescribeNetworkInterfaces of service vpc, DescribeInstances of service ecs), signed, each paged
 * with `NextToken` to the end; the pages, for `buildSnapshot`.
 */
export const pullPages = async (options: PullOptions): Promise<ReadonlyArray<DescribePage>> => {
  const pages: Array<DescribePage> = []
  for (const kind of ['HaVips', 'Instances', 'NetworkInterfaces'] as const) {
    const { action, listKey } = kinds[kind]
    let token = ''
    let resources = 0
    for (let n = 1; ; n++) {
      const params: Array<readonly [string, string]> = [['Action', action], ['Version', apiVersion], ['MaxResults', String(pageSize)]]
      if (token !== '') params.push(['NextToken', token])
      if (options.vpcId !== undefined) params.push(['VpcId', options.vpcId])
      const json = await call(options, action, params)
      pages.push({ kind, source: `${action} page ${String(n)}`, json })
      const result = (json as { Result?: Record<string, unknown> }).Result ?? {}
      const list = result[listKey]
      resources += Array.isArray(list) ? list.length : 0
      options.onPage?.(kind, n, resources)
      const next = typeof result.NextToken === 'string' ? result.NextToken : ''
      if (next === '' || !Array.isArray(list) || list.length === 0) break
      if (next === token) throw new UsageError(`${action} gave the same NextToken twice (${JSON.stringify(next)}): stopped rather than loop`)
      token = next
    }
  }
  return pages
}
