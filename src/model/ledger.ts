import type { InstanceType } from './resources.js'

export type MutatingAction = 'AssociateHaVip' | 'DisassociateHaVip'

/** One remembered ClientToken, as the snapshot's `ClientTokens` list holds it. */
export interface LedgerEntry {
  readonly Action: string
  readonly ClientToken: string
  /** `InProgress` is put there by a host that models slow operations. */
  readonly Status: 'Succeeded' | 'InProgress'
  readonly RequestId?: string
  readonly Parameters: {
    readonly HaVipId: string
    readonly InstanceId: string
    readonly InstanceType?: string
  }
}

// Length-prefixed, so that no Action/ClientToken pair can spell another's key.
export const ledgerKey = (action: string, clientToken: string): string =>
  `${String(action.length)}:${action}${clientToken}`

export const ledgerParameters = (e: LedgerEntry): { haVipId: string; instanceId: string; instanceType: string } => ({
  haVipId: e.Parameters.HaVipId,
  instanceId: e.Parameters.InstanceId,
  instanceType: e.Parameters.InstanceType ?? ('EcsInstance' satisfies InstanceType),
})
