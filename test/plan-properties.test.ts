import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect } from 'vitest'
import type { InstanceType, PlanFinding, Snapshot, SnapshotJson } from 'havip-rules'
import { associateHaVip, checkPlan, disassociateHaVip } from 'havip-rules'
import { snapshotArbitrary } from 'havip-rules/testing'
import { checkQueries } from '../src/cli/queries.js'
import type { ChangeSpec } from './support/plans.js'
import { association, plan } from './support/plans.js'
import { load } from './support/snapshots.js'
import { interleavings } from './spec/plan.js'
import { runs } from './support/runs.js'

/**
 * The plan check against the engine itself: on generated accounts and generated plans of
 * volcengine_ha_vip_associate resources, its verdicts are those of `havip check` where the order is
 * fixed, and where Terraform may choose the order, a plan fails exactly when some order fails.
 */

interface Binding { readonly haVip: string; readonly instance: string; readonly type: InstanceType }

const bindingsOf = (s: SnapshotJson): ReadonlyArray<Binding> =>
  (s.HaVips ?? []).flatMap((h) => (h.AssociatedInstanceIds ?? []).map((instance) => ({ haVip: h.HaVipId, instance, type: (h.AssociatedInstanceType === 'NetworkInterface' ? 'NetworkInterface' : 'EcsInstance') })))

/**
 * A binding between what the account holds: mostly a target in the HaVip's subnet (so that the
 * rules that depend on the order decide), else any (some refused for every reason).
 */
const bindingArbitrary = (s: SnapshotJson): fc.Arbitrary<Binding> => {
  const targets: ReadonlyArray<{ readonly type: InstanceType; readonly instance: string; readonly subnet: string | undefined }> = [
    ...(s.Instances ?? []).map((i) => ({ type: 'EcsInstance' as const, instance: i.InstanceId, subnet: i.NetworkInterfaces.find((n) => n.Type === 'primary')?.SubnetId })),
    ...(s.NetworkInterfaces ?? []).map((n) => ({ type: 'NetworkInterface' as const, instance: n.NetworkInterfaceId, subnet: n.SubnetId })),
  ]
  return fc.record({ h: fc.constantFrom(...(s.HaVips ?? [])), near: fc.boolean(), pick: fc.nat() }).map(({ h, near, pick }) => {
    const inSubnet = targets.filter((t) => t.subnet === h.SubnetId)
    const from = near && inSubnet.length > 0 ? inSubnet : targets
    const t = from[pick % from.length] ?? { type: 'EcsInstance', instance: 'i-none' }
    return { haVip: h.HaVipId, instance: t.instance, type: t.type }
  })
}

const spec = (b: Binding) => ({ haVip: b.haVip, instance: b.instance, type: b.type })

/** Resource names whose address order differs from the order they are generated in. */
const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { minLength: 8, maxLength: 8 })

/** Raw lists of the API calls of each resource, in the order Terraform keeps within it. */
type Call = { readonly action: 'AssociateHaVip' | 'DisassociateHaVip'; readonly binding: Binding }

interface Resource { readonly change: ChangeSpec; readonly calls: ReadonlyArray<Call> }

/** Creates between existing resources; deletes and replaces (both orders) of bindings that exist, each at most once. */
const resourcesArbitrary = (s: SnapshotJson, maxResources: number, maxCalls: number): fc.Arbitrary<ReadonlyArray<Resource>> => {
  const existing = bindingsOf(s)
  const kinds = existing.length === 0 ? fc.constant('create' as const) : fc.constantFrom('create', 'delete', 'delete-then-create', 'create-then-delete')
  return fc.tuple(
    fc.array(fc.record({ kind: kinds, after: bindingArbitrary(s), old: fc.nat() }), { minLength: 2, maxLength: maxResources }),
    names,
    fc.shuffledSubarray([...existing.keys()], { minLength: existing.length, maxLength: existing.length }),
  ).map(([raw, name, olds]) => {
    const resources: Array<Resource> = []
    let calls = 0
    for (const [i, r] of raw.entries()) {
      const old = r.kind === 'create' ? undefined : existing[olds[i] ?? -1]
      if (r.kind !== 'create' && old === undefined) continue
      const n = r.kind === 'create' || r.kind === 'delete' ? 1 : 2
      if (calls + n > maxCalls) break
      calls += n
      const id = name[i] ?? `z${String(i)}`
      const A: Call = { action: 'AssociateHaVip', binding: r.after }
      if (r.kind === 'create' || old === undefined) resources.push({ change: association(id, ['create'], spec(r.after)), calls: [A] })
      else {
        const D: Call = { action: 'DisassociateHaVip', binding: old }
        if (r.kind === 'delete') resources.push({ change: association(id, ['delete'], undefined, spec(old)), calls: [D] })
        else if (r.kind === 'delete-then-create') resources.push({ change: association(id, ['delete', 'create'], spec(r.after), spec(old)), calls: [D, A] })
        else resources.push({ change: association(id, ['create', 'delete'], spec(r.after), spec(old)), calls: [A, D] })
      }
    }
    return resources
  })
}

const call = (s: Snapshot, c: Call) => {
  const r = { haVipId: c.binding.haVip, instanceId: c.binding.instance, instanceType: c.binding.type }
  return c.action === 'AssociateHaVip' ? associateHaVip(s, { action: c.action, ...r }) : disassociateHaVip(s, { action: c.action, ...r })
}

/** Whether the API refuses a call when they are made in this order (a refused call changes nothing). */
const meetsRefusal = (s: Snapshot, order: ReadonlyArray<Call>): boolean => {
  for (const c of order) {
    const answer = call(s, c)
    if (E.isLeft(answer)) return true
    s = answer.right
  }
  return false
}

const findingsOf = (s: Snapshot, changes: ReadonlyArray<ChangeSpec>): ReadonlyArray<PlanFinding> => {
  const checked = checkPlan(s, plan(changes))
  if (E.isLeft(checked)) throw new Error(checked.left.message)
  return checked.right.findings
}

const query = (b: Binding): string =>
  `Action=AssociateHaVip&Version=2020-04-01&${new URLSearchParams({ HaVipId: b.haVip, InstanceId: b.instance, InstanceType: b.type }).toString()}`

describe('plan properties', () => {
  test.prop([snapshotArbitrary().chain((s) => fc.tuple(fc.constant(s), fc.array(bindingArbitrary(s), { minLength: 1, maxLength: 12 })))])(
    'associates between existing resources get the verdicts and violations of havip check, chained in address order',
    ([json, bindings]) => {
      const s = load(json)
      // count indices: the address order is numeric (web[2] before web[10]), not the plan's order.
      const changes = bindings.map((b, i) => ({ ...association('web', ['create'], spec(b)), key: i }))
      const shuffled = [...changes].reverse()
      const findings = findingsOf(s, shuffled)
      const checks = checkQueries(s, bindings.map(query), false)
      expect(findings.map((f) => f.address)).toEqual(changes.map((_, i) => `volcengine_ha_vip_associate.web[${String(i)}]`))
      expect(findings.map((f) => [f.verdict, f.violations.map((v) => v.id)])).toEqual(
        checks.map((c) => [c.violations.length === 0 ? 'pass' : 'fail', c.violations.map((v) => v.id)]))
    })

  test.prop([snapshotArbitrary().chain((s) => fc.tuple(
    fc.constant(s),
    resourcesArbitrary(s, 6, 8),
    bindingArbitrary(s),
    fc.constantFrom<'ha_vip_id' | 'instance_id'>('ha_vip_id', 'instance_id'),
    fc.constantFrom('a', 'd', 'zz'),
  ))])('adding a binding with an unknown HaVip or target never turns a failure into a pass or an unknown', ([json, resources, b, unknown, name]) => {
    const s = load(json)
    const changes = resources.map((r) => r.change)
    const added: ChangeSpec = {
      ...association(`${name}_unknown`, ['create'], spec(b)),
      after: { instance_type: b.type, ...(unknown === 'ha_vip_id' ? { instance_id: b.instance } : { ha_vip_id: b.haVip }) },
      afterUnknown: { id: true, [unknown]: true },
      expressions: { [unknown]: { references: ['data.volcengine_ha_vips.some.ha_vips'] } },
    }
    const key = (f: PlanFinding) => `${f.address} ${f.action}`
    const after = new Map(findingsOf(s, [...changes, added]).map((f) => [key(f), f.verdict]))
    for (const f of findingsOf(s, changes)) {
      if (f.verdict === 'fail') expect(after.get(key(f)), key(f)).toBe('fail')
    }
  })

  test.prop([snapshotArbitrary({ maxInstances: 4, maxHaVips: 3 }).chain((s) => fc.tuple(fc.constant(s), resourcesArbitrary(s, 4, 6)))], { numRuns: runs(5000) })(
    'a plan reports no failure exactly when no order Terraform may apply it in meets a refusal',
    ([json, resources]) => {
      const s = load(json)
      const failing = findingsOf(s, resources.map((r) => r.change)).filter((f) => f.verdict === 'fail')
      let refusedOrder: ReadonlyArray<Call> | undefined
      for (const order of interleavings(resources.map((r) => r.calls))) {
        if (meetsRefusal(s, order)) {
          refusedOrder = order
          break
        }
      }
      expect(failing.length > 0, refusedOrder === undefined ? 'no order is refused' : `refused in the order ${JSON.stringify(refusedOrder)}`).toBe(refusedOrder !== undefined)
    })
})
