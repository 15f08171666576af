import type { Handled, SnapshotJson } from 'havip-rules'
import { handle } from 'havip-rules'
import type { Reply, RequestParams, System } from 'havip-rules/testing'
import { load } from './snapshots.js'

// Systems under test for checkConformance's own tests: havip-rules, or havip-rules with one planted bug.

/** havip-rules behind the System interface, with RequestIds sut-0, sut-1, …, each answer made from its own and the id it was given. */
export const ownIds = (answer: (handled: Handled, own: string, params: RequestParams) => Reply) => (json: unknown): System => {
  let s = load(json)
  let n = 0
  return {
    send: (params) => {
      const own = `sut-${String(n++)}`
      const handled = handle(s, params, { requestId: own })
      s = handled.snapshot
      return answer(handled, own, params)
    },
  }
}

/** havip-rules itself behind the System interface, with RequestIds of its own. */
export const reference = ownIds(({ status, body }) => ({ status, body }))

export type Body = { readonly ResponseMetadata: Readonly<Record<string, unknown>> & { readonly Error?: Readonly<Record<string, unknown>> }; readonly Result?: Readonly<Record<string, unknown>> }

/** havip-rules with each reply rewritten: a system that differs from it in just that. */
export const rewriting = (change: (reply: { status: number; body: Body }, params: RequestParams) => { status: number; body: unknown }) => (json: SnapshotJson): System => {
  const system = reference(json)
  return { send: async (params) => { const reply = await system.send(params); return change({ status: reply.status, body: reply.body as Body }, params) } }
}
