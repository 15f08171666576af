import { createHash } from 'node:crypto'
import { Signer } from '@volcengine/openapi'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { SignedRequest } from '../src/wire/signature.js'
import { formatXDate, parseXDate, signGet, verifySignature } from '../src/wire/signature.js'

/**
 * The signature check on its own, against requests signed by the vendor SDK's Signer (the
 * reference): the 15-minute window to the second on both sides, the credential scope against the
 * X-Date, what SignedHeaders must hold, the body against X-Content-Sha256, and every way a request
 * can change after it was signed.
 */

const accessKeyId = 'AKLTsignature'
const secretKey = 'c2lnbmF0dXJlLXNlY3JldA=='
const keys = new Map([[accessKeyId, secretKey]])
const scope = { region: 'cn-beijing', service: 'vpc' }
const signedAt = new Date(Date.UTC(2026, 10, 26, 12, 0, 0))
const query = { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: 'i-1' }

/** A request as the SDK signs it at `at`, as the server would receive it. */
type Options = { method?: string; body?: string; params?: Record<string, string | Array<string>>; headers?: Record<string, string | Array<string>>; region?: string; service?: string }
const signed = (at: Date, options: Options = {}): SignedRequest => {
  const request = {
    region: options.region ?? scope.region, method: options.method ?? 'GET', pathname: '/', params: { ...(options.params ?? query) },
    headers: { ...options.headers } as Record<string, string | Array<string>>, ...(options.body === undefined ? {} : { body: options.body }),
  }
  new Signer(request, options.service ?? scope.service).addAuthorization({ accessKeyId, secretKey }, at)
  return {
    method: request.method,
    path: '/',
    query: Object.entries(request.params).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const)),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(options.body ?? ''),
  }
}

const verdict = (r: SignedRequest, now: number = signedAt.getTime()) => {
  const checked = verifySignature(r, keys, scope, now)
  return E.isRight(checked) ? 'ok' : `${checked.left.id}: ${checked.left.facts}`
}

const withHeaders = (r: SignedRequest, headers: Record<string, string | undefined>): SignedRequest => ({ ...r, headers: { ...r.headers, ...headers } })
const authorization = (r: SignedRequest): string => String(r.headers.authorization)

describe('verifySignature', () => {
  it('accepts what the vendor SDK signs, GET and POST with a body', () => {
    expect(verdict(signed(signedAt))).toBe('ok')
    expect(verdict(signed(signedAt, { method: 'POST', body: 'HaVipId=havip-1&InstanceId=i-1' }))).toBe('ok')
  })

  it('accepts what the SDK signs with characters it escapes, repeated names in any order, and headers of its own', () => {
    // Each value escaped as the SDK escapes it (!'()* too, in upper-case hex); repeated names sorted by value.
    expect(verdict(signed(signedAt, { params: { ...query, ClientToken: "a!b'c(d)e*f g/h~é" } }))).toBe('ok')
    const repeated = signed(signedAt, { params: { ...query, 'HaVipIds.1': ['b', 'a', 'c'] } })
    expect(repeated.query.filter(([name]) => name === 'HaVipIds.1').map(([, v]) => v)).toEqual(['b', 'a', 'c'])
    expect(verdict(repeated)).toBe('ok')
    // Header values compared with runs of white space made one space and trimmed, a list joined with commas.
    expect(verdict(signed(signedAt, { headers: { 'X-Note': '  two   words\there ' } }))).toBe('ok')
    expect(verdict(signed(signedAt, { headers: { 'X-List': ['a', 'b'] } }))).toBe('ok')
    // A signed header sent empty reads the same when left out.
    const empty = signed(signedAt, { headers: { 'X-Empty': '' } })
    expect(authorization(empty)).toContain('SignedHeaders=x-date;x-empty,')
    expect(verdict(withHeaders(empty, { 'x-empty': undefined }))).toBe('ok')
  })

  it('accepts the SDK\'s Authorization form with or without a space after its commas, and around it, nothing else', () => {
    const r = signed(signedAt)
    const auth = authorization(r)
    expect(verdict(withHeaders(r, { authorization: auth.replaceAll(', ', ',') }))).toBe('ok')
    expect(verdict(withHeaders(r, { authorization: auth.replace(', Signature', ',Signature') }))).toBe('ok')
    expect(verdict(withHeaders(r, { authorization: auth.replace(', SignedHeaders', ',SignedHeaders') }))).toBe('ok')
    expect(verdict(withHeaders(r, { authorization: ` ${auth} ` }))).toBe('ok')
    for (const malformed of [`x${auth}`, `${auth}0`, `${auth},`]) {
      expect(verdict(withHeaders(r, { authorization: malformed })), malformed).toMatch(/^MissingAuthenticationToken: the Authorization header is not/)
    }
  })

  it('accepts an X-Date up to 15 minutes from the clock, either way, to the second, and no further', () => {
    const r = signed(signedAt)
    const minutes = (m: number, s = 0) => signedAt.getTime() + (m * 60 + s) * 1000
    expect(verdict(r, minutes(15))).toBe('ok')
    expect(verdict(r, minutes(-15))).toBe('ok')
    expect(verdict(r, minutes(15, 1))).toMatch(/^InvalidTimestamp: X-Date "20261126T120000Z" is not a time within 15 minutes/)
    expect(verdict(r, minutes(-15, -1))).toMatch(/^InvalidTimestamp/)
    // Signed in the future (a client whose clock runs ahead).
    expect(verdict(signed(new Date(minutes(16))))).toMatch(/^InvalidTimestamp/)
    expect(verdict(signed(new Date(minutes(14, 59))))).toBe('ok')
  })

  it('refuses an X-Date that is missing, malformed, or not a real time', () => {
    const r = signed(signedAt)
    for (const xDate of [undefined, '', '2026-11-26T12:00:00Z', '20261126T120000', '20261126t120000z', '20261126T126000Z', '20261131T120000Z']) {
      expect(verdict(withHeaders(r, { 'x-date': xDate })), String(xDate)).toMatch(/^InvalidTimestamp/)
    }
    // Even at the very time it would roll over to: 11:59:60 is not noon on the server's clock.
    for (const xDate of ['20261126T115960Z', '20261126T116000Z', '20261125T240000Z', '20261131T120000Z', '20261301T120000Z']) {
      const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = (xDate.match(/\d{2,4}/g) ?? []).flatMap((d) => d.length === 8 ? [d.slice(0, 4), d.slice(4, 6), d.slice(6)] : [d.slice(0, 2), d.slice(2, 4), d.slice(4)]).map(Number)
      const rolledOver = Date.UTC(year, month - 1, day, hour, minute, second)
      expect(verdict(withHeaders(r, { 'x-date': xDate }), rolledOver), xDate).toMatch(/^InvalidTimestamp/)
    }
  })

  it('refuses a credential scope whose day is not the X-Date\'s, or of another region or service', () => {
    // Signed a minute before midnight, sent with an X-Date a minute after: within the window, another day.
    const lateNight = new Date(Date.UTC(2026, 10, 26, 23, 59, 0))
    const r = withHeaders(signed(lateNight), { 'x-date': '20261127T000100Z' })
    expect(verdict(r, lateNight.getTime())).toBe('SignatureDoesNotMatch: the credential scope 20261126/cn-beijing/vpc/request is not 20261127/cn-beijing/vpc/request (the X-Date\'s day, the served region, the action\'s service)')
    expect(verdict(signed(signedAt, { region: 'cn-shanghai' }))).toBe('SignatureDoesNotMatch: the request is signed for region cn-shanghai; this server serves region cn-beijing (the snapshot\'s Region)')
    expect(verdict(signed(signedAt, { service: 'ecs' }))).toMatch(/^SignatureDoesNotMatch: the credential scope 20261126\/cn-beijing\/ecs\/request is not/)
  })

  it('refuses SignedHeaders without x-date, or with a header that is never signed', () => {
    const r = signed(signedAt)
    const auth = authorization(r)
    expect(auth).toContain('SignedHeaders=x-date,')
    expect(verdict(withHeaders(r, { authorization: auth.replace('SignedHeaders=x-date', 'SignedHeaders=') }))).toBe('SignatureDoesNotMatch: SignedHeaders must include x-date and no unsignable header')
    expect(verdict(withHeaders(r, { authorization: auth.replace('SignedHeaders=x-date', 'SignedHeaders=host') }))).toMatch(/^SignatureDoesNotMatch: SignedHeaders must include x-date/)
    for (const never of ['authorization', 'content-type', 'content-length', 'user-agent', 'presigned-expires', 'expect']) {
      const listed = withHeaders(r, { authorization: auth.replace('SignedHeaders=x-date', `SignedHeaders=${never};x-date`) })
      expect(verdict(listed), never).toBe('SignatureDoesNotMatch: SignedHeaders must include x-date and no unsignable header')
    }
    // An empty name is no header: the signature cannot be the SDK's.
    expect(verdict(withHeaders(r, { authorization: auth.replace('SignedHeaders=x-date', 'SignedHeaders=x-date;') }))).toBe('SignatureDoesNotMatch: the signature is not the one the secret key gives for this request')
  })

  it('refuses a body changed after signing, whether X-Content-Sha256 was left as it was or recomputed', () => {
    const r = signed(signedAt, { method: 'POST', body: 'HaVipId=havip-1&InstanceId=i-1' })
    const changed = { ...r, body: Buffer.from('HaVipId=havip-1&InstanceId=i-2') }
    expect(verdict(changed)).toBe('SignatureDoesNotMatch: X-Content-Sha256 is not the SHA-256 of the body')
    const rehashed = withHeaders(changed, { 'x-content-sha256': createHash('sha256').update(changed.body).digest('hex') })
    expect(verdict(rehashed)).toBe('SignatureDoesNotMatch: the signature is not the one the secret key gives for this request')
    // Without the header, the body is still signed: the SHA-256 of what arrived is what is checked.
    const { 'x-content-sha256': _, ...headers } = changed.headers
    expect(verdict({ ...changed, headers })).toBe('SignatureDoesNotMatch: the signature is not the one the secret key gives for this request')
  })

  it('refuses a request changed after signing: a parameter, its value, the method, the path, a signed header', () => {
    const r = signed(signedAt)
    const mismatch = /^SignatureDoesNotMatch: the signature is not the one the secret key gives for this request$/
    expect(verdict({ ...r, query: [...r.query, ['ClientToken', 'x']] })).toMatch(mismatch)
    expect(verdict({ ...r, query: r.query.map(([k, v]) => [k, k === 'InstanceId' ? 'i-2' : v] as const) })).toMatch(mismatch)
    expect(verdict({ ...r, method: 'POST' })).toMatch(mismatch)
    expect(verdict({ ...r, path: '/x' })).toMatch(mismatch)
    expect(verdict(withHeaders(r, { authorization: authorization(r).replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`) }))).toMatch(mismatch)
    expect(verdict({ ...r, query: [...r.query].reverse() })).toBe('ok')
  })

  it('answers who is asking before anything else: no header, a malformed one, an unknown access key', () => {
    const r = signed(signedAt)
    const auth = authorization(r)
    expect(verdict(withHeaders(r, { authorization: undefined }))).toBe('MissingAuthenticationToken: the request has no Authorization header')
    expect(verdict(withHeaders(r, { authorization: '' }))).toBe('MissingAuthenticationToken: the request has no Authorization header')
    for (const malformed of [auth.replace('HMAC-SHA256', 'hmac-sha256'), auth.replace('Credential=', 'credential='), auth.replace(/Signature=([0-9a-f]+)/, (_, s: string) => `Signature=${s.toUpperCase()}`), auth.replace(/Signature=[0-9a-f]+/, 'Signature=abc'), 'Bearer token']) {
      expect(verdict(withHeaders(r, { authorization: malformed })), malformed).toMatch(/^MissingAuthenticationToken: the Authorization header is not/)
    }
    expect(verdict(withHeaders(r, { authorization: auth.replace(accessKeyId, 'AKLTother') }))).toBe('InvalidAccessKey: access key AKLTother is not configured')
    const unknown = verifySignature(withHeaders(r, { authorization: auth.replace(accessKeyId, 'AKLTother') }), keys, scope, signedAt.getTime())
    expect(E.isLeft(unknown) && unknown.left.message).toContain('AKLTother')
    // An unknown key is answered even with an expired date: who comes before when.
    expect(verdict(withHeaders(r, { authorization: auth.replace(accessKeyId, 'AKLTother') }), signedAt.getTime() + 3_600_000)).toMatch(/^InvalidAccessKey/)
  })

  it('signs with signGet exactly as the SDK does, and accepts it', () => {
    const mine = signGet('/', Object.entries(query), { accessKeyId, secretKey }, scope, signedAt)
    const sdk = signed(signedAt)
    expect(mine).toEqual({ 'X-Date': sdk.headers['x-date'], Authorization: sdk.headers.authorization })
    expect(verdict(sdk)).toBe('ok')
  })
})

describe('X-Date', () => {
  it('reads only times that exist, and writes them back the same', () => {
    expect(parseXDate('20261126T120000Z')).toBe(signedAt.getTime())
    expect(parseXDate('20280229T000000Z')).toBe(Date.UTC(2028, 1, 29))
    for (const impossible of ['20270229T000000Z', '20261126T240000Z', '20261126T236000Z', '20261126T235960Z', '20261300T000000Z', '20261100T000000Z', ' 20261126T120000Z', '20261126T120000Z ']) {
      expect(parseXDate(impossible), impossible).toBeNaN()
    }
    expect(formatXDate(signedAt)).toBe('20261126T120000Z')
    expect(formatXDate(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('20260102T030405Z')
  })
})
