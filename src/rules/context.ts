import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { ApiError, ErrorId } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { lookup } from '../model/layered-map.js'
import type { HaVipJson, InstanceType } from '../model/json.js'
import type { Eni, Instance, Target } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'

/**
 * What a rule sees: the snapshot, and the HaVip, the target type and the target a request names,
 * each found or the not-found error — or, when checking a Terraform plan, not known until apply
 * (`undefined`). Every rule is a pure function of this; a rule whose inputs are not all there
 * has nothing to say.
 */
export interface RuleContext extends HaVipContext {
  readonly instanceType: InstanceType | undefined
  readonly target: E.Either<ApiError, Target> | undefined
}

/** What a rule about one HaVip sees: the snapshot, and the HaVip found or the not-found error (`undefined`: not known). */
export interface HaVipContext {
  readonly snapshot: SnapshotState
  readonly haVip: E.Either<ApiError, HaVipJson> | undefined
}

/** What a request names, any part of which may be unknown (a Terraform plan's value known only after apply). */
export interface PartialBinding {
  readonly haVipId: string | undefined
  readonly instanceId: string | undefined
  readonly instanceType: InstanceType | undefined
}

/** A rule answers the error it finds, or none. */
export type Check<C> = (ctx: C) => O.Option<ApiError>

/** A rule of the binding actions. */
export type Rule = Check<RuleContext>

export const pass: O.Option<ApiError> = O.none

export const fail = (id: ErrorId, facts: string): O.Option<ApiError> => O.some(apiError(id, facts))

export const findHaVip = (s: SnapshotState, id: string): E.Either<ApiError, HaVipJson> => {
  const haVip = lookup(s.haVips, id)
  return haVip === undefined
    ? E.left(apiError('InvalidHaVip.NotFound', `no HaVip ${id} in the snapshot`))
    : E.right(haVip)
}

const findTarget = (s: SnapshotState, type: InstanceType, id: string): E.Either<ApiError, Target> => {
  const target = type === 'EcsInstance' ? lookup(s.instances, id) : lookup(s.enis, id)
  if (target !== undefined) return E.right(target)
  return E.left(type === 'EcsInstance'
    ? apiError('InvalidInstance.NotFound', `no ECS instance ${id} in the snapshot`)
    : apiError('InvalidEniId.NotFound', `no network interface ${id} in the snapshot`))
}

/** Looks up what the request names: two map reads, whatever the size of the snapshot. */
export const ruleContext = (snapshot: SnapshotState, request: PartialBinding): RuleContext => ({
  snapshot,
  haVip: request.haVipId === undefined ? undefined : findHaVip(snapshot, request.haVipId),
  instanceType: request.instanceType,
  target: request.instanceId === undefined || request.instanceType === undefined ? undefined : findTarget(snapshot, request.instanceType, request.instanceId),
})

const found = <T>(e: E.Either<ApiError, T> | undefined): T | undefined => (e !== undefined && E.isRight(e) ? e.right : undefined)

// A rule whose inputs are missing has nothing to say: the not-found rule speaks for them.

export const onHaVip = <C extends HaVipContext>(rule: (haVip: HaVipJson, ctx: C) => O.Option<ApiError>): Check<C> => (ctx) => {
  const haVip = found(ctx.haVip)
  return haVip === undefined ? pass : rule(haVip, ctx)
}

export const onTarget = (rule: (target: Target, ctx: RuleContext) => O.Option<ApiError>): Rule => (ctx) => {
  const target = found(ctx.target)
  return target === undefined ? pass : rule(target, ctx)
}

export const onInstance = (rule: (instance: Instance, ctx: RuleContext) => O.Option<ApiError>): Rule =>
  onTarget((target, ctx) => (target.type === 'EcsInstance' ? rule(target, ctx) : pass))

export const onEni = (rule: (eni: Eni, ctx: RuleContext) => O.Option<ApiError>): Rule =>
  onTarget((target, ctx) => (target.type === 'NetworkInterface' ? rule(target, ctx) : pass))

export const onBoth = (rule: (haVip: HaVipJson, target: Target, ctx: RuleContext) => O.Option<ApiError>): Rule => (ctx) => {
  const haVip = found(ctx.haVip)
  const target = found(ctx.target)
  return haVip === undefined || target === undefined ? pass : rule(haVip, target, ctx)
}
