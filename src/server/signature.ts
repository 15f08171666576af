import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'

/**
 * The vendor's request signature (HMAC-SHA256, as `@volcengine/openapi` signs), checked the way
 * the gateway does: who (the access key), when (`X-Date` within 15 minutes), and what (the
 * canonical request, re-computed here and compared with the signature sent).
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

const maxSkewMs = 15 * 60 * 1000

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

interface Authorization {
  readonly accessKey: string
  readonly scope: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

const parseAuthorization = (header: string): Authorization | undefined => {
  const match = /^HMAC-SHA256 Credential=([^/,\s]+)\/([^,\s]+), ?SignedHeaders=([^,\s]*), ?Signature=([0-9a-f]{64})$/i.exec(header.trim())
  if (match === null) return undefined
  const [, accessKey = '', scope = '', signedHeaders = '', signature = ''] = match
  return { accessKey, scope, signedHeaders: signedHeaders.split(';').filter(Boolean), signature: signature.toLowerCase() }
}

/** `20261126T031500Z` → epoch ms, or NaN. */
const parseXDate = (text: string): number => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  return m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

const canonicalRequest = (r: SignedRequest, signedHeaders: ReadonlyArray<string>, bodyHash: string): string =>
  [
    r.method.toUpperCase(),
    r.path,
    canonicalQuery(r.query),
    `${signedHeaders.map((name) => `${name}:${headerValue(r.headers[name])}`).join('\n')}\n`,
    signedHeaders.join(';'),
    bodyHash,
  ].join('\n')

/** Checks a request's signature against the credentials, at time `now` (epoch ms). */
export const verifySignature = (r: SignedRequest, credentials: SecretKeys, now: number): E.Either<ApiError, void> => {
  const header = r.headers.authorization
  if (typeof header !== 'string' || header === '') {
    return E.left(apiError('MissingAuthenticationToken', 'the request has no Authorization header'))
  }
  const auth = parseAuthorization(header)
  if (auth === undefined) {
    return E.left(apiError('MissingAuthenticationToken', 'the Authorization header is not "HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"'))
  }
  const secret = credentials.get(auth.accessKey)
  if (secret === undefined) {
    return E.left(apiError('InvalidAccessKey', `access key ${auth.accessKey} is not configured`, { name: auth.accessKey }))
  }
  const xDate = headerValue(r.headers['x-date'])
  const signedAt = parseXDate(xDate)
  if (!(Math.abs(now - signedAt) <= maxSkewMs)) {
    return E.left(apiError('InvalidTimestamp', `X-Date ${JSON.stringify(xDate)} is not within 15 minutes of the server's clock`))
  }
  const [date = '', region = '', service = '', terminator = ''] = auth.scope.split('/')
  const mismatch = (why: string) => E.left(apiError('SignatureDoesNotMatch', why))
  if (date !== xDate.slice(0, 8) || terminator !== 'request' || service === '' || region === '') {
    return mismatch(`the credential scope ${auth.scope} does not match X-Date ${xDate}`)
  }
  if (!auth.signedHeaders.includes('x-date') || auth.signedHeaders.some((h) => unsignable.has(h))) {
    return mismatch('SignedHeaders must include x-date and no unsignable header')
  }
  const bodyHash = sha256(r.body)
  const declared = r.headers['x-content-sha256']
  if (declared !== undefined && headerValue(declared) !== bodyHash) {
    return mismatch('X-Content-Sha256 is not the SHA-256 of the body')
  }
  const stringToSign = ['HMAC-SHA256', xDate, auth.scope, sha256(canonicalRequest(r, auth.signedHeaders, bodyHash))].join('\n')
  const key = hmac(hmac(hmac(hmac(secret, date), region), service), 'request')
  const expected = hmac(key, stringToSign)
  const given = Buffer.from(auth.signature, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? E.right(undefined)
    : mismatch('the signature is not the one the secret key gives for this request')
}
