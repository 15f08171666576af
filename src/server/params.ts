import * as E from 'fp-ts/lib/Either.js'
import type { ParamMap } from '../codec/request.js'
import { readParams } from '../codec/request.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

/**
 * A request's parameters: the query string's, then the body's (form or JSON). A name in both
 * keeps the query string's value, as a repeated name keeps its first.
 */
export const requestParams = (query: string, contentType: string | undefined, body: Buffer): E.Either<ApiError, ParamMap> => {
  const fromQuery = readParams(query)
  if (body.length === 0) return E.right(fromQuery)
  const type = mediaType(contentType)
  let fromBody: ParamMap
  if (type === 'application/x-www-form-urlencoded') {
    fromBody = readParams(body.toString('utf8'))
  } else if (type === 'application/json') {
    let json: unknown
    try {
      json = JSON.parse(body.toString('utf8'))
    } catch {
      return E.left(apiError('MalformedRequestBody', 'the body is not JSON', { type: 'JSON' }))
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return E.left(apiError('MalformedRequestBody', 'the JSON body is not an object of parameters', { type: 'a JSON object' }))
    }
    fromBody = readParams(json)
  } else {
    return E.left(apiError('MalformedRequestBody', `a body of type ${JSON.stringify(type)} cannot carry parameters`, { type: type || 'an untyped body' }))
  }
  const merged = new Map(fromBody)
  for (const [name, value] of fromQuery) merged.set(name, value)
  return E.right(merged)
}

/** Where a request goes: its path and its query string (without the `?`). */
export interface RequestTarget {
  readonly path: string
  readonly search: string
}

/**
 * The path and query of a request line's target, origin form (`/?Action=…`) or absolute form
 * (`http://host/?Action=…`, as a proxy sends it); `undefined` when it is neither. Cheaper than a
 * URL object for the usual origin form, which is all the vendor SDK sends.
 */
export const requestTarget = (raw: string): RequestTarget | undefined => {
  if (raw.startsWith('/')) {
    const mark = raw.indexOf('?')
    return mark === -1 ? { path: raw, search: '' } : { path: raw.slice(0, mark), search: raw.slice(mark + 1) }
  }
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(raw)) return undefined
  try {
    const url = new URL(raw)
    return { path: url.pathname, search: url.search.slice(1) }
  } catch {
    return undefined
  }
}
