import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import type { AnyLedgerEntryJson } from 'havip-rules'
import { LedgerIndex, ledgerKey } from '../src/model/ledger.js'
import { runs } from './support/runs.js'

// The loaded ledger is read as a map by ledgerKey without holding one; it must answer as that map would.
const actions = ['AssociateHaVip', 'DisassociateHaVip', 'CreateHaVip', 'DeleteHaVip', '1:A', '']
// Tokens that look like keys, digits and colons, and names an object would inherit.
const token = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', '14:AssociateHaVip', '0:', ':', '9'))
const entry = fc.record({ Action: fc.constantFrom(...actions), ClientToken: token, RequestId: fc.string({ maxLength: 3 }) })
  .map((e) => e as unknown as AnyLedgerEntryJson)

const both = (entries: ReadonlyArray<AnyLedgerEntryJson>): { index: LedgerIndex; map: Map<string, AnyLedgerEntryJson> } => {
  const index = new LedgerIndex()
  const map = new Map<string, AnyLedgerEntryJson>()
  for (const e of entries) {
    const key = ledgerKey(e.Action, e.ClientToken)
    index.set(key, e)
    if (!map.has(key)) map.set(key, e)
  }
  return { index, map }
}

describe('LedgerIndex', () => {
  test.prop([fc.array(entry, { maxLength: 30 }), fc.array(fc.oneof(token, fc.constantFrom(...actions).chain((a) => token.map((t) => ledgerKey(a, t)))), { maxLength: 10 })], { numRuns: runs(300) })(
    'answers as a Map by ledgerKey that keeps the first entry of each key', (entries, probes) => {
      const { index, map } = both(entries)
      expect(index.size).toBe(map.size)
      expect([...index]).toEqual([...map])
      expect([...index.keys()]).toEqual([...map.keys()])
      expect([...index.values()]).toEqual([...map.values()])
      const seen: Array<[string, AnyLedgerEntryJson]> = []
      index.forEach((value, key, self) => {
        expect(self).toBe(index)
        seen.push([key, value])
      })
      expect(seen).toEqual([...map.entries()])
      for (const key of [...map.keys(), ...probes]) {
        expect(index.get(key)).toBe(map.get(key))
        expect(index.has(key)).toBe(map.has(key))
      }
    })

  it('reads no key that ledgerKey cannot make', () => {
    const { index } = both([{ Action: 'AssociateHaVip', ClientToken: 't' } as unknown as AnyLedgerEntryJson])
    for (const key of ['', 'AssociateHaVipt', ':AssociateHaVipt', 'x:AssociateHaVipt', '99:AssociateHaVipt', '-1:t', '1.5:AssociateHaVipt', ' 14:AssociateHaVipt', '014:AssociateHaVipt', '+14:AssociateHaVipt', '14:AssociateHaVip']) {
      expect(index.get(key)).toBeUndefined()
      expect(index.has(key)).toBe(false)
    }
    expect(index.get('14:AssociateHaVipt')?.ClientToken).toBe('t')
  })
})
