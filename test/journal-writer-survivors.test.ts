import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import type { JournalChange, JournalRecord, SnapshotMark } from '../src/journal/format.js'
import { headerRecord, journalLine, journalStart, parseJournal } from '../src/journal/format.js'
import type { JournalIo, WriterHooks } from '../src/journal/writer.js'
import { JournalWriter, nodeJournalIo, preallocationBytes } from '../src/journal/writer.js'
import { durableStore } from '../src/server/store.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

// The journal writer (src/journal/writer.ts): what it puts in the journal's file and what it
// answers, seen through the file's bytes, what a reader makes of them and what the store keeps.

/** The next turn of the event loop: every callback queued before it has run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const mark = (seq: number): SnapshotMark => ({ sha256: 'ab'.repeat(32), seq })
const change = (instance: string): JournalChange => ({ requestId: `r-${instance}`, params: { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: instance } })

interface Opened {
  readonly path: string
  readonly fd: number
  readonly size: number
  readonly lengthAt?: number
}

/** A new journal file of its own folder: version 2 (with its length line), or version 1 (without). */
const newJournal = (version: 1 | 2 = 2): Opened => {
  const path = join(tempFolder('havip-writer-'), 'snapshot.json.journal')
  const start = version === 2 ? journalStart(mark(0)) : { bytes: journalLine(headerRecord(mark(0))), lengthAt: undefined }
  writeFileSync(path, start.bytes)
  return { path, fd: openSync(path, 'r+'), size: start.bytes.length, ...(start.lengthAt === undefined ? {} : { lengthAt: start.lengthAt }) }
}

/** The records a reader finds in these journal bytes. */
const recordsOf = (bytes: Buffer): ReadonlyArray<JournalRecord> => {
  const parsed = parseJournal(bytes)
  if (!parsed.ok) throw new Error(`damaged at ${String(parsed.damage.offset)}: ${parsed.damage.why}`)
  return parsed.journal.records.map((r) => r.record)
}
const recordsIn = (path: string): ReadonlyArray<JournalRecord> => recordsOf(readFileSync(path))

/** Hooks that write down what the writer reports. */
const listening = (beforeFlush?: () => void) => {
  const durable: Array<number> = []
  const failures: Array<string> = []
  const hooks: WriterHooks = { onDurable: (seq) => { durable.push(seq) }, onFailure: (e) => { failures.push(e.message) }, ...(beforeFlush === undefined ? {} : { beforeFlush }) }
  return { hooks, durable, failures }
}

const writerOn = (j: Opened, hooks: WriterHooks, io: JournalIo = nodeJournalIo): JournalWriter =>
  new JournalWriter(j.fd, j.size, 0, hooks, io, j.lengthAt)

const eio = (call: string): NodeJS.ErrnoException => Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO' })

describe('the journal writer: checkpoints', () => {
  it('the lines a compaction carries to the new journal are the changes flushed since track, without the checkpoint among them', async () => {
    const j = newJournal()
    const w = writerOn(j, listening().hooks)
    w.track()
    // A change and the checkpoint in one turn: one flush, two lines.
    const a = w.addChange(change('i-0')).durable
    const checkpoint = w.addCheckpoint(mark(1))
    await Promise.all([a, checkpoint])
    await w.addChange(change('i-1')).durable
    expect(recordsIn(j.path)).toEqual([{ seq: 1, changes: [change('i-0')] }, { checkpoint: mark(1) }, { seq: 2, changes: [change('i-1')] }])
    const carried = w.takeTracked()
    expect(recordsOf(journalStart(mark(1), carried).bytes)).toEqual([{ seq: 1, changes: [change('i-0')] }, { seq: 2, changes: [change('i-1')] }])
    // Taken once: tracking stopped, a second take (a compaction that failed after the first) gives nothing.
    expect(w.takeTracked()).toEqual([])
    w.close()
  })

  it('a flush whose last line is a checkpoint still reports the changes before it durable', async () => {
    const j = newJournal()
    const { hooks, durable } = listening()
    const w = writerOn(j, hooks)
    const a = w.addChange(change('i-0')).durable
    const b = w.addChange(change('i-1')).durable
    await Promise.all([a, b, w.addCheckpoint(mark(2))])
    expect(durable).toEqual([2])
    w.close()
  })

  it('once the journal is refused, a checkpoint is refused too, with the same reason, and nothing more is written', async () => {
    const j = newJournal()
    let gone = true
    // The journal vanished once (the store's check before each flush); the writer must not trust it again.
    const w = writerOn(j, listening(() => { if (gone) { gone = false; throw new Error('the journal was deleted') } }).hooks)
    await expect(w.addChange(change('i-0')).durable).rejects.toThrow('the journal was deleted')
    expect(() => w.addChange(change('i-1'))).toThrow('the journal was deleted')
    await expect(w.addCheckpoint(mark(0))).rejects.toThrow('the journal was deleted')
    await w.drain()
    expect(recordsIn(j.path)).toEqual([])
    w.close()
  })

  it('a failed flush of changes and a checkpoint gives the changes\' numbers out again, not one more: the journal stays readable', async () => {
    const j = newJournal()
    const { hooks, failures } = listening()
    let failing = true
    const io: JournalIo = { ...nodeJournalIo, fdatasync: (fd, done) => { if (failing) { failing = false; done(eio('fdatasync')) } else nodeJournalIo.fdatasync(fd, done) } }
    const w = writerOn(j, hooks, io)
    const a = w.addChange(change('i-0'))
    const checkpoint = w.addCheckpoint(mark(1))
    expect(a.seq).toBe(1)
    await expect(a.durable).rejects.toThrow('EIO')
    await expect(checkpoint).rejects.toThrow('EIO')
    expect(failures).toEqual(['EIO: i/o error, fdatasync'])
    const b = w.addChange(change('i-1'))
    expect(b.seq).toBe(1)
    await b.durable
    expect(recordsIn(j.path)).toEqual([{ seq: 1, changes: [change('i-1')] }])
    w.close()
  })
})

describe('the journal writer: when flushes go out', () => {
  /** Adds i-1, and i-2 from a callback queued just before it (so it runs before i-1's flush begins): their durability. */
  const addTwo = (w: JournalWriter): Promise<ReadonlyArray<Promise<void>>> => new Promise((resolve) => {
    let first: Promise<void> = Promise.resolve()
    setImmediate(() => { resolve([first, w.addChange(change('i-2')).durable]) })
    first = w.addChange(change('i-1')).durable
  })
  const sharedLine = [{ seq: 1, changes: [change('i-0')] }, { seq: 2, changes: [change('i-1'), change('i-2')] }]

  it('exclusive waits for a flush on its way, and runs once it is durable', async () => {
    const j = newJournal()
    const events: Array<string> = []
    const held: Array<() => void> = []
    const io: JournalIo = { ...nodeJournalIo, fdatasync: (fd, done) => { held.push(() => { nodeJournalIo.fdatasync(fd, done) }) } }
    const w = writerOn(j, { onDurable: (seq) => { events.push(`durable ${String(seq)}`) }, onFailure: () => undefined }, io)
    // Two changes in one turn: flushed off the event loop, and held there.
    const flushed = Promise.all([w.addChange(change('i-0')).durable, w.addChange(change('i-1')).durable])
    await nextTurn()
    expect(held.length).toBe(1)
    const swapped = w.exclusive(() => { events.push('exclusive') })
    await nextTurn()
    expect(events).toEqual([])
    held.shift()?.()
    await flushed
    await nextTurn()
    expect(events).toEqual(['durable 2', 'exclusive'])
    await swapped
    w.close()
  })

  it('a flush already scheduled is not scheduled again (drain asks for it): the changes of the next turn still share one line', async () => {
    const j = newJournal()
    const w = writerOn(j, listening().hooks)
    void w.addChange(change('i-0')).durable
    // Queued after the flush of i-0.
    const added = new Promise<ReadonlyArray<Promise<void>>>((resolve) => { setImmediate(() => { resolve(addTwo(w)) }) })
    await w.drain()
    await Promise.all(await added)
    expect(recordsIn(j.path)).toEqual(sharedLine)
    w.close()
  })

  it('no flush is scheduled while nothing waits: the next one is scheduled by its first change, and takes what callbacks queued before it add', async () => {
    const j = newJournal()
    const w = writerOn(j, listening().hooks)
    await w.addChange(change('i-0')).durable
    await Promise.all(await addTwo(w))
    expect(recordsIn(j.path)).toEqual(sharedLine)
    w.close()
  })
})

describe('the journal writer: growing the file ahead of its lines', () => {
  it('reopened on a version 2 journal, it grows that one ahead of its lines; on a version 1 journal, it only appends', async () => {
    const first = newJournal()
    const w = writerOn(first, listening().hooks)
    const second = newJournal(2)
    w.reopen(second.fd, second.size, second.lengthAt)
    await w.addChange(change('i-0')).durable
    expect(statSync(second.path).size).toBe(preallocationBytes)
    expect(recordsIn(second.path)).toEqual([{ seq: 1, changes: [change('i-0')] }])
    const third = newJournal(1)
    w.reopen(third.fd, third.size)
    await w.addChange(change('i-1')).durable
    const line = journalLine({ seq: 2, changes: [change('i-1')] })
    expect(statSync(third.path).size).toBe(third.size + line.length)
    expect(recordsIn(third.path)).toEqual([{ seq: 2, changes: [change('i-1')] }])
    w.close()
  })
})

const bind = (instance: string) => new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance }))

const snapshotIn = (folder: string, n = 4): string => {
  const path = join(folder, 'snapshot.json')
  writeFileSync(path, JSON.stringify(oneHaVipAccount(n)))
  return path
}

const bound = (path: string): ReadonlyArray<string> =>
  snapshotToJson(readSnapshotFile(path).snapshot).HaVips?.[0]?.AssociatedInstanceIds ?? []

describe('the store\'s journal: free space, close', () => {
  it.each([
    ['exactly the room the next line needs', 0],
    ['room to spare', 3000],
  ])('a journal with free space (zeros) past its lines is written into, not grown: %s', async (_, spare) => {
    const path = snapshotIn(tempFolder('havip-room-'))
    const start = journalStart({ sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), seq: 0 })
    const line = journalLine({ seq: 1, changes: [{ requestId: 'r-0', params: Object.fromEntries(bind('i-0')) }] })
    writeFileSync(`${path}.journal`, Buffer.concat([start.bytes, Buffer.alloc(line.length + spare)]))
    const store = durableStore(path)
    await store.submit(bind('i-0'), 'r-0').durable
    expect(statSync(`${path}.journal`).size).toBe(start.bytes.length + line.length + spare)
    expect(recordsIn(`${path}.journal`)).toEqual([{ seq: 1, changes: [{ requestId: 'r-0', params: Object.fromEntries(bind('i-0')) }] }])
    expect(bound(path)).toEqual(['i-0'])
    await store.close()
  })

  it('a close at once after a change waits for its flush, and the file holds it', async () => {
    const path = snapshotIn(tempFolder('havip-close-'))
    const store = durableStore(path)
    const submitted = store.submit(bind('i-0'), 'r-0')
    await store.close()
    await submitted.durable
    expect(readdirSync(join(path, '..'))).toEqual(['snapshot.json'])
    expect(bound(path)).toEqual(['i-0'])
  })

  it('a closed store keeps no descriptor of its journal open (the space of a removed file is freed only once none is)', async () => {
    const path = snapshotIn(tempFolder('havip-descriptor-'))
    const journal = `${path}.journal`
    const open = (): ReadonlyArray<string> => {
      const links: Array<string> = []
      for (const fd of readdirSync('/proc/self/fd')) {
        try {
          links.push(readlinkSync(`/proc/self/fd/${fd}`))
        } catch {
          // Closed meanwhile (the listing's own descriptor).
        }
      }
      return links.filter((l) => l.startsWith(journal))
    }
    const store = durableStore(path)
    await store.submit(bind('i-0'), 'r-0').durable
    expect(open()).toEqual([journal])
    await store.close()
    expect(open()).toEqual([])
  })
})

describe('the store\'s journal on a full disk', () => {
  it('a write that makes no progress is refused as a full disk, saying so', async () => {
    const path = snapshotIn(tempFolder('havip-noprogress-'))
    let full = true
    const journalIo: JournalIo = { ...nodeJournalIo, writeSync: (...args) => (full ? 0 : nodeJournalIo.writeSync(...args)) }
    const store = durableStore(path, { journalIo })
    await expect(store.submit(bind('i-0'), 'r-0').durable).rejects.toMatchObject({ message: 'no space left on the device', code: 'ENOSPC' })
    full = false
    await store.submit(bind('i-1'), 'r-1').durable
    await store.close()
    expect(bound(path)).toEqual(['i-1'])
  })

  it('a journal that cannot be cut back after a failed flush refuses every later change, saying why', async () => {
    const path = snapshotIn(tempFolder('havip-unrepaired-'))
    let sick = true
    const journalIo: JournalIo = {
      ...nodeJournalIo,
      fdatasyncSync: (fd) => { if (sick) throw eio('fdatasync'); nodeJournalIo.fdatasyncSync(fd) },
      ftruncateSync: (fd, length) => { if (sick) throw eio('ftruncate'); nodeJournalIo.ftruncateSync(fd, length) },
    }
    const store = durableStore(path, { journalIo })
    await expect(store.submit(bind('i-0'), 'r-0').durable).rejects.toThrow('EIO: i/o error, fdatasync')
    sick = false
    await expect(store.submit(bind('i-1'), 'r-1').durable).rejects.toThrow('the journal cannot be written or repaired: EIO: i/o error, ftruncate')
    await store.close()
  })

  it('once growing the journal ahead failed, it only appends, even after room is freed (no flush fills the disk with zeros again)', async () => {
    const folder = tempFolder('havip-ahead-')
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', folder], { stdio: 'ignore' }).status === 0
    let full = true
    // Without a disk of our own to fill (not root), the zeros' writes fail as a full disk's do.
    const journalIo: JournalIo = {
      ...nodeJournalIo,
      writeSync: (fd, data, offset, length, position) => {
        if (!mounted && full && data.length >= preallocationBytes / 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        return nodeJournalIo.writeSync(fd, data, offset, length, position)
      },
    }
    try {
      const path = snapshotIn(folder)
      const filler = join(folder, 'filler')
      if (mounted) {
        // Room for the journal's lines, not for a mebibyte of zeros.
        const avail = Number(spawnSync('df', ['-B1', '--output=avail', folder], { encoding: 'utf8' }).stdout.split('\n')[1])
        writeFileSync(filler, Buffer.alloc(Math.max(avail - 256 * 1024, 0)))
      }
      const store = durableStore(path, { journalIo, compactAfterBytes: 1 << 30 })
      try {
        await store.submit(bind('i-0'), 'r-0').durable
        const appended = (): number => parseJournalLength(`${path}.journal`)
        expect(statSync(`${path}.journal`).size).toBe(appended())
        full = false
        if (mounted) rmSync(filler)
        await store.submit(bind('i-1'), 'r-1').durable
        expect(statSync(`${path}.journal`).size).toBe(appended())
        expect(recordsIn(`${path}.journal`).length).toBe(2)
      } finally {
        await store.close()
      }
      expect(bound(path)).toEqual(['i-0', 'i-1'])
    } finally {
      if (mounted) spawnSync('umount', [folder])
    }
  })
})

/** Where a journal's lines end (zeros past it are free space). */
const parseJournalLength = (path: string): number => {
  const parsed = parseJournal(readFileSync(path))
  if (!parsed.ok) throw new Error(parsed.damage.why)
  return parsed.journal.validLength
}
