import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { execute } from '../engine/operations.js'
import { lookup } from '../model/layered-map.js'
import type { InstanceType } from '../model/json.js'
import { boundIds, targetKey } from '../model/resources.js'
import type { SnapshotState } from '../model/snapshot.js'
import { bind } from '../engine/transitions.js'
import type { BindingChange } from './changes.js'
import { listed } from './listed.js'

/**
 * The delete half of a delete-first replace comes before its own create, but Terraform may apply
 * any other change before it: the binding it removes may still be there for them. The worst order
 * for an association is then not one order for all: for its HaVip, it is met before the delete of
 * every replace whose old binding is on that HaVip; for its target, before the delete of every
 * replace whose old binding holds that target. Each is a world some order reaches (the replaces
 * are independent of the association), so what the rules refuse there is a failure.
 */

export interface KnownBinding {
  readonly haVipId: string
  readonly instanceId: string
  readonly instanceType: InstanceType
}

interface Replace {
  readonly address: string
  readonly old: KnownBinding
  readonly created: BindingChange | undefined
}

/** The delete-first replaces of known bindings, by the old binding's HaVip and target. */
export class DeleteFirstReplaces {
  private readonly byHaVip = new Map<string, Array<Replace>>()
  private readonly byTarget = new Map<string, Array<Replace>>()

  constructor(bindings: ReadonlyArray<BindingChange>, known: (c: BindingChange) => KnownBinding | undefined) {
    const creates = new Map(bindings.filter((b) => b.step === 3).map((b) => [b.address, b]))
    for (const c of bindings) {
      const old = c.step === 2 ? known(c) : undefined
      if (old === undefined) continue
      const replace = { address: c.address, old, created: creates.get(c.address) }
      for (const [map, key] of [[this.byHaVip, old.haVipId], [this.byTarget, targetKey(old.instanceType, old.instanceId)]] as const) {
        const list = map.get(key)
        if (list === undefined) map.set(key, [replace])
        else list.push(replace)
      }
    }
  }

  /**
   * What the rules refuse of an association that passes in `world` when it runs before the
   * delete halves of the replaces touching its HaVip, or its target; `createdIn` says whether a
   * replace's own association is already in `world` (it is taken back: the old binding and the new
   * are never there together).
   */
  refusals(
    world: SnapshotState,
    w: KnownBinding & { readonly address: string },
    createdIn: (c: BindingChange) => KnownBinding | undefined,
    judge: (world: SnapshotState) => ReadonlyArray<ApiError>,
  ): ReadonlyArray<ApiError> {
    const groups = [this.byHaVip.get(w.haVipId), this.byTarget.get(targetKey(w.instanceType, w.instanceId))]
    for (const group of groups) {
      const replaces = (group ?? []).filter((r) => r.address !== w.address)
      if (replaces.length === 0) continue
      const refused = judge(replaces.reduce((s, r) => restored(s, r, createdIn), world))
      if (refused.length > 0) {
        const note = ` (when it is applied before the delete half of ${listed(replaces.map((r) => r.address))}, as Terraform may apply it)`
        return refused.map((v) => ({ ...v, facts: `${v.facts}${note}` }))
      }
    }
    return []
  }
}

/** The world with a replace not yet begun: its new binding taken back, its old one there. */
const restored = (s: SnapshotState, r: Replace, createdIn: (c: BindingChange) => KnownBinding | undefined): SnapshotState => {
  const created = r.created === undefined ? undefined : createdIn(r.created)
  if (created !== undefined) {
    const undone = execute(s, { action: 'DisassociateHaVip', ...created })
    if (E.isRight(undone)) s = undone.right.snapshot
  }
  const { haVipId, instanceId, instanceType } = r.old
  const h = lookup(s.haVips, haVipId)
  const target = instanceType === 'EcsInstance' ? lookup(s.instances, instanceId) : lookup(s.enis, instanceId)
  // A HaVip that took targets of the other type once the old binding left: no order has both.
  const otherType = h !== undefined && boundIds(h).length > 0 && h.AssociatedInstanceType !== instanceType
  return h === undefined || target === undefined || otherType || boundIds(h).includes(instanceId) ? s : bind(s, h, target)
}
