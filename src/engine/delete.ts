import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Immer } from 'immer'
import type { ApiError } from '../errors/catalog.js'
import { assign } from '../model/layered-map.js'
import type { DeleteHaVipRequest } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'
import type { Check, HaVipContext } from '../rules/context.js'
import { findHaVip } from '../rules/context.js'
import { haVipDeletable, noEipBound, noRouteEntryPointsAt } from '../rules/delete.js'
import { haVipExists } from '../rules/existence.js'
import type { Outcome } from './evaluate.js'
import type { WriteContext } from './lifecycle.js'
import { everyViolation, unlessViolated } from './lifecycle.js'
import { removeHaVip, withTask } from './tasks.js'

const { produce } = new Immer({ autoFreeze: false })

/** DeleteHaVip: rules X1–X4 of docs/rules.md, in order (no ClientToken: the vendor takes none). */
export const deleteRules: ReadonlyArray<Check<HaVipContext>> = [
  haVipExists,
  haVipDeletable,
  noEipBound,
  noRouteEntryPointsAt,
]

const context = (snapshot: SnapshotState, r: DeleteHaVipRequest): HaVipContext => ({ snapshot, haVip: findHaVip(snapshot, r.haVipId) })

/** DeleteHaVip, emulator mode: the HaVip leaves at once, or is Deleting until its task completes. */
export const evaluateDelete = (s: SnapshotState, r: DeleteHaVipRequest, w: WriteContext): E.Either<ApiError, Outcome> => {
  const haVip = findHaVip(s, r.haVipId)
  // The rules passed, X1 among them: the HaVip is there.
  return unlessViolated(deleteRules, { snapshot: s, haVip }, () => pipe(haVip, E.chain((h) => {
    const changed = s.asyncSteps > 0
      ? withChanges(s, { haVips: assign(s.haVips, h.HaVipId, produce(h, (d) => { d.Status = 'Deleting' })) })
      : removeHaVip(s, h)
    const { snapshot, taskId } = withTask(changed, 'DeleteHaVip', h.HaVipId, w.requestId)
    return E.right({ snapshot, result: { AsyncTaskId: taskId } })
  })))
}

/** DeleteHaVip, pre-check mode. */
export const deleteViolations = (s: SnapshotState, r: DeleteHaVipRequest): ReadonlyArray<ApiError> => everyViolation(deleteRules, context(s, r))
