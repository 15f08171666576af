import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { ApiError, ErrorId } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { lookup } from '../model/layered-map.js'
import type { BindingRequest } from '../model/request.js'
import type { HaVipJson } from '../model/json.js'
import type { Eni, Instance, Target } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'

/**
 * What a rule sees: the snapshot, the request, and the HaVip and target it names, each either
 * found or the not-found error. Every rule is a pure function of this.
 */
export interface RuleContext {
  readonly snapshot: SnapshotState
  readonly request: BindingRequest
  readonly haVip: E.Either<ApiError, HaVipJson>
  readonly target: E.Either<ApiError, Target>
}

/** A rule answers the error it finds, or none. */
export type Rule = (ctx: RuleContext) => O.Option<ApiError>

export const pass: O.Option<ApiError> = O.none

export const fail = (id: ErrorId, facts: string): O.Option<ApiError> => O.some(apiError(id, facts))

const findHaVip = (s: SnapshotState, id: string): E.Either<ApiError, HaVipJson> => {
  const haVip = lookup(s.haVips, id)
  return haVip === undefined
    ? E.left(apiError('InvalidHaVip.NotFound', `no HaVip ${id} in the snapshot`))
    : E.right(haVip)
}

const findTarget = (s: SnapshotState, r: BindingRequest): E.Either<ApiError, Target> => {
  const target = r.instanceType === 'EcsInstance' ? s.instances.get(r.instanceId) : s.enis.get(r.instanceId)
  if (target !== undefined) return E.right(target)
  return E.left(r.instanceType === 'EcsInstance'
    ? apiError('InvalidInstance.NotFound', `no ECS instance ${r.instanceId} in the snapshot`)
    : apiError('InvalidEniId.NotFound', `no network interface ${r.instanceId} in the snapshot`))
}

/** Looks up what the request names: two map reads, whatever the size of the snapshot. */
export const ruleContext = (snapshot: SnapshotState, request: BindingRequest): RuleContext => ({
  snapshot,
  request,
  haVip: findHaVip(snapshot, request.haVipId),
  target: findTarget(snapshot, request),
})

// A rule whose inputs are missing has nothing to say: the not-found rule speaks for them.

export const onHaVip = (rule: (haVip: HaVipJson, ctx: RuleContext) => O.Option<ApiError>): Rule => (ctx) =>
  E.isRight(ctx.haVip) ? rule(ctx.haVip.right, ctx) : pass

export const onTarget = (rule: (target: Target, ctx: RuleContext) => O.Option<ApiError>): Rule => (ctx) =>
  E.isRight(ctx.target) ? rule(ctx.target.right, ctx) : pass

export const onInstance = (rule: (instance: Instance, ctx: RuleContext) => O.Option<ApiError>): Rule =>
  onTarget((target, ctx) => (target.type === 'EcsInstance' ? rule(target, ctx) : pass))

export const onEni = (rule: (eni: Eni, ctx: RuleContext) => O.Option<ApiError>): Rule =>
  onTarget((target, ctx) => (target.type === 'NetworkInterface' ? rule(target, ctx) : pass))

export const onBoth = (rule: (haVip: HaVipJson, target: Target, ctx: RuleContext) => O.Option<ApiError>): Rule => (ctx) =>
  E.isRight(ctx.haVip) && E.isRight(ctx.target) ? rule(ctx.haVip.right, ctx.target.right, ctx) : pass
