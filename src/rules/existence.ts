import * as O from 'fp-ts/lib/Option.js'
import type { Check, HaVipContext, Rule } from './context.js'

/** A2, D2, X1, M1: the HaVip exists (`InvalidHaVip.NotFound`). */
export const haVipExists: Check<HaVipContext> = (ctx) => (ctx.haVip === undefined ? O.none : O.getLeft(ctx.haVip))

/** A3: the target exists among instances or ENIs (`InvalidInstance.NotFound` / `InvalidEniId.NotFound`). */
export const targetExists: Rule = (ctx) => (ctx.target === undefined ? O.none : O.getLeft(ctx.target))
