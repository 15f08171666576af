import type { MutatingAction } from '../model/ledger.js'
import type { ResourceAddress } from './address.js'
import type { Planned, Resolver, Value } from './values.js'
import { absent, known } from './values.js'

/**
 * What a plan does, in the terms of the rules: the resources it creates and the ENIs it attaches
 * or detaches (applied first), and the binding changes, each with the step of the worst apply order
 * it belongs to (docs/terraform.md).
 */

/** A resource the plan creates, named by its address (its id is not known before apply). */
export interface CreatedResource {
  readonly kind: 'HaVip' | 'Instance' | 'NetworkInterface'
  readonly id: string
  readonly subnet: Value
}

/** An ENI attached to an instance, or detached. */
export interface Attachment {
  readonly address: string
  readonly attach: boolean
  readonly eni: Value
  readonly instance: Value
}

/**
 * The worst order Terraform may apply binding changes in: the delete half of a delete-first
 * replace (2), every association (3), every other disassociation (4).
 */
export type Step = 2 | 3 | 4

/** One planned AssociateHaVip or DisassociateHaVip. */
export interface BindingChange {
  readonly address: string
  readonly resource: ResourceAddress
  /** Its place among the changes of its resource: the replace's order, a HaVip's bindings by id. */
  readonly position: number
  readonly step: Step
  readonly action: MutatingAction
  readonly haVip: Value
  readonly instance: Value
  readonly instanceType: Value
  /** The attributes these come from, for the report: `ha_vip_id`, `instance_id`, `instance_type` (or the HaVip's own). */
  readonly attributes: { readonly haVip: string; readonly instance: string; readonly instanceType: string }
}

const associateAttributes = { haVip: 'ha_vip_id', instance: 'instance_id', instanceType: 'instance_type' } as const
const ccAttributes = { haVip: 'ha_vip_id', instance: 'associated_instance_ids', instanceType: 'associated_instance_type' } as const

export interface PlannedChanges {
  readonly created: ReadonlyArray<CreatedResource>
  readonly attachments: ReadonlyArray<Attachment>
  readonly bindings: ReadonlyArray<BindingChange>
  /** Resources of types the check does not read. */
  readonly ignored: ReadonlyArray<{ readonly address: string; readonly type: string }>
}

const record = (u: unknown): Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Readonly<Record<string, unknown>>) : {}

const fromState = (state: unknown, attr: string): Value => {
  const value = record(state)[attr]
  return typeof value === 'string' ? known(value) : absent
}

const typeOf = (value: Value): Value => (value.kind === 'absent' ? known('EcsInstance') : value)

/** The halves of a change, in the order Terraform runs them: a replace's delete and create, a forget's create. */
const halves = (actions: ReadonlyArray<string>): ReadonlyArray<'create' | 'delete'> =>
  actions.filter((a): a is 'create' | 'delete' => a === 'create' || a === 'delete')

const creatorTypes: Readonly<Record<string, CreatedResource['kind']>> = {
  volcengine_ha_vip: 'HaVip',
  volcenginecc_vpc_ha_vip: 'HaVip',
  volcengine_network_interface: 'NetworkInterface',
  volcengine_ecs_instance: 'Instance',
}

const readTypes = new Set([...Object.keys(creatorTypes), 'volcengine_ha_vip_associate', 'volcengine_network_interface_attach'])

/** A volcengine_ha_vip_associate: a create is AssociateHaVip, a delete DisassociateHaVip; a replace is both, in its own order. */
const associateChanges = (p: Planned, resolve: Resolver): ReadonlyArray<BindingChange> => {
  const parts = halves(p.change.actions)
  return parts.map((half, position): BindingChange => {
    const base = { address: p.text, resource: p.address, position, attributes: associateAttributes }
    if (half === 'create') {
      return {
        ...base, step: 3, action: 'AssociateHaVip',
        haVip: resolve.attribute(p, 'ha_vip_id'), instance: resolve.attribute(p, 'instance_id'), instanceType: typeOf(resolve.attribute(p, 'instance_type')),
      }
    }
    const before = p.change.before
    return {
      ...base, step: parts[0] === 'delete' && parts.length === 2 ? 2 : 4, action: 'DisassociateHaVip',
      haVip: fromState(before, 'ha_vip_id'), instance: fromState(before, 'instance_id'), instanceType: typeOf(fromState(before, 'instance_type')),
    }
  })
}

const idsOf = (state: unknown): ReadonlyArray<unknown> => {
  const ids = record(state).associated_instance_ids
  return Array.isArray(ids) ? ids : []
}

const valueText = (v: Value): string => (v.kind === 'known' ? v.value : v.kind === 'symbolic' ? v.address : '\uffff')

/**
 * The id of the HaVip a volcenginecc_vpc_ha_vip updates: its `ha_vip_id` in `before`, else its
 * `id` (Cloud Control's identifier of the HaVip, the same id), and which of the two was read.
 */
const ccHaVipId = (p: Planned): { readonly value: Value; readonly attribute: string } => {
  for (const attribute of ['ha_vip_id', 'id']) {
    const value = fromState(p.change.before, attribute)
    if (value.kind === 'known') return { value, attribute }
  }
  return { value: { kind: 'unknown', reason: `neither ha_vip_id nor id of ${p.text} is set in the plan's before (the HaVip's id is read from ha_vip_id, else id)` }, attribute: 'ha_vip_id' }
}

/**
 * A volcenginecc_vpc_ha_vip: created, each listed id is AssociateHaVip; updated, AssociateHaVip for
 * each id in `after` but not `before`, DisassociateHaVip for each in `before` but not `after` — in
 * the order of their ids.
 */
const ccChanges = (p: Planned, resolve: Resolver): ReadonlyArray<BindingChange> => {
  const parts = halves(p.change.actions)
  const updated = p.change.actions.includes('update')
  if (!parts.includes('create') && !updated) return []
  const { value: haVip, attribute } = parts.includes('create') ? { value: { kind: 'symbolic', address: p.text } as const, attribute: 'ha_vip_id' } : ccHaVipId(p)
  const afterUnknown = record(p.change.after_unknown).associated_instance_ids
  const type = typeOf(resolve.attribute(p, 'associated_instance_type'))
  const base = { address: p.text, resource: p.address, haVip, instanceType: type, attributes: { ...ccAttributes, haVip: attribute } }
  // Created without the attribute configured, it is computed and binds nothing.
  if (afterUnknown === true) {
    return Object.hasOwn(p.expressions, 'associated_instance_ids')
      ? [{ ...base, position: 0, step: 3, action: 'AssociateHaVip', instance: { kind: 'unknown', reason: `associated_instance_ids of ${p.text} is known only after apply` } }]
      : []
  }
  const unknownFlags = Array.isArray(afterUnknown) ? afterUnknown : []
  const after = idsOf(p.change.after).map((id, i): Value =>
    typeof id === 'string' ? known(id) : unknownFlags[i] === true ? resolve.listElement(p, 'associated_instance_ids') : absent)
  const before = new Set(updated ? idsOf(p.change.before).filter((id): id is string => typeof id === 'string') : [])
  const added = after.filter((v) => !(v.kind === 'known' && before.has(v.value)) && v.kind !== 'absent')
  const kept = new Set(after.flatMap((v) => (v.kind === 'known' ? [v.value] : [])))
  const removed = [...before].filter((id) => !kept.has(id)).map(known)
  const beforeType = typeOf(fromState(p.change.before, 'associated_instance_type'))
  const byId = (a: Value, b: Value): number => (valueText(a) < valueText(b) ? -1 : valueText(a) > valueText(b) ? 1 : 0)
  return [
    ...[...added].sort(byId).map((instance): Omit<BindingChange, 'position'> => ({ ...base, step: 3, action: 'AssociateHaVip', instance })),
    ...removed.sort(byId).map((instance): Omit<BindingChange, 'position'> => ({ ...base, instanceType: beforeType.kind === 'known' && beforeType.value !== '' ? beforeType : type, step: 4, action: 'DisassociateHaVip', instance })),
  ].map((c, position) => ({ ...c, position }))
}

/** Reads a plan's resources into what the check applies. */
export const plannedChanges = (planned: ReadonlyArray<Planned>, resolve: Resolver): PlannedChanges => {
  const created: Array<CreatedResource> = []
  const attachments: Array<Attachment> = []
  const bindings: Array<BindingChange> = []
  const ignored: Array<{ address: string; type: string }> = []
  for (const p of planned) {
    if (p.address.mode === 'data') continue
    const type = p.address.type
    if (!readTypes.has(type)) {
      ignored.push({ address: p.text, type })
      continue
    }
    const kind = creatorTypes[type]
    if (kind !== undefined && halves(p.change.actions).includes('create')) {
      created.push({ kind, id: p.text, subnet: resolve.attribute(p, 'subnet_id') })
    }
    if (type === 'volcengine_ha_vip_associate') bindings.push(...associateChanges(p, resolve))
    if (type === 'volcenginecc_vpc_ha_vip') bindings.push(...ccChanges(p, resolve))
    if (type === 'volcengine_network_interface_attach') {
      for (const half of halves(p.change.actions)) {
        attachments.push(half === 'create'
          ? { address: p.text, attach: true, eni: resolve.attribute(p, 'network_interface_id'), instance: resolve.attribute(p, 'instance_id') }
          : { address: p.text, attach: false, eni: fromState(p.change.before, 'network_interface_id'), instance: fromState(p.change.before, 'instance_id') })
      }
    }
  }
  return { created, attachments, bindings, ignored }
}
