import type { LedgerEntryJson } from './json.js'

export type MutatingAction = 'AssociateHaVip' | 'DisassociateHaVip'

// Length-prefixed, so that no Action/ClientToken pair can spell another's key.
export const ledgerKey = (action: string, clientToken: string): string =>
  `${String(action.length)}:${action}${clientToken}`

export const ledgerParameters = (e: LedgerEntryJson): { haVipId: string; instanceId: string; instanceType: string } => ({
  haVipId: e.Parameters.HaVipId,
  instanceId: e.Parameters.InstanceId,
  instanceType: e.Parameters.InstanceType ?? 'EcsInstance',
})
