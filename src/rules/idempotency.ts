import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { lookup } from '../model/layered-map.js'
import type { LedgerEntryJson } from '../model/json.js'
import { isCreateHaVipEntry, ledgerKey, ledgerParameters } from '../model/ledger.js'
import type { BindingRequest } from '../model/request.js'
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
export const ledgerEntry = (r: BindingRequest, clientToken: string, requestId: string | undefined): LedgerEntryJson => {
  const Parameters = { HaVipId: r.haVipId, InstanceType: r.instanceType, InstanceId: r.instanceId }
  return requestId === undefined
    ? { Action: r.action, ClientToken: clientToken, Status: 'Succeeded', Parameters }
    : { Action: r.action, ClientToken: clientToken, Status: 'Succeeded', RequestId: requestId, Parameters }
}
