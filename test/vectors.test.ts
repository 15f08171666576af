import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { associateHaVip, decodeRequest, disassociateHaVip, handle, snapshotToJson } from 'havip-rules'
import { load } from './support/snapshots.js'
import { haVipsById, vectorCases } from './support/vectors.js'

/** One request through the typed library API: the error id, or OK and the new snapshot. */
const viaLibrary = (s: Snapshot, query: string, requestId: string): { id: string; snapshot: Snapshot } => {
  const request = decodeRequest(query)
  if (E.isLeft(request)) return { id: request.left.id, snapshot: s }
  const r = request.right
  const result = r.action === 'AssociateHaVip' ? associateHaVip(s, r, requestId)
    : r.action === 'DisassociateHaVip' ? disassociateHaVip(s, r, requestId)
      : E.right(s)
  return E.isLeft(result) ? { id: result.left.id, snapshot: s } : { id: 'OK', snapshot: result.right }
}

const expectAfter = (json: unknown, after: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined): void => {
  const haVips = haVipsById(json)
  for (const [id, fields] of Object.entries(after ?? {})) expect(haVips.get(id)).toMatchObject(fields)
}

describe('conformance vectors', () => {
  describe.each(vectorCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    it('gives the expected error ids and final state through the library API', () => {
      let s = load(c.snapshot)
      const ids = c.requests.map((query, i) => {
        const step = viaLibrary(s, query, `req-${String(i)}`)
        s = step.snapshot
        return step.id
      })
      expect(ids).toEqual(c.expect.map((e) => e.id))
      expectAfter(snapshotToJson(s), c.after)
    })

    it('gives the expected status, code and RequestIds through handle', () => {
      let s = load(c.snapshot)
      const responses = c.requests.map((query, i) => {
        const handled = handle(s, query, { requestId: `req-${String(i)}` })
        s = handled.snapshot
        return handled
      })
      expect(responses.map((r) => ({
        status: r.status,
        code: 'Error' in r.body.ResponseMetadata ? r.body.ResponseMetadata.Error.Code : null,
      }))).toEqual(c.expect.map((e) => ({ status: e.status, code: e.code })))
      if (c.sameRequestId !== undefined) {
        const [a, b] = c.sameRequestId
        expect(responses[b]?.body.ResponseMetadata.RequestId).toBe(responses[a]?.body.ResponseMetadata.RequestId)
      }
      expectAfter(snapshotToJson(s), c.after)
    })
  })
})
