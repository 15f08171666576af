import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { ApiError } from '../errors/catalog.js'
import { formatAddress } from '../model/address.js'
import type { Subnet } from '../model/addresses.js'
import { changeUse, raiseFloor } from '../model/addresses.js'
import type { HaVipJson } from '../model/json.js'
import { assign, lookup } from '../model/layered-map.js'
import { ledgerKey } from '../model/ledger.js'
import type { CreateHaVipRequest } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'
import { withChanges } from '../model/snapshot.js'
import type { CreateContext, CreateRule } from '../rules/create.js'
import {
  addressInSubnet, addressNotInUse, addressNotReserved, createContext, subnetAvailable, subnetExists, subnetHasFreeAddress,
  withinHaVipsPerRegion, withinHaVipsPerVpc,
} from '../rules/create.js'
import { consultCreateLedger, createLedgerEntry } from '../rules/idempotency.js'
import type { CreateHaVipOutput, Outcome } from './evaluate.js'
import { issueId } from './ids.js'
import type { WriteContext } from './lifecycle.js'
import { everyViolation, unlessViolated } from './lifecycle.js'
import { withTask } from './tasks.js'

/** CreateHaVip: rules C2–C9 of docs/rules.md, in order (C1, the ledger, comes first). */
export const createRules: ReadonlyArray<CreateRule> = [
  subnetExists,
  subnetAvailable,
  addressInSubnet,
  addressNotReserved,
  addressNotInUse,
  subnetHasFreeAddress,
  withinHaVipsPerVpc,
  withinHaVipsPerRegion,
]

/** The new HaVip, every field as DescribeHaVips lists a fresh one. */
const newHaVip = (r: CreateHaVipRequest, id: string, vpcId: string, address: string, status: string, now: string | undefined): HaVipJson => ({
  HaVipId: id,
  HaVipName: r.haVipName ?? id,
  Description: r.description ?? '',
  VpcId: vpcId,
  SubnetId: r.subnetId,
  IpAddress: address,
  Status: status,
  AssociatedInstanceType: '',
  AssociatedInstanceIds: [],
  AssociatedEipId: '',
  AssociatedEipAddress: '',
  MasterInstanceId: '',
  ProjectName: 'default',
  Tags: (r.tags ?? []).map((t) => ({ Key: t.key, Value: t.value })),
  ...(now === undefined ? {} : { CreatedAt: now, UpdatedAt: now }),
})

/** Every rule passed: the HaVip is appended with its address, its task recorded, and with a token the ledger entry. */
const apply = (ctx: CreateContext, subnet: Subnet, chosen: number, w: WriteContext): E.Either<ApiError, Outcome<CreateHaVipOutput>> => {
  const { snapshot: s, request: r } = ctx
  const { id, idCounter } = issueId(s, 'havip')
  const haVip = newHaVip(r, id, subnet.vpcId, formatAddress(chosen), s.asyncSteps > 0 ? 'Creating' : 'Available', w.now)
  const used = changeUse(s.addresses, subnet.id, chosen, 1)
  const added = withChanges(s, {
    haVips: assign(s.haVips, id, haVip),
    haVipCount: s.haVipCount + 1,
    haVipsPerVpc: assign(s.haVipsPerVpc, subnet.vpcId, (lookup(s.haVipsPerVpc, subnet.vpcId) ?? 0) + 1),
    addresses: ctx.address === undefined ? raiseFloor(used, subnet.id, chosen) : used,
    idCounter,
  })
  const { snapshot, taskId } = withTask(added, 'CreateHaVip', id, w.requestId)
  const result = { HaVipId: id, IpAddress: formatAddress(chosen), AsyncTaskId: taskId }
  return E.right({
    snapshot: r.clientToken === undefined
      ? snapshot
      : withChanges(snapshot, { ledger: assign(snapshot.ledger, ledgerKey(r.action, r.clientToken), createLedgerEntry(r, r.clientToken, w.requestId, result)) }),
    result,
  })
}

/** CreateHaVip, emulator mode: the ledger, then the first rule that fails, else the new snapshot. */
export const evaluateCreate = (s: SnapshotState, r: CreateHaVipRequest, w: WriteContext): E.Either<ApiError, Outcome<CreateHaVipOutput>> => {
  const verdict = consultCreateLedger(s, r)
  if (verdict._tag === 'Replay') return E.right({ snapshot: s, result: verdict.entry.Result, replayed: verdict.entry })
  if (verdict._tag === 'Refused') return E.left(verdict.error)
  const ctx = createContext(s, r)
  // The rules passed, C2 and C7 among them: the subnet and the address are there.
  return unlessViolated(createRules, ctx, () => pipe(ctx.subnet, E.chain((subnet) => pipe(ctx.chosen, E.chain((chosen) => apply(ctx, subnet, chosen, w))))))
}

/** CreateHaVip, pre-check mode: a refused token first, then every rule that fails; a replay has none. */
export const createViolations = (s: SnapshotState, r: CreateHaVipRequest): ReadonlyArray<ApiError> => {
  const verdict = consultCreateLedger(s, r)
  if (verdict._tag === 'Replay') return []
  const found = everyViolation(createRules, createContext(s, r))
  return verdict._tag === 'Refused' ? [verdict.error, ...found] : found
}
