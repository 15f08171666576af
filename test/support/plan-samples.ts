/**
 * The sample plans of test/fixtures (the vendored ones, then the project's own), each with its
 * expected findings, and the account they are checked against.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Snapshot } from 'havip-rules'
import { load } from './snapshots.js'

export const fixtures = new URL('../fixtures/terraform/', import.meta.url).pathname
export const account = (): Snapshot => load(JSON.parse(readFileSync(join(fixtures, 'account.json'), 'utf8')))

export interface Expected {
  readonly exit: number
  readonly findings: ReadonlyArray<{ address: string; action: string; instanceId?: string; haVipId?: string; verdict: string; violations: ReadonlyArray<string>; unknownAttributes?: ReadonlyArray<string> }>
}

/** The vendored samples, then our own (same account, same expected-file format): [name, path without suffix]. */
export const samples = [fixtures, new URL('../fixtures/plans/', import.meta.url).pathname].flatMap((folder) =>
  readdirSync(folder).filter((f) => f.endsWith('.plan.json')).sort().map((f) => f.replace(/\.plan\.json$/, '')).map((name) => [name, join(folder, name)] as const))

/** A finding in the terms of the expected files. */
export const asExpected = (f: { address: string; action: string; instanceId?: string; haVipId?: string; verdict: string; violations: ReadonlyArray<{ id: string }>; unknowns: ReadonlyArray<{ attribute: string }> }, withHaVip: boolean) => ({
  address: f.address,
  action: f.action,
  ...(f.instanceId === undefined ? {} : { instanceId: f.instanceId }),
  ...(withHaVip && f.haVipId !== undefined ? { haVipId: f.haVipId } : {}),
  verdict: f.verdict,
  violations: f.violations.map((v) => v.id),
  ...(f.verdict === 'unknown' ? { unknownAttributes: f.unknowns.map((u) => u.attribute) } : {}),
})

export const comparable = (e: Expected['findings'][number]) => ({ ...e, ...(e.verdict === 'unknown' ? {} : { unknownAttributes: undefined }) })
