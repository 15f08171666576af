import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Immer } from 'immer'
import type { ApiError } from '../errors/catalog.js'
import { assign } from '../model/layered-map.js'
import type { ModifyHaVipAttributesRequest } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'
import type { Check, HaVipContext } from '../rules/context.js'
import { findHaVip } from '../rules/context.js'
import { haVipExists } from '../rules/existence.js'
import { haVipStatusAllowsBinding } from '../rules/havip-state.js'
import type { Outcome } from './evaluate.js'
import type { WriteContext } from './lifecycle.js'
import { everyViolation, unlessViolated } from './lifecycle.js'
import { withTask } from './tasks.js'

const { produce } = new Immer({ autoFreeze: false })

/** ModifyHaVipAttributes: rules M1–M2 of docs/rules.md, in order (no ClientToken: the vendor takes none). */
export const modifyRules: ReadonlyArray<Check<HaVipContext>> = [
  haVipExists,
  haVipStatusAllowsBinding,
]

const context = (snapshot: SnapshotState, r: ModifyHaVipAttributesRequest): HaVipContext => ({ snapshot, haVip: findHaVip(snapshot, r.haVipId) })

/** ModifyHaVipAttributes, emulator mode: what is given changes at once in either mode; the status stays. */
export const evaluateModify = (s: SnapshotState, r: ModifyHaVipAttributesRequest, w: WriteContext): E.Either<ApiError, Outcome> => {
  const haVip = findHaVip(s, r.haVipId)
  // The rules passed, M1 among them: the HaVip is there.
  return unlessViolated(modifyRules, { snapshot: s, haVip }, () => pipe(haVip, E.chain((h) => {
    const changed = produce(h, (d) => {
      if (r.haVipName !== undefined) d.HaVipName = r.haVipName
      if (r.description !== undefined) d.Description = r.description
      if (w.now !== undefined) d.UpdatedAt = w.now
    })
    const { snapshot, taskId } = withTask(withChanges(s, { haVips: assign(s.haVips, h.HaVipId, changed) }), 'ModifyHaVipAttributes', h.HaVipId, w.requestId)
    return E.right({ snapshot, result: { AsyncTaskId: taskId } })
  })))
}

/** ModifyHaVipAttributes, pre-check mode. */
export const modifyViolations = (s: SnapshotState, r: ModifyHaVipAttributesRequest): ReadonlyArray<ApiError> => everyViolation(modifyRules, context(s, r))
