import type { AnyLedgerEntryJson, CreateHaVipLedgerEntryJson, LedgerEntryJson } from './json.js'

export type MutatingAction = 'AssociateHaVip' | 'DisassociateHaVip'

// Length-prefixed, so that no Action/ClientToken pair can spell another's key.
export const ledgerKey = (action: string, clientToken: string): string =>
  `${String(action.length)}:${action}${clientToken}`

export const ledgerParameters = (e: LedgerEntryJson): { haVipId: string; instanceId: string; instanceType: string } => ({
  haVipId: e.Parameters.HaVipId,
  instanceId: e.Parameters.InstanceId,
  instanceType: e.Parameters.InstanceType ?? 'EcsInstance',
})

/** Whether an entry is CreateHaVip's (its parameters and `Result` differ from the binding actions'). */
export const isCreateHaVipEntry = (e: AnyLedgerEntryJson): e is CreateHaVipLedgerEntryJson => e.Action === 'CreateHaVip'
