import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { lookup } from '../model/layered-map.js'
import type { CreateHaVipLedgerEntryJson, LedgerEntryJson, TagJson } from '../model/json.js'
import { isCreateHaVipEntry, ledgerKey, ledgerParameters } from '../model/ledger.js'
import type { BindingRequest, CreateHaVipRequest } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'

/** What the idempotency ledger says of a request (docs/rules.md, Idempotency). */
export type LedgerVerdict =
  | { readonly _tag: 'Fresh' }
  | { readonly _tag: 'Replay'; readonly entry: LedgerEntryJson }
  | { readonly _tag: 'Refused'; readonly error: ApiError }

const fresh: LedgerVerdict = { _tag: 'Fresh' }

const sameParameters = (e: LedgerEntryJson, r: BindingRequest): boolean => {
  const p = ledgerParameters(e)
  return p.haVipId === r.haVipId && p.instanceId === r.instanceId && p.instanceType === r.instanceType
}

/** A1, D1: a request with a known ClientToken is refused, or replays the earlier success. */
export const consultLedger = (s: SnapshotState, r: BindingRequest): LedgerVerdict => {
  if (r.clientToken === undefined) return fresh
  const entry = lookup(s.ledger, ledgerKey(r.action, r.clientToken))
  // A binding action's key never finds CreateHaVip's entry: the key holds the action.
  if (entry === undefined || isCreateHaVipEntry(entry)) return fresh
  const token = JSON.stringify(r.clientToken)
  if (entry.Status === 'InProgress') {
    return { _tag: 'Refused', error: apiError('IdempotentProcessing', `ClientToken ${token} belongs to a ${r.action} still in process`) }
  }
  if (!sameParameters(entry, r)) {
    const p = ledgerParameters(entry)
    return {
      _tag: 'Refused',
      error: apiError('IdempotentParameterMismatch',
        `ClientToken ${token} was used for HaVip ${p.haVipId} and ${p.instanceType} ${p.instanceId}; ` +
        `this request names HaVip ${r.haVipId} and ${r.instanceType} ${r.instanceId}`),
    }
  }
  return { _tag: 'Replay', entry }
}

/** The entry a successful tokened request leaves behind. */
export const ledgerEntry = (r: BindingRequest, clientToken: string, requestId: string | undefined, asyncTaskId: string): LedgerEntryJson => {
  const Parameters = { HaVipId: r.haVipId, InstanceType: r.instanceType, InstanceId: r.instanceId }
  return requestId === undefined
    ? { Action: r.action, ClientToken: clientToken, Status: 'Succeeded', AsyncTaskId: asyncTaskId, Parameters }
    : { Action: r.action, ClientToken: clientToken, Status: 'Succeeded', RequestId: requestId, AsyncTaskId: asyncTaskId, Parameters }
}

/** What the ledger says of a CreateHaVip (docs/rules.md, C1). */
export type CreateLedgerVerdict =
  | { readonly _tag: 'Fresh' }
  | { readonly _tag: 'Replay'; readonly entry: CreateHaVipLedgerEntryJson }
  | { readonly _tag: 'Refused'; readonly error: ApiError }

/** The parameters a CreateHaVip entry records: those the request gave, as given. */
export const createParameters = (r: CreateHaVipRequest): CreateHaVipLedgerEntryJson['Parameters'] => ({
  SubnetId: r.subnetId,
  ...(r.ipAddress === undefined ? {} : { IpAddress: r.ipAddress }),
  ...(r.haVipName === undefined ? {} : { HaVipName: r.haVipName }),
  ...(r.description === undefined ? {} : { Description: r.description }),
  ...(r.tags === undefined ? {} : { Tags: r.tags.map((t) => ({ Key: t.key, Value: t.value })) }),
})

const sameTags = (a: ReadonlyArray<TagJson> | undefined, b: ReadonlyArray<TagJson> | undefined): boolean =>
  a === undefined || b === undefined
    ? a === b
    : a.length === b.length && a.every((t, i) => { const u = b[i]; return t.Key === u?.Key && t.Value === u.Value })

// An absent parameter differs from any given value.
const sameCreate = (a: CreateHaVipLedgerEntryJson['Parameters'], b: CreateHaVipLedgerEntryJson['Parameters']): boolean =>
  a.SubnetId === b.SubnetId && a.IpAddress === b.IpAddress && a.HaVipName === b.HaVipName && a.Description === b.Description && sameTags(a.Tags, b.Tags)

/** C1: a CreateHaVip with a known ClientToken is refused, or replays the earlier success. */
export const consultCreateLedger = (s: SnapshotState, r: CreateHaVipRequest): CreateLedgerVerdict => {
  if (r.clientToken === undefined) return fresh
  const entry = lookup(s.ledger, ledgerKey(r.action, r.clientToken))
  if (entry === undefined || !isCreateHaVipEntry(entry)) return fresh
  const token = JSON.stringify(r.clientToken)
  if (entry.Status === 'InProgress') {
    return { _tag: 'Refused', error: apiError('IdempotentProcessing', `ClientToken ${token} belongs to a CreateHaVip still in process`) }
  }
  if (!sameCreate(entry.Parameters, createParameters(r))) {
    return {
      _tag: 'Refused',
      error: apiError('IdempotentParameterMismatch',
        `ClientToken ${token} was used for CreateHaVip with ${JSON.stringify(entry.Parameters)}; this request gives ${JSON.stringify(createParameters(r))}`),
    }
  }
  return { _tag: 'Replay', entry }
}

/** The entry a successful tokened CreateHaVip leaves behind: the parameters given and the `Result` a replay answers. */
export const createLedgerEntry = (r: CreateHaVipRequest, clientToken: string, requestId: string | undefined, result: CreateHaVipLedgerEntryJson['Result']): CreateHaVipLedgerEntryJson => ({
  Action: 'CreateHaVip',
  ClientToken: clientToken,
  Status: 'Succeeded',
  ...(requestId === undefined ? {} : { RequestId: requestId }),
  Parameters: createParameters(r),
  Result: result,
})
