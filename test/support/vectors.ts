import { readFileSync } from 'node:fs'

/** The conformance vectors every implementation must pass (test/fixtures/associate-havip.json). */
export interface VectorCase {
  readonly name: string
  readonly snapshot: unknown
  readonly requests: ReadonlyArray<string>
  readonly expect: ReadonlyArray<{ readonly status: number; readonly code: string | null; readonly id: string }>
  readonly sameRequestId?: readonly [number, number]
  readonly after?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

export const vectorsPath = new URL('../fixtures/associate-havip.json', import.meta.url)

export const vectorCases: ReadonlyArray<VectorCase> = (
  JSON.parse(readFileSync(vectorsPath, 'utf8')) as { cases: ReadonlyArray<VectorCase> }
).cases

/** The HaVips of a snapshot's JSON, by id. */
export const haVipsById = (json: unknown): ReadonlyMap<string, Readonly<Record<string, unknown>>> =>
  new Map(((json as { HaVips?: ReadonlyArray<Readonly<Record<string, unknown>>> }).HaVips ?? []).map((h) => [String(h.HaVipId), h]))
