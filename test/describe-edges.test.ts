import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { buildSnapshot } from 'havip-rules'

/** Edges of building a snapshot from Describe pages that the broader tests do not pin down. */

describe('buildSnapshot, an error response', () => {
  it('quotes the Message of an error response only when it is a text', () => {
    const built = buildSnapshot([
      { kind: 'HaVips', source: 'number.json', json: { ResponseMetadata: { Error: { Code: 'InternalError', Message: 42 } }, Result: { HaVips: [] } } },
      { kind: 'HaVips', source: 'object.json', json: { ResponseMetadata: { Error: { Code: 'InternalError', Message: { Text: 'x' } } } } },
      { kind: 'HaVips', source: 'text.json', json: { ResponseMetadata: { Error: { Code: 'InternalError', Message: 'busy' } } } },
    ])
    expect(E.isLeft(built) && built.left.message.split('\n')).toEqual([
      'number.json: ResponseMetadata.Error: the page is an error response: InternalError',
      'object.json: ResponseMetadata.Error: the page is an error response: InternalError',
      'text.json: ResponseMetadata.Error: the page is an error response: InternalError (busy)',
    ])
  })
})
