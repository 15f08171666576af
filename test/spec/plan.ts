/**
 * A plain reference for `havip plan` (docs/terraform.md), by brute force: a small plan whose values
 * are known, planned (a resource the plan creates) or read from a data source at apply time is
 * resolved every way its unknowns can turn out, and each resolution is applied with the engine in
 * every order Terraform may choose (each resource's own calls in their order, the resources
 * interleaved). No code of src/plan: the verdicts of the check are held to what these cases say.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { InstanceType, Snapshot, SnapshotJson } from 'havip-rules'
import { associateHaVip, disassociateHaVip } from 'havip-rules'
import { load } from '../support/snapshots.js'

/** A value of the plan: known; read at apply time (slot N of the resolution); or a resource the plan creates. */
export type Val =
  | { readonly known: string }
  | { readonly slot: number }
  | { readonly created: 'instance' | 'haVip' }

export interface Binding { readonly haVip: Val; readonly instance: Val; readonly type: InstanceType }

/** One AssociateHaVip or DisassociateHaVip of a resource, in the resource's own order. */
export interface Call {
  readonly address: string
  readonly action: 'AssociateHaVip' | 'DisassociateHaVip'
  readonly binding: Binding
  /** The delete half of a delete-then-create replace: Terraform deletes it before anything is associated. */
  readonly deleteFirst: boolean
}

/** The resources a plan creates: an ECS instance, a HaVip, each in a subnet. */
export interface Created {
  readonly instance?: Val
  readonly haVip?: Val
}

/** What each slot may turn out to be: the ids a data source may return. */
export type Candidates = ReadonlyArray<ReadonlyArray<string>>

/** The ids the reference gives created resources. */
export const createdIds = { instance: 'i-planned', haVip: 'havip-planned' } as const

/** Every way the slots can be filled. */
export function* resolutions(candidates: Candidates): Generator<ReadonlyArray<string>> {
  if (candidates.length === 0) {
    yield []
    return
  }
  const [first = [], ...rest] = candidates
  for (const value of first) for (const tail of resolutions(rest)) yield [value, ...tail]
}

export const valueOf = (v: Val, resolution: ReadonlyArray<string>): string =>
  'known' in v ? v.known : 'slot' in v ? resolution[v.slot] ?? '' : createdIds[v.created]

/** The account once the plan's resources are created (Terraform creates them before it binds to them). */
export const accountWith = (json: SnapshotJson, created: Created, resolution: ReadonlyArray<string>): Snapshot => load({
  ...json,
  HaVips: [
    ...(json.HaVips ?? []),
    ...(created.haVip === undefined ? [] : [{ HaVipId: createdIds.haVip, SubnetId: valueOf(created.haVip, resolution), Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }]),
  ],
  Instances: [
    ...(json.Instances ?? []),
    ...(created.instance === undefined ? [] : [{ InstanceId: createdIds.instance, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-planned-primary', SubnetId: valueOf(created.instance, resolution), Type: 'primary' }] }]),
  ],
})

/** Every interleaving of the resources' call lists that keeps each list's own order. */
export function* interleavings<T>(lists: ReadonlyArray<ReadonlyArray<T>>): Generator<ReadonlyArray<T>> {
  if (lists.every((l) => l.length === 0)) {
    yield []
    return
  }
  for (const [i, list] of lists.entries()) {
    const [head, ...rest] = list
    if (head === undefined) continue
    for (const tail of interleavings(lists.map((l, j) => (j === i ? rest : l)))) yield [head, ...tail]
  }
}

/** Whether the API refuses the call in this account. */
const refused = (s: Snapshot, c: Call, resolution: ReadonlyArray<string>): { readonly refused: boolean; readonly after: Snapshot } => {
  const r = { haVipId: valueOf(c.binding.haVip, resolution), instanceId: valueOf(c.binding.instance, resolution), instanceType: c.binding.type }
  const answer = c.action === 'AssociateHaVip' ? associateHaVip(s, { action: c.action, ...r }) : disassociateHaVip(s, { action: c.action, ...r })
  return E.isLeft(answer) ? { refused: true, after: s } : { refused: false, after: answer.right }
}

/** The calls refused when they are made in this order; a refused call changes nothing, and the others go on. */
export const refusedIn = (s: Snapshot, calls: ReadonlyArray<Call>, order: ReadonlyArray<number>, resolution: ReadonlyArray<string>, skip: ReadonlySet<number> = new Set()): ReadonlySet<number> => {
  const out = new Set<number>()
  for (const i of order) {
    const c = calls[i]
    if (c === undefined || skip.has(i)) continue
    const r = refused(s, c, resolution)
    if (r.refused) out.add(i)
    s = r.after
  }
  return out
}

/**
 * The worst order of docs/terraform.md: the delete halves of delete-then-create replaces, then
 * every association, then every other disassociation; within each, by address (these plans hold
 * root-module resources of one type, so by name).
 */
export const documentedOrder = (calls: ReadonlyArray<Call>): ReadonlyArray<number> => {
  const step = (c: Call): number => (c.deleteFirst ? 2 : c.action === 'AssociateHaVip' ? 3 : 4)
  return calls.map((c, i) => ({ c, i })).sort((a, b) => step(a.c) - step(b.c) || (a.c.address < b.c.address ? -1 : a.c.address > b.c.address ? 1 : 0)).map(({ i }) => i)
}

/** For each call: in how many resolutions some order refuses it, and whether every order of every resolution does. */
export interface Cases {
  readonly resolutions: number
  /** Per call: the resolutions in which some order refuses it. */
  readonly refusedSomewhere: ReadonlyArray<number>
  /** Per call: whether every order of every resolution refuses it. */
  readonly refusedEverywhere: ReadonlyArray<boolean>
}

export const enumerate = (json: SnapshotJson, created: Created, calls: ReadonlyArray<Call>, lists: ReadonlyArray<ReadonlyArray<number>>, candidates: Candidates): Cases => {
  const somewhere = calls.map(() => 0)
  const everywhere = calls.map(() => true)
  let count = 0
  for (const resolution of resolutions(candidates)) {
    count += 1
    const s = accountWith(json, created, resolution)
    const some = calls.map(() => false)
    for (const order of interleavings(lists)) {
      const r = refusedIn(s, calls, order, resolution)
      calls.forEach((_, i) => {
        if (r.has(i)) some[i] = true
        else everywhere[i] = false
      })
    }
    some.forEach((x, i) => { if (x) somewhere[i] = (somewhere[i] ?? 0) + 1 })
  }
  return { resolutions: count, refusedSomewhere: somewhere, refusedEverywhere: everywhere }
}
