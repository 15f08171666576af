import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'

/**
 * The vendor's request signature (HMAC-SHA256, as `@volcengine/openapi` makes it), both ways: the
 * server checks it the way the gateway does — who (the access key), when (`X-Date` a real time
 * within 15 minutes), where (the credential scope: this day, this region, this service), and what
 * (the canonical request, recomputed and compared) — and `havip snapshot pull` signs with it.
 */

/** What a signature covers, as the server received it. */
export interface SignedRequest {
  readonly method: string
  readonly path: string
  /** The query string's pairs, decoded, in any order. */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Buffer
}

/** Access key id → secret key. */
export type SecretKeys = ReadonlyMap<string, string>

/** Where a signature is valid: the served region, and the service of the action. */
export interface Scope {
  readonly region: string
  readonly service: string
}

const maxSkewMs = 15 * 60 * 1000
const algorithm = 'HMAC-SHA256'

// The SDK signs every header it set except these (and it sets Host, Content-Type and User-Agent later).
const unsignable = new Set(['authorization', 'content-type', 'content-length', 'user-agent', 'presigned-expires', 'expect'])

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()

// The SDK's `uriEscape`: encodeURIComponent, then the characters it leaves and RFC 3986 reserves.
const uriEscape = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const canonicalQuery = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const byName = new Map<string, Array<string>>()
  for (const [name, value] of pairs) byName.set(name, [...(byName.get(name) ?? []), value])
  return [...byName.keys()].sort().map((name) => {
    const values = (byName.get(name) ?? []).map(uriEscape).sort()
    return values.map((v) => `${uriEscape(name)}=${v}`).join('&')
  }).join('&')
}

const headerValue = (value: string | ReadonlyArray<string> | undefined): string =>
  (typeof value === 'string' ? value : (value ?? []).join(',')).replace(/\s+/g, ' ').trim()

const canonicalRequest = (r: SignedRequest, signedHeaders: ReadonlyArray<string>, bodyHash: string): string =>
  [
    r.method.toUpperCase(),
    r.path,
    canonicalQuery(r.query),
    `${signedHeaders.map((name) => `${name}:${headerValue(r.headers[name])}`).join('\n')}\n`,
    signedHeaders.join(';'),
    bodyHash,
  ].join('\n')

const signingKey = (secret: string, date: string, scope: Scope): Buffer =>
  hmac(hmac(hmac(hmac(secret, date), scope.region), scope.service), 'request')

const stringToSign = (xDate: string, credentialScope: string, canonical: string): string =>
  [algorithm, xDate, credentialScope, sha256(canonical)].join('\n')

interface Authorization {
  readonly accessKey: string
  readonly scope: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

// Exactly the SDK's form: the keywords in their case, a lowercase hex signature.
const authorizationForm = /^HMAC-SHA256 Credential=([^/,\s]+)\/([^,\s]+), ?SignedHeaders=([a-z0-9-;]*), ?Signature=([0-9a-f]{64})$/

const parseAuthorization = (header: string): Authorization | undefined => {
  const match = authorizationForm.exec(header.trim())
  if (match === null) return undefined
  // The form has four groups, none optional.
  const [accessKey, scope, signedHeaders, signature] = match.slice(1) as [string, string, string, string]
  return { accessKey, scope, signedHeaders: signedHeaders.split(';'), signature }
}

/** `Date` → `20261126T031500Z`. */
export const formatXDate = (date: Date): string => `${date.toISOString().slice(0, 19).replace(/[:-]/g, '')}Z`

/** `20261126T031500Z` → epoch ms, only for a time that exists (no 61st second, no 30 February); else NaN. */
export const parseXDate = (text: string): number => {
  // Unanchored: the round trip below refuses anything before or after.
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(text)
  if (m === null) return NaN
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls impossible values over (minute 60 becomes the next hour): a time that exists writes back the same.
  return formatXDate(new Date(ms)) === text ? ms : NaN
}

/**
 * Checks a request's signature against the secret keys, at time `now` (epoch ms), for the served
 * region and the service of the action asked for.
 */
export const verifySignature = (r: SignedRequest, keys: SecretKeys, scope: Scope, now: number): E.Either<ApiError, void> => {
  const header = r.headers.authorization
  if (typeof header !== 'string' || header === '') {
    return E.left(apiError('MissingAuthenticationToken', 'the request has no Authorization header'))
  }
  const auth = parseAuthorization(header)
  if (auth === undefined) {
    return E.left(apiError('MissingAuthenticationToken', 'the Authorization header is not "HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"'))
  }
  const secret = keys.get(auth.accessKey)
  if (secret === undefined) {
    return E.left(apiError('InvalidAccessKey', `access key ${auth.accessKey} is not configured`, { name: auth.accessKey }))
  }
  const xDate = headerValue(r.headers['x-date'])
  const signedAt = parseXDate(xDate)
  if (!(Math.abs(now - signedAt) <= maxSkewMs)) {
    return E.left(apiError('InvalidTimestamp', `X-Date ${JSON.stringify(xDate)} is not a time within 15 minutes of the server's clock`))
  }
  const mismatch = (why: string) => E.left(apiError('SignatureDoesNotMatch', why))
  const expectedScope = `${xDate.slice(0, 8)}/${scope.region}/${scope.service}/request`
  if (auth.scope !== expectedScope) {
    const signedFor = auth.scope.split('/')[1]
    if (signedFor !== undefined && signedFor !== scope.region) {
      // The vendor's words blame the secret key; a region set wrong in the client is the usual cause, so say which is served.
      const e = apiError('SignatureDoesNotMatch', `the request is signed for region ${signedFor}; this server serves region ${scope.region} (the snapshot's Region)`)
      return E.left({ ...e, message: `${e.message} The request is signed for region ${signedFor}; this server serves region ${scope.region}.` })
    }
    return mismatch(`the credential scope ${auth.scope} is not ${expectedScope} (the X-Date's day, the served region, the action's service)`)
  }
  if (!auth.signedHeaders.includes('x-date') || auth.signedHeaders.some((h) => unsignable.has(h))) {
    return mismatch('SignedHeaders must include x-date and no unsignable header')
  }
  const bodyHash = sha256(r.body)
  const declared = r.headers['x-content-sha256']
  if (declared !== undefined && headerValue(declared) !== bodyHash) {
    return mismatch('X-Content-Sha256 is not the SHA-256 of the body')
  }
  const canonical = canonicalRequest(r, auth.signedHeaders, bodyHash)
  const expected = hmac(signingKey(secret, xDate.slice(0, 8), scope), stringToSign(xDate, auth.scope, canonical))
  // The form admits only 64 hex digits: 32 bytes, the HMAC's length, as timingSafeEqual needs.
  return timingSafeEqual(Buffer.from(auth.signature, 'hex'), expected)
    ? E.right(undefined)
    : mismatch('the signature is not the one the secret key gives for this request')
}

/** An access key and its secret, as the vendor SDK names them. */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretKey: string
}

/**
 * The headers that sign a GET request (as the vendor SDK signs one): `X-Date` and `Authorization`,
 * the only signed header being `x-date`.
 */
export const signGet = (
  path: string,
  query: ReadonlyArray<readonly [string, string]>,
  credentials: Credentials,
  scope: Scope,
  now: Date,
): { readonly 'X-Date': string; readonly Authorization: string } => {
  const xDate = formatXDate(now)
  const credentialScope = `${xDate.slice(0, 8)}/${scope.region}/${scope.service}/request`
  const request: SignedRequest = { method: 'GET', path, query, headers: { 'x-date': xDate }, body: Buffer.alloc(0) }
  const canonical = canonicalRequest(request, ['x-date'], sha256(''))
  const signature = hmac(signingKey(credentials.secretKey, xDate.slice(0, 8), scope), stringToSign(xDate, credentialScope, canonical)).toString('hex')
  return {
    'X-Date': xDate,
    Authorization: `${algorithm} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=x-date, Signature=${signature}`,
  }
}
