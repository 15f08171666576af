import * as E from 'fp-ts/lib/Either.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { knownViolations } from '../engine/evaluate.js'
import { execute, operations } from '../engine/operations.js'
import { lookup } from '../model/layered-map.js'
import type { InstanceType } from '../model/json.js'
import type { MutatingAction } from '../model/ledger.js'
import { boundIds, boundType, instanceTypes, targetKey } from '../model/resources.js'
import { bind } from '../engine/transitions.js'
import type { SnapshotState } from '../model/snapshot.js'
import type { PartialBinding } from '../rules/context.js'
import { compareAddresses } from './address.js'
import type { BindingChange, PlannedChanges } from './changes.js'
import type { Value } from './values.js'
import type { Waiver } from './waivers.js'
import type { KnownBinding } from './delete-first.js'
import { DeleteFirstReplaces } from './delete-first.js'
import { listed, shownAddresses } from './listed.js'
import { addEni, addHaVips, addInstance, setAttachment } from './world.js'

export type Verdict = 'pass' | 'fail' | 'unknown'

/** An input a verdict depends on that the plan does not say, and why. */
export interface Unknown {
  readonly attribute: string
  readonly reason: string
}

/** The verdict on one planned binding change. */
export interface PlanFinding {
  readonly address: string
  readonly action: MutatingAction
  /** The HaVip's id, or the address of the HaVip this plan creates; absent when not known before apply. */
  readonly haVipId?: string
  readonly instanceId?: string
  readonly instanceType?: string
  readonly verdict: Verdict
  /** Every rule the change breaks, in the order the API checks them (`fail`). */
  readonly violations: ReadonlyArray<ApiError>
  /** What the verdict waits for (`unknown`). */
  readonly unknowns: ReadonlyArray<Unknown>
  /** The resource block in the configuration, when the check was told where it is. */
  readonly location?: { readonly file: string; readonly line: number }
  /** The waivers that match it (`withWaivers`), one an error id. */
  readonly waivers?: ReadonlyArray<Waiver>
  /** Whether they cover every reason it has to fail the gate: it is then counted as waived, not as fail or unknown. */
  readonly waived?: boolean
}

const concrete = (v: Value): string | undefined => (v.kind === 'known' ? v.value : v.kind === 'symbolic' ? v.address : undefined)

const isInstanceType = (text: string): text is InstanceType => (instanceTypes as ReadonlyArray<string>).includes(text)

/**
 * The start of every value the check makes up (markers, stand-ins): NULs, one more than any text
 * they can meet starts with. Ids, subnets and devices are any text, in the snapshot as in the plan:
 * one equal to a made-up value would be taken for it (a subnet known only after apply for the
 * HaVip's own). A made-up value meets only what the plan says and the resources it names, with the
 * targets of the HaVips it names: reading those, not the whole account, keeps the cost with the plan.
 */
const freshPrefix = (s: SnapshotState, changes: PlannedChanges): string => {
  let longest = 0
  const see = (...texts: ReadonlyArray<string | undefined>): void => {
    for (const text of texts) {
      let nuls = 0
      while (text?.charCodeAt(nuls) === 0) nuls++
      longest = Math.max(longest, nuls)
    }
  }
  const target = (id: string | undefined): void => {
    if (id === undefined) return
    const eni = lookup(s.enis, id)
    see(id, lookup(s.instances, id)?.subnetId, eni?.subnetId, eni?.deviceId)
  }
  for (const c of changes.created) see(concrete(c.subnet))
  // An attachment's instance becomes its ENI's device; the ENI itself matters only if a binding names it or its HaVip.
  for (const a of changes.attachments) see(concrete(a.instance))
  for (const c of changes.bindings) {
    const id = concrete(c.haVip)
    const h = id === undefined ? undefined : lookup(s.haVips, id)
    see(h?.SubnetId)
    for (const bound of h === undefined ? [] : boundIds(h)) target(bound)
    target(concrete(c.instance))
  }
  return '\u0000'.repeat(longest + 1)
}

/** What a world knows of a value the plan leaves unknown: a marker no real id can equal, and why. */
class Markers {
  private readonly reasons = new Map<string, string>()
  private next = 0

  constructor(readonly prefix: string) {}

  of(v: Value, what: string): string {
    const value = concrete(v)
    if (value !== undefined) return value
    const marker = `${this.prefix}unknown ${String(this.next++)}`
    this.reasons.set(marker, v.kind === 'unknown' ? v.reason : `${what} is not set`)
    return marker
  }

  reason(value: string | undefined): string | undefined {
    return value === undefined ? undefined : this.reasons.get(value)
  }
}

/** Earlier changes whose outcome the plan does not say, and what they may have done. */
interface Doubts {
  /** Changes applied in one world but not the other. */
  readonly uncertain: Array<string>
  /** HaVip id → associations of targets not known before apply (their type, their address). */
  readonly unknownMembers: Map<string, Array<{ readonly type: InstanceType; readonly address: string }>>
  /** Associations of an unknown target, by its type (it may be any target of that type). */
  readonly unknownTargets: Map<InstanceType, Array<string>>
  /** Associations to a HaVip not known before apply, by target type; and their targets, where known. */
  readonly unknownHaVips: Map<InstanceType, Array<string>>
  readonly unknownHaVipTargets: Map<string, Array<string>>
  /** Associations of a target not known to a HaVip not known, by target type: any binding of that type may be theirs. */
  readonly unknownBindings: Map<InstanceType, Array<string>>
  /** Associations whose target type is not known. */
  readonly unknownTypes: Array<string>
  /** Disassociations that may have removed a binding: by HaVip, by target, or of anything. */
  readonly removedFrom: Map<string, Array<string>>
  readonly removedTarget: Map<string, Array<string>>
  /** ENI attachments and detachments whose ENI is not known. */
  readonly attachments: Array<string>
}

/** Adds to a list of a map in place: copying it each time would cost the square of its length. */
const push = <K, V>(map: Map<K, Array<V>>, key: K, value: V): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/** The account as the plan leaves it before any binding changes: created resources, attachments. */
const prepare = (s: SnapshotState, changes: PlannedChanges, markers: Markers, doubts: Doubts): SnapshotState => {
  let world = s
  const haVips: Array<{ readonly id: string; readonly subnet: string }> = []
  for (const c of changes.created) {
    const subnet = markers.of(c.subnet, `subnet_id of ${c.id}`)
    if (c.kind === 'HaVip') haVips.push({ id: c.id, subnet })
    else world = c.kind === 'Instance' ? addInstance(world, c.id, subnet) : addEni(world, c.id, subnet)
  }
  world = addHaVips(world, haVips)
  for (const a of changes.attachments) {
    const eni = concrete(a.eni)
    if (eni === undefined) {
      doubts.attachments.push(a.address)
      continue
    }
    world = setAttachment(world, eni, a.attach ? markers.of(a.instance, `instance_id of ${a.address}`) : undefined) ?? world
  }
  return world
}

/** A change as far as the plan says: what it names, known or not. */
const partialOf = (c: BindingChange): PartialBinding & { readonly typeText: string | undefined } => {
  const typeText = concrete(c.instanceType)
  return { haVipId: concrete(c.haVip), instanceId: concrete(c.instance), instanceType: typeText !== undefined && isInstanceType(typeText) ? typeText : undefined, typeText }
}

/**
 * Violations that rest on a value the plan leaves unknown (a subnet or a device only known after
 * apply, an ENI an unknown attachment may change) are not failures: they become unknowns.
 */
const settle = (violations: ReadonlyArray<ApiError>, world: SnapshotState, p: PartialBinding, markers: Markers, doubts: Doubts): { failures: ReadonlyArray<ApiError>; unknowns: ReadonlyArray<Unknown> } => {
  const haVip = p.haVipId === undefined ? undefined : lookup(world.haVips, p.haVipId)
  const target = p.instanceId === undefined ? undefined : p.instanceType === 'EcsInstance' ? lookup(world.instances, p.instanceId) : lookup(world.enis, p.instanceId)
  const failures: Array<ApiError> = []
  const unknowns: Array<Unknown> = []
  for (const v of violations) {
    const subnetReason = markers.reason(haVip?.SubnetId) ?? markers.reason(target?.subnetId)
    if (v.id === 'InvalidInstance.HaVipMismatch' && subnetReason !== undefined) unknowns.push({ attribute: 'subnet_id', reason: subnetReason })
    else if ((v.id === 'Forbidden.EniNotAttachedToEcs' || v.id === 'InvalidEni.InvalidStatus') && doubts.attachments.length > 0) {
      unknowns.push({ attribute: 'network_interface_id', reason: `${listed(doubts.attachments)} ${doubts.attachments.length === 1 ? 'attaches or detaches' : 'attach or detach'} an ENI known only after apply: it may be this one` })
    } else failures.push(v)
  }
  return { failures, unknowns }
}

/**
 * Two ENIs of one instance cannot share a HaVip: an ENI the plan attaches to an instance known only
 * after apply may be on the instance of an ENI the HaVip holds, or the other way round. The rule
 * compares instance ids and the markers never equal one, so it cannot say so itself.
 */
const deviceDoubts = (world: SnapshotState, p: PartialBinding, markers: Markers): ReadonlyArray<Unknown> => {
  if (p.haVipId === undefined || p.instanceId === undefined || p.instanceType !== 'NetworkInterface') return []
  const h = lookup(world.haVips, p.haVipId)
  const target = lookup(world.enis, p.instanceId)
  if (h === undefined || target === undefined || target.deviceId === '' || boundType(h) !== 'NetworkInterface') return []
  for (const id of boundIds(h)) {
    const device = id === target.id ? undefined : lookup(world.enis, id)?.deviceId
    const reason = device === undefined || device === '' ? undefined : markers.reason(target.deviceId) ?? markers.reason(device)
    if (reason !== undefined) return [{ attribute: 'instance_id', reason }]
  }
  return []
}

/** What earlier changes of unknown outcome make of a change that would otherwise pass. */
const doubtsOf = (c: BindingChange, p: PartialBinding, upper: SnapshotState, sure: SnapshotState, doubts: Doubts): ReadonlyArray<Unknown> => {
  const { haVipId, instanceId, instanceType } = p
  if (haVipId === undefined || instanceId === undefined || instanceType === undefined) return []
  const reasons: Array<Unknown> = []
  // The first few by name, the rest counted: every change naming every earlier one would grow with the square of the plan.
  const note = (addresses: ReadonlyArray<string>, why: string): void => {
    for (const address of addresses.slice(0, shownAddresses)) reasons.push({ attribute: address, reason: `${address} ${why}` })
    const more = addresses.length - shownAddresses
    if (more > 0) reasons.push({ attribute: 'order', reason: `${String(more)} more ${more === 1 ? 'change' : 'changes'} like ${addresses[0] ?? ''}: each ${why}` })
  }
  if (c.action === 'DisassociateHaVip') {
    note(doubts.removedFrom.get(haVipId) ?? [], `unbinds a target of HaVip ${haVipId} known only after apply: it may be this one`)
    note(doubts.removedTarget.get(targetKey(instanceType, instanceId)) ?? [], `unbinds ${instanceId} from a HaVip known only after apply: it may be this one`)
    return reasons
  }
  const h = lookup(upper.haVips, haVipId)
  const held = h === undefined ? 0 : boundIds(h).length
  const extraTargets = doubts.unknownTargets.get(instanceType) ?? []
  const extraHaVips = doubts.unknownHaVips.get(instanceType) ?? []
  note((doubts.unknownMembers.get(haVipId) ?? []).filter((m) => m.type === instanceType).map((m) => m.address), `binds a target known only after apply to HaVip ${haVipId}: it may be this one`)
  const bindings = lookup(upper.bindingCounts, targetKey(instanceType, instanceId)) ?? 0
  if (extraTargets.length > 0 && bindings + extraTargets.length >= upper.quotas.HaVipsPerInstance) {
    note(extraTargets, `binds a target known only after apply: if it is ${instanceId}, ${instanceId} reaches HaVipsPerInstance`)
  }
  if (extraHaVips.length > 0 && held + extraHaVips.length >= upper.quotas.InstancesPerHaVip) {
    note(extraHaVips, `binds to a HaVip known only after apply: if it is ${haVipId}, it reaches InstancesPerHaVip`)
  }
  note(doubts.unknownHaVipTargets.get(targetKey(instanceType, instanceId)) ?? [], `binds ${instanceId} to a HaVip known only after apply: it may be ${haVipId}`)
  note(doubts.unknownBindings.get(instanceType) ?? [], `binds a target known only after apply to a HaVip known only after apply: it may bind ${instanceId} to ${haVipId}`)
  const otherType = instanceType === 'EcsInstance' ? 'NetworkInterface' : 'EcsInstance'
  // Only a binding sure to be there keeps the other type out: one of unknown outcome may be refused
  // because an association to a HaVip known only after apply went first.
  const sureHaVip = lookup(sure.haVips, haVipId)
  if (sureHaVip !== undefined && boundType(sureHaVip) === undefined) {
    note(doubts.unknownHaVips.get(otherType) ?? [], `binds a ${otherType} to a HaVip known only after apply: if it is ${haVipId}, the HaVip holds another type`)
  }
  note(doubts.unknownTypes, 'binds a target of a type known only after apply')
  return reasons
}

const byPlan = (a: BindingChange, b: BindingChange): number => compareAddresses(a.resource, b.resource) || a.position - b.position

/** Applies a change to a world: the new world, or the same one if the engine refuses it. */
const applied = (world: SnapshotState, action: MutatingAction, p: PartialBinding): SnapshotState => {
  if (p.haVipId === undefined || p.instanceId === undefined || p.instanceType === undefined) return world
  const outcome = execute(world, { action, haVipId: p.haVipId, instanceId: p.instanceId, instanceType: p.instanceType })
  return E.isRight(outcome) ? outcome.right.snapshot : world
}

/**
 * An association of unknown outcome in the world with most bindings: made unless the engine
 * refuses it whatever the unknowns are. One it refuses only for a value known after apply (a
 * created HaVip's or instance's subnet read from a data source) may well be made.
 */
const associatedUnlessCertain = (world: SnapshotState, w: KnownBinding, markers: Markers, doubts: Doubts): SnapshotState => {
  const done = applied(world, 'AssociateHaVip', w)
  if (done !== world || settle(knownViolations(operations.AssociateHaVip, world, w), world, w, markers, doubts).failures.length > 0) return done
  const h = lookup(world.haVips, w.haVipId)
  const target = w.instanceType === 'EcsInstance' ? lookup(world.instances, w.instanceId) : lookup(world.enis, w.instanceId)
  return h === undefined || target === undefined ? world : bind(world, h, target)
}

/**
 * Runs a plan's binding changes through the rules in the worst order Terraform may apply them,
 * chained, in two worlds: one where every change of unknown outcome made as few bindings as it can
 * (what a failure there does not depend on), one where it made as many. A change fails when it
 * fails in the world most favourable to it, is unknown when it fails only in the other or rests on
 * a value the plan does not say, and passes otherwise.
 */
export const checkChanges = (snapshot: SnapshotState, changes: PlannedChanges): ReadonlyArray<PlanFinding> => {
  const markers = new Markers(freshPrefix(snapshot, changes))
  const doubts: Doubts = {
    uncertain: [], unknownMembers: new Map(), unknownTargets: new Map(), unknownHaVips: new Map(), unknownHaVipTargets: new Map(),
    unknownBindings: new Map(), unknownTypes: [], removedFrom: new Map(), removedTarget: new Map(), attachments: [],
  }
  const start = prepare(snapshot, changes, markers, doubts)
  let lower = start
  let upper = start
  // Only the changes sure to be made: those that pass, and disassociations of unknown outcome (they only take bindings away).
  let sure = start
  const findings = new Map<BindingChange, PlanFinding>()
  const worst = [...changes.bindings].sort((a, b) => a.step - b.step || byPlan(a, b))
  const knownBinding = (c: BindingChange): KnownBinding | undefined => {
    const { haVipId, instanceId, instanceType } = partialOf(c)
    return haVipId === undefined || instanceId === undefined || instanceType === undefined ? undefined : { haVipId, instanceId, instanceType }
  }
  const deleteFirst = new DeleteFirstReplaces(worst, knownBinding)
  // The associations the world with fewest bindings holds, for taking back a replace's.
  const inLower = new Set<BindingChange>()
  let placeholders = 0
  for (const c of worst) {
    const p = partialOf(c)
    const op = operations[c.action]
    const associate = c.action === 'AssociateHaVip'
    const [favourable, unfavourable] = associate ? [lower, upper] : [upper, lower]
    const unknowns: Array<Unknown> = []
    for (const [value, attribute] of [[c.haVip, c.attributes.haVip], [c.instance, c.attributes.instance], [c.instanceType, c.attributes.instanceType]] as const) {
      if (value.kind === 'unknown') unknowns.push({ attribute, reason: value.reason })
      if (value.kind === 'absent') unknowns.push({ attribute, reason: `${attribute} of ${c.address} is not set` })
    }
    const malformedType = p.typeText !== undefined && p.instanceType === undefined
      ? [apiError('InvalidInstanceType.Malformed', `instance type ${JSON.stringify(p.typeText)} is neither EcsInstance nor NetworkInterface`)]
      : []
    const settled = settle([...malformedType, ...knownViolations(op, favourable, p)], favourable, p, markers, doubts)
    const judged = associate ? { ...settled, unknowns: [...settled.unknowns, ...deviceDoubts(favourable, p, markers)] } : settled
    const w = knownBinding(c)
    // Known values (w) that pass in the world with fewest bindings may still meet a replace's old binding,
    // whatever the values known only after apply turn out to be (a subnet): that is a failure too.
    const certain = associate && w !== undefined && judged.failures.length === 0
      ? { ...judged, failures: deleteFirst.refusals(lower, { ...w, address: c.address }, (r) => (inLower.has(r) ? knownBinding(r) : undefined), (world) => settle(knownViolations(op, world, p), world, p, markers, doubts).failures) }
      : judged
    unknowns.push(...certain.unknowns)
    // Accepted where the changes of unknown outcome before it are taken as applied after it.
    const acceptedFirst = certain.failures.length === 0 && unknowns.length === 0
    let verdict: Verdict
    if (certain.failures.length > 0) verdict = 'fail'
    else if (unknowns.length > 0) verdict = 'unknown'
    else {
      const possible = settle(knownViolations(op, unfavourable, p), unfavourable, p, markers, doubts)
      if (possible.failures.length > 0) {
        unknowns.push({ attribute: 'order', reason: `may be refused (${possible.failures.map((v) => v.id).join(', ')}) after changes whose outcome is known only after apply: ${listed(doubts.uncertain)}` })
      }
      unknowns.push(...possible.unknowns, ...doubtsOf(c, p, upper, sure, doubts))
      verdict = unknowns.length > 0 ? 'unknown' : 'pass'
    }
    findings.set(c, {
      address: c.address,
      action: c.action,
      ...(p.haVipId === undefined ? {} : { haVipId: p.haVipId }),
      ...(p.instanceId === undefined ? {} : { instanceId: p.instanceId }),
      ...(p.typeText === undefined ? {} : { instanceType: p.typeText }),
      verdict,
      violations: verdict === 'fail' ? certain.failures : [],
      unknowns: verdict === 'unknown' ? unknowns : [],
    })
    const intoLower = (): void => {
      const before = lower
      lower = applied(lower, c.action, p)
      if (associate && lower !== before) inLower.add(c)
    }
    if (verdict === 'pass') {
      intoLower()
      upper = applied(upper, c.action, p)
      sure = applied(sure, c.action, p)
    } else if (verdict === 'unknown') {
      doubts.uncertain.push(c.address)
      const { haVipId, instanceId, instanceType } = p
      if (haVipId !== undefined && instanceId !== undefined && instanceType !== undefined) {
        // Refused or not depending on what comes before it: the world with most bindings gets an
        // association, the one with fewest a disassociation. An association also joins the world
        // with fewest bindings if that world accepted it: Terraform may apply the changes it depends
        // on after it, and a change that fails whatever they are must keep failing (docs/terraform.md).
        if (associate) {
          upper = associatedUnlessCertain(upper, { haVipId, instanceId, instanceType }, markers, doubts)
          if (acceptedFirst) intoLower()
        } else {
          intoLower()
          sure = applied(sure, c.action, p)
        }
      } else if (associate) {
        if (instanceType === undefined) doubts.unknownTypes.push(c.address)
        else if (haVipId === undefined) {
          push(doubts.unknownHaVips, instanceType, c.address)
          if (instanceId !== undefined) push(doubts.unknownHaVipTargets, targetKey(instanceType, instanceId), c.address)
          else push(doubts.unknownBindings, instanceType, c.address)
        } else {
          // An unknown target: a stand-in joins the HaVip in the world with most bindings.
          const h = lookup(upper.haVips, haVipId)
          const stand = `${markers.prefix}target ${String(placeholders++)} of ${c.address}`
          if (h !== undefined) {
            const withStand = instanceType === 'EcsInstance' ? addInstance(upper, stand, h.SubnetId) : addEni(upper, stand, h.SubnetId, `${markers.prefix}device of ${stand}`)
            upper = applied(withStand, c.action, { haVipId, instanceId: stand, instanceType })
          }
          push(doubts.unknownMembers, haVipId, { type: instanceType, address: c.address })
          push(doubts.unknownTargets, instanceType, c.address)
        }
      } else if (haVipId !== undefined) {
        push(doubts.removedFrom, haVipId, c.address)
      } else if (instanceId !== undefined && instanceType !== undefined) {
        push(doubts.removedTarget, targetKey(instanceType, instanceId), c.address)
      }
    }
  }
  return [...changes.bindings].sort(byPlan).flatMap((c) => {
    const f = findings.get(c)
    return f === undefined ? [] : [f]
  })
}
