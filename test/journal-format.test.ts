import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadSnapshot, snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import { parseJournal } from '../src/journal/format.js'
import { preallocationBytes } from '../src/journal/writer.js'
import { durableStore } from '../src/server/store.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const account = oneHaVipAccount

/**
 * A snapshot and the journal a server left with three changes acknowledged one by one (three
 * flushes), copied where they can be damaged: its lines only, without the zeros the server grew the
 * file by (`left` is the file as it was).
 */
const leftBehind = async (): Promise<{ path: string; journal: Buffer; left: Buffer; lineStarts: ReadonlyArray<number> }> => {
  const live = join(tempFolder('havip-live-'), 'snapshot.json')
  writeFileSync(live, JSON.stringify(account(3)))
  const store = durableStore(live)
  for (const instance of ['i-0', 'i-1', 'i-2']) {
    await store.submit(new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance })), `r-${instance}`).durable
  }
  const path = join(tempFolder('havip-copy-'), 'snapshot.json')
  copyFileSync(live, path)
  const left = readFileSync(`${live}.journal`)
  await store.close()
  const journal = left.subarray(0, left.lastIndexOf(0x0a) + 1)
  writeFileSync(`${path}.journal`, journal)
  const lineStarts = [0]
  for (let i = journal.indexOf(0x0a); i !== -1 && i < journal.length - 1; i = journal.indexOf(0x0a, i + 1)) lineStarts.push(i + 1)
  return { path, journal, left, lineStarts }
}

const bound = (path: string): ReadonlyArray<string> => snapshotToJson(readSnapshotFile(path).snapshot).HaVips?.[0]?.AssociatedInstanceIds ?? []

describe('a journal damaged after it was written', () => {
  it('is read whole as the server left it: header, length line, three changes', async () => {
    const { path, lineStarts } = await leftBehind()
    expect(lineStarts).toHaveLength(5)
    expect(bound(path)).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('is read whole with the zeros the server grew it by: free space, not a torn line', async () => {
    const { path, journal, left } = await leftBehind()
    expect(left.length).toBe(preallocationBytes)
    expect(left.subarray(journal.length).every((b) => b === 0)).toBe(true)
    writeFileSync(`${path}.journal`, left)
    expect(bound(path)).toEqual(['i-0', 'i-1', 'i-2'])
    const parsed = parseJournal(left)
    expect(parsed.ok && [parsed.journal.validLength, parsed.journal.torn]).toEqual([journal.length, false])
  })

  it('drops a last flush whose length line reached the disk but whose line did not, in part or at all: never acknowledged', async () => {
    const { path, left, lineStarts } = await leftBehind()
    const last = lineStarts[4] ?? 0
    const end = left.indexOf(0x0a, last) + 1
    for (const [from, to] of [[last, end], [last, last + 20], [last + 20, end - 1]] as const) {
      const crashed = Buffer.from(left)
      crashed.fill(0, from, to)
      writeFileSync(`${path}.journal`, crashed)
      expect(bound(path)).toEqual(['i-0', 'i-1'])
      const parsed = parseJournal(crashed)
      expect(parsed.ok && [parsed.journal.validLength, parsed.journal.torn]).toEqual([last, true])
    }
  })

  it('refuses a line damaged before the free space; takes a line in it, after zeros, for a flush a crash tore', async () => {
    const { path, left, journal, lineStarts } = await leftBehind()
    const flipped = Buffer.from(left)
    const at = (lineStarts[4] ?? 0) + 30
    flipped[at] = (flipped[at] ?? 0) ^ 0x01
    writeFileSync(`${path}.journal`, flipped)
    expect(() => readSnapshotFile(path)).toThrow(`damaged at byte ${String(lineStarts[4])}: the last line is damaged (its checksum or its form is wrong), yet whole`)
    const stray = Buffer.from(left)
    journal.copy(stray, journal.length + 100, lineStarts[4] ?? 0)
    writeFileSync(`${path}.journal`, stray)
    // Two lines flushed together, the first one's page lost: neither was acknowledged.
    expect(bound(path)).toEqual(['i-0', 'i-1', 'i-2'])
    const parsed = parseJournal(stray)
    expect(parsed.ok && [parsed.journal.validLength, parsed.journal.torn]).toEqual([journal.length, true])
  })

  it('refuses a bit flipped in its last whole line, naming the offset, rather than drop an acknowledged change', async () => {
    const { path, journal, lineStarts } = await leftBehind()
    const flipped = Buffer.from(journal)
    const at = (lineStarts[4] ?? 0) + 30
    flipped[at] = (flipped[at] ?? 0) ^ 0x01
    writeFileSync(`${path}.journal`, flipped)
    expect(() => readSnapshotFile(path)).toThrow(`${path}.journal: damaged at byte ${String(lineStarts[4])}: the last line is damaged (its checksum or its form is wrong), yet whole`)
  })

  it('refuses one cut short before its last flush began, at a line\'s end or in the middle of one', async () => {
    const { path, lineStarts } = await leftBehind()
    for (const length of [lineStarts[3] ?? 0, (lineStarts[3] ?? 0) + 7, lineStarts[2] ?? 0]) {
      copyFileSync(`${path}.journal`, `${path}.whole`)
      truncateSync(`${path}.journal`, length)
      expect(() => readSnapshotFile(path)).toThrow('it was cut short after it was written')
      copyFileSync(`${path}.whole`, `${path}.journal`)
    }
  })

  it('still drops a last flush a crash cut short: it was never acknowledged', async () => {
    const { path, lineStarts, journal } = await leftBehind()
    truncateSync(`${path}.journal`, (lineStarts[4] ?? 0) + 10)
    expect(bound(path)).toEqual(['i-0', 'i-1'])
    const parsed = parseJournal(readFileSync(`${path}.journal`))
    expect(parsed.ok && parsed.journal.torn).toBe(true)
    expect(journal.length).toBeGreaterThan((lineStarts[4] ?? 0) + 10)
  })
})

describe('a server on the journal another left', () => {
  const bindOne = (instance: string) => new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance }))

  it('cuts off the last line a crash tore, and appends its own changes after the whole lines', async () => {
    const { path, journal } = await leftBehind()
    // All of the last line but its newline: longer than the line that takes its place.
    truncateSync(`${path}.journal`, journal.length - 1)
    const store = durableStore(path)
    expect(store.file?.records()).toBe(2)
    await store.submit(bindOne('i-2'), 'a').durable
    // What a kill -9 now would leave: the journal, read as the next server would read it.
    expect(bound(path)).toEqual(['i-0', 'i-1', 'i-2'])
    const parsed = parseJournal(readFileSync(`${path}.journal`))
    expect(parsed.ok && parsed.journal.torn).toBe(false)
    await store.close()
    expect(bound(path)).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('keeps a small snapshot\'s journal until it reaches 16 MiB: changes many times the snapshot\'s size are not folded in yet', async () => {
    const path = join(tempFolder('havip-small-'), 'snapshot.json')
    writeFileSync(path, JSON.stringify(account(30)))
    const store = durableStore(path)
    for (let i = 0; i < 30; i++) await store.submit(bindOne(`i-${String(i)}`), `r-${String(i)}`).durable
    const lines = parseJournal(readFileSync(`${path}.journal`))
    expect(lines.ok && lines.journal.validLength).toBeGreaterThan(readFileSync(path).length)
    expect(store.file?.records()).toBe(30)
    await store.close()
    expect(bound(path)).toHaveLength(30)
  })
})

describe('a journal folded into the snapshot while changes go on', () => {
  it('the files hold every acknowledged change at every moment, and after the close', async () => {
    const path = join(tempFolder('havip-fold-'), 'snapshot.json')
    writeFileSync(path, JSON.stringify(account(40)))
    const said: Array<string> = []
    const store = durableStore(path, { compactAfterBytes: 1500, log: (line) => { said.push(line) } })
    const acknowledged: Array<string> = []
    for (let i = 0; i < 40; i++) {
      // Two at a time: one flush for both, while a compaction writes the snapshot off the loop.
      const pair = [`i-${String(i)}`, `i-${String(++i)}`]
      await Promise.all(pair.map((instance) => store.submit(new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance })), `r-${instance}`).durable ?? Promise.reject(new Error(`${instance} changed nothing`))))
      acknowledged.push(...pair)
      // What a restart would find now.
      expect(bound(path)).toEqual(acknowledged)
    }
    await store.close()
    expect(bound(path)).toEqual(acknowledged)
    expect(() => readFileSync(`${path}.journal`)).toThrow()
    // No compaction failed on the way.
    expect(said).toEqual([])
  })
})

describe('the store on a file', () => {
  it('refuses a journal it cannot read, and gives the file\'s lock back', () => {
    const folder = tempFolder('havip-refused-')
    const path = join(folder, 'snapshot.json')
    writeFileSync(path, JSON.stringify(account(2)))
    writeFileSync(`${path}.journal`, 'not a journal\n')
    expect(() => durableStore(path)).toThrow(`${path}.journal`)
    rmSync(`${path}.journal`)
    const store = durableStore(path)
    return store.close()
  })

  it('journals a state put in place: what a restart reads, before and after the close, is what it held', async () => {
    const path = join(tempFolder('havip-control-'), 'snapshot.json')
    writeFileSync(path, JSON.stringify(account(2)))
    const store = durableStore(path)
    const next = readSnapshotFile(path).snapshot
    const json = { ...snapshotToJson(next), HaVips: [] }
    const loaded = loadSnapshot(json)
    if (loaded._tag === 'Left') throw new Error(loaded.left.message)
    await store.replace(loaded.right).durable
    expect(snapshotToJson(readSnapshotFile(path).snapshot).HaVips).toEqual([])
    expect(store.file?.records()).toBe(1)
    await store.close()
    expect(snapshotToJson(readSnapshotFile(path).snapshot).HaVips).toEqual([])
  })
})
