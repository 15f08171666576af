import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RA from 'fp-ts/lib/ReadonlyArray.js'
import type { ApiError } from '../errors/catalog.js'
import type { Check } from '../rules/context.js'

/** What the host tells a write: the RequestId to record, and the time (ISO-8601) a created or changed HaVip is stamped with. */
export interface WriteContext {
  readonly requestId?: string
  readonly now?: string
}

/** A string field of an untyped context, else undefined: the functions stay total whatever they are given. */
export const contextText = (ctx: unknown, field: 'requestId' | 'now'): string | undefined => {
  const value: unknown = typeof ctx === 'object' && ctx !== null ? (ctx as Readonly<Record<string, unknown>>)[field] : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The API's answer: the first rule that fails. */
export const firstViolation = <C>(rules: ReadonlyArray<Check<C>>, ctx: C): O.Option<ApiError> => pipe(rules, RA.findFirstMap((rule) => rule(ctx)))

/** Pre-check mode: every rule that fails, in order. */
export const everyViolation = <C>(rules: ReadonlyArray<Check<C>>, ctx: C): ReadonlyArray<ApiError> => pipe(rules, RA.filterMap((rule) => rule(ctx)))

/** The first failing rule as a Left, else what `then` makes. */
export const unlessViolated = <C, A>(rules: ReadonlyArray<Check<C>>, ctx: C, then: () => E.Either<ApiError, A>): E.Either<ApiError, A> => {
  const violation = firstViolation(rules, ctx)
  return O.isSome(violation) ? E.left(violation.value) : then()
}
