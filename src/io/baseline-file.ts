import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { fromValidationErrors, problemText } from '../codec/problems.js'
import type { Waiver } from '../plan/waivers.js'
import { waivableIds } from '../plan/waivers.js'
import { writeFileAtomic } from './atomic-file.js'
import { readTextInput } from './text-input.js'
import { UsageError } from './usage-error.js'

/**
 * A baseline of accepted findings, one entry per instance address and error id, each with the
 * reason it is accepted: `{ "havipBaseline": 1, "waivers": [{ "address", "id", "reason" }] }`.
 */

/** The largest baseline read: 100,000 entries are about 20 MiB. */
export const maxBaselineBytes = 32 * 1024 * 1024

const isNonEmpty = (u: unknown): u is string => typeof u === 'string' && u.trim() !== ''
const nonEmpty = new t.Type<string, string, unknown>('a non-empty string', isNonEmpty, (u, c) => (isNonEmpty(u) ? t.success(u) : t.failure(u, c)), t.identity)

const EntryCodec = t.type({ address: nonEmpty, id: nonEmpty, reason: nonEmpty }, 'a waiver')
const BaselineCodec = t.type({ havipBaseline: t.literal(1, 'the number 1'), waivers: t.readonlyArray(EntryCodec, 'an array of waivers') }, 'a baseline')

/** A baseline file's waivers; a file that is not one is a usage error naming it and the JSON path of each problem. */
export const readBaseline = (path: string): ReadonlyArray<Waiver> => {
  const text = readTextInput(path, maxBaselineBytes)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${path}: not JSON: ${e instanceof Error ? e.message : String(e)} (havip plan --write-baseline writes a baseline)`)
  }
  const decoded = BaselineCodec.decode(json)
  if (E.isLeft(decoded)) throw new UsageError(`${path}: not a havip plan baseline:\n${fromValidationErrors(decoded.left).map((p) => `  ${problemText(p)}`).join('\n')}`)
  return decoded.right.waivers.map((w, i): Waiver => {
    if (!waivableIds.includes(w.id)) throw new UsageError(`${path}: waivers[${String(i)}].id: ${JSON.stringify(w.id)} is not an error id havip plan reports (see docs/errors.md)`)
    return { ...w, scope: 'instance', kind: 'baseline', where: `${path} waivers[${String(i)}]` }
  })
}

/** Writes a baseline, atomically. */
export const writeBaseline = (path: string, entries: ReadonlyArray<{ readonly address: string; readonly id: string; readonly reason: string }>): void => {
  writeFileAtomic(path, [`${JSON.stringify({ havipBaseline: 1, waivers: entries }, null, 2)}\n`])
}
