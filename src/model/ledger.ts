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

/** The Action and ClientToken a `ledgerKey` was made of. */
const splitLedgerKey = (key: string): { readonly action: string; readonly clientToken: string } | undefined => {
  const colon = key.indexOf(':')
  const prefix = key.slice(0, colon)
  const length = Number(prefix)
  // Only the length ledgerKey writes: " 14", "014" or "-1" would read a key no entry has.
  if (colon < 1 || String(length) !== prefix || length < 0 || colon + 1 + length > key.length) return undefined
  return { action: key.slice(colon + 1, colon + 1 + length), clientToken: key.slice(colon + 1 + length) }
}

/**
 * The ledger as loaded, a map by `ledgerKey` that holds no key: its entries by Action, then by
 * their own ClientToken string, in the order they were listed. A million entries keyed by
 * `ledgerKey` would make, and hold for as long as the snapshot lives, a million new strings
 * (about 84 MiB); here a lookup splits its key instead.
 */
export class LedgerIndex implements ReadonlyMap<string, AnyLedgerEntryJson> {
  readonly #byAction = new Map<string, Map<string, AnyLedgerEntryJson>>()
  readonly #order: Array<AnyLedgerEntryJson> = []

  /**
   * Adds an entry under its own Action and ClientToken (`key` is its `ledgerKey`). The index is
   * built once, at load, which reports a repeated key: the first entry of a key stays.
   */
  set(_key: string, entry: AnyLedgerEntryJson): this {
    let tokens = this.#byAction.get(entry.Action)
    if (tokens === undefined) this.#byAction.set(entry.Action, tokens = new Map<string, AnyLedgerEntryJson>())
    if (!tokens.has(entry.ClientToken)) {
      tokens.set(entry.ClientToken, entry)
      this.#order.push(entry)
    }
    return this
  }

  get(key: string): AnyLedgerEntryJson | undefined {
    const split = splitLedgerKey(key)
    return split === undefined ? undefined : this.#byAction.get(split.action)?.get(split.clientToken)
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  get size(): number {
    return this.#order.length
  }

  *entries(): MapIterator<[string, AnyLedgerEntryJson]> {
    for (const e of this.#order) yield [ledgerKey(e.Action, e.ClientToken), e]
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key
  }

  *values(): MapIterator<AnyLedgerEntryJson> {
    yield* this.#order
  }

  [Symbol.iterator](): MapIterator<[string, AnyLedgerEntryJson]> {
    return this.entries()
  }

  forEach(f: (value: AnyLedgerEntryJson, key: string, map: ReadonlyMap<string, AnyLedgerEntryJson>) => void): void {
    for (const [key, value] of this.entries()) f(value, key, this)
  }
}
