import * as E from 'fp-ts/lib/Either.js'
import type { ApiError, Snapshot } from 'havip-rules'
import { decodeRequest, explain } from 'havip-rules'
import type { Account, Reason } from '../spec/specification.js'
import { specExplain, specHandle } from '../spec/specification.js'
import type { Form, Params } from '../spec/requests.js'
import { written } from '../spec/requests.js'

/** What the engine and the executable specification are compared on. */

/** An engine error as the specification words a reason. */
export const reasonOf = (e: ApiError): Reason => ({ id: e.id, code: e.code, status: e.status, message: e.message, messageZh: e.messageZh, ...(e.codeN === undefined ? {} : { codeN: e.codeN }) })

/** The engine's every reason for a request: the request check that refuses it, or explain's list. */
export const engineExplain = (s: Snapshot, input: string | Params): ReadonlyArray<Reason> => {
  const decoded = decodeRequest(input)
  return E.isLeft(decoded) ? [reasonOf(decoded.left)] : explain(s, decoded.right).map(reasonOf)
}

/** An answer as written on the wire, key order included, with a key that holds undefined kept in sight. */
export const wire = ({ status, body }: { readonly status: number; readonly body: unknown }): string =>
  `${String(status)} ${JSON.stringify(body, (_, v: unknown) => (v === undefined ? '(undefined)' : v), 1)}`

/** Each action's rules in order (docs/rules.md), each as the error ids it answers. */
export type RuleLists = Readonly<Record<string, ReadonlyArray<ReadonlyArray<string>>>>

/**
 * The pairs of adjacent rules that the sampled request sequences break together fewer than 5
 * times (`ACTION ids + ids: count`), leaving out those listed as never together: each pair met
 * often enough is what tests the order of its two rules.
 */
export const rarelyMetPairs = (
  samples: ReadonlyArray<readonly [unknown, ReadonlyArray<{ readonly params: Params; readonly form: Form }>]>,
  rulesOf: RuleLists,
  neverTogether: ReadonlyArray<string>,
): ReadonlyArray<string> => {
  const both = new Map<string, number>()
  const pairKey = (action: string, rule: ReadonlyArray<string>, next: ReadonlyArray<string>) => `${action} ${rule.join('|')} + ${next.join('|')}`
  for (const [json, steps] of samples) {
    let account = structuredClone(json) as Account
    for (const [i, { params, form }] of steps.entries()) {
      const input = written(params, form)
      const ids = new Set<string>(specExplain(account, input).map((r) => r.id))
      const rules = rulesOf[params.Action ?? ''] ?? []
      for (const [k, rule] of rules.entries()) {
        const next = rules[k + 1]
        if (next !== undefined && rule.some((id) => ids.has(id)) && next.some((id) => ids.has(id))) {
          const key = pairKey(String(params.Action), rule, next)
          both.set(key, (both.get(key) ?? 0) + 1)
        }
      }
      account = specHandle(account, input, `REQ-${String(i)}`).account
    }
  }
  const pairs = Object.entries(rulesOf).flatMap(([action, rules]) => rules.slice(1).map((next, k) => pairKey(action, rules[k] ?? [], next)))
  return pairs.filter((key) => (both.get(key) ?? 0) < 5 && !neverTogether.includes(key)).map((key) => `${key}: ${String(both.get(key) ?? 0)}`)
}
