import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { requestParams, requestTarget } from '../src/server/params.js'

/** The endpoint's parameters: the query string's, then the body's; a name in both keeps the query string's value. */

const params = (query: string, contentType: string | undefined, body: string) => {
  const read = requestParams(query, contentType, Buffer.from(body))
  return E.isRight(read) ? Object.fromEntries(read.right) : `${read.left.id}: ${read.left.message}`
}

describe('requestParams', () => {
  it('reads the query string alone when there is no body, whatever the content type says', () => {
    expect(params('Action=AssociateHaVip&HaVipId=h1', undefined, '')).toEqual({ Action: 'AssociateHaVip', HaVipId: 'h1' })
    expect(params('Action=AssociateHaVip', 'text/plain', '')).toEqual({ Action: 'AssociateHaVip' })
  })

  it('merges a form or JSON body with the query string; a name in both keeps the query string\'s value', () => {
    expect(params('Action=AssociateHaVip&HaVipId=from-query', 'application/x-www-form-urlencoded', 'HaVipId=from-body&InstanceId=i-1'))
      .toEqual({ Action: 'AssociateHaVip', HaVipId: 'from-query', InstanceId: 'i-1' })
    expect(params('HaVipId=from-query', 'application/json', '{"HaVipId": "from-body", "InstanceId": "i-1"}'))
      .toEqual({ HaVipId: 'from-query', InstanceId: 'i-1' })
    // Even an empty value in the query string wins (and then counts as absent, as everywhere).
    expect(params('HaVipId=', 'application/x-www-form-urlencoded', 'HaVipId=from-body')).toEqual({ HaVipId: '' })
  })

  it('keeps the first of a name repeated in the body, as in a query string', () => {
    expect(params('', 'application/x-www-form-urlencoded', 'HaVipId=first&HaVipId=second')).toEqual({ HaVipId: 'first' })
  })

  it('reads the media type without its parameters, in any case', () => {
    expect(params('', 'Application/JSON; charset=utf-8', '{"A": "1"}')).toEqual({ A: '1' })
    expect(params('', ' application/x-www-form-urlencoded ;charset=UTF-8', 'A=1')).toEqual({ A: '1' })
  })

  it('refuses a body it cannot read, naming what it expected', () => {
    expect(params('', 'application/json', '{"A": ')).toBe('MalformedRequestBody: The request body could not be read as JSON.')
    for (const notAnObject of ['[]', 'null', '42', '"A=1"']) {
      expect(params('', 'application/json', notAnObject), notAnObject).toBe('MalformedRequestBody: The request body could not be read as a JSON object.')
    }
    expect(params('', 'text/plain', 'A=1')).toBe('MalformedRequestBody: The request body could not be read as text/plain.')
    expect(params('', undefined, 'A=1')).toBe('MalformedRequestBody: The request body could not be read as an untyped body.')
  })
})

describe('requestTarget', () => {
  it('splits the origin form at its first ?', () => {
    expect(requestTarget('/?Action=A&B=c?d')).toEqual({ path: '/', search: 'Action=A&B=c?d' })
    expect(requestTarget('/')).toEqual({ path: '/', search: '' })
    expect(requestTarget('/x?')).toEqual({ path: '/x', search: '' })
  })

  it('reads the absolute form a proxy sends', () => {
    expect(requestTarget('http://127.0.0.1:8080/?Action=A')).toEqual({ path: '/', search: 'Action=A' })
    expect(requestTarget('HTTPS://open.volcengineapi.com/v?x=1')).toEqual({ path: '/v', search: 'x=1' })
  })

  it('is undefined for any other target', () => {
    for (const other of ['*', 'open.volcengineapi.com/?A=1', '', 'http://[::1', '1http://x/']) expect(requestTarget(other), other).toBeUndefined()
  })
})
