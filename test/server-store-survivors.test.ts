import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { snapshotToJson } from 'havip-rules'
import { headerRecord, journalLine, lengthLine } from '../src/journal/format.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startEmulator } from 'havip-rules/server'
import type { Emulator } from 'havip-rules/server'
import type { JournalIo } from '../src/journal/writer.js'
import { nodeJournalIo } from '../src/journal/writer.js'
import { requestLog } from '../src/server/log.js'
import { requestTarget } from '../src/server/params.js'
import type { Store } from '../src/server/store.js'
import { durableStore } from '../src/server/store.js'
import { savedJson, snapshotFile } from './support/server.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

// Survivors of the server set's mutation run (src/server/store.ts, emulator.ts, log.ts, params.ts),
// each killed by what a client, an operator or an embedding test suite sees.

/** What a change's answer waits for: a change that changed nothing fails the test. */
const durableOf = (s: { readonly durable?: Promise<void> }): Promise<void> => s.durable ?? Promise.reject(new Error('the change changed nothing'))

const savedJsonOf = (store: Store) => snapshotToJson(store.snapshot())

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const paramsOf = (params: Readonly<Record<string, string>>) => new Map(Object.entries({ Version: '2020-04-01', ...params }))
const associate = (instance: string) => paramsOf({ Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: instance })
const describeHaVip = paramsOf({ Action: 'DescribeHaVips', 'HaVipIds.1': 'havip-1' })

const opened: Array<Emulator> = []
const stores: Array<Store> = []
const held: Array<() => void> = []
afterEach(async () => {
  vi.useRealTimers()
  for (const go of held.splice(0)) go()
  for (const e of opened.splice(0)) await e.close()
  for (const s of stores.splice(0)) await s.close()
})

const emulator = async (...args: Parameters<typeof startEmulator>): Promise<Emulator> => {
  const e = await startEmulator(...args)
  opened.push(e)
  return e
}

/** Journal calls whose flushes off the event loop wait until released, oldest first. */
const holdingIo = () => {
  const waiting: Array<() => void> = []
  const io: JournalIo = {
    ...nodeJournalIo,
    fdatasync: (fd, done) => {
      const go = (): void => { nodeJournalIo.fdatasync(fd, done) }
      waiting.push(go)
      held.push(go)
    },
  }
  const release = (): void => {
    const go = waiting.shift()
    if (go === undefined) throw new Error('no flush is held')
    held.splice(held.indexOf(go), 1)
    go()
  }
  return { io, release, heldCount: () => waiting.length }
}

/** Whether a promise has settled by the next turn of the event loop. */
const settledSoon = async (p: Promise<unknown> | undefined): Promise<boolean> => {
  if (p === undefined) return true
  let settled = false
  void p.then(() => { settled = true }, () => { settled = true })
  await nextTurn()
  return settled
}

describe('requestTarget: only an absolute target with a scheme and "//" is read as a URL', () => {
  it('reads a scheme with a digit in it (h2://)', () => {
    expect(requestTarget('h2://example.com/?Action=DescribeHaVips')).toEqual({ path: '/', search: 'Action=DescribeHaVips' })
  })

  it('refuses a scheme without "//" (mailto:), even with "http://" further on', () => {
    expect(requestTarget('mailto:x?Action=DescribeHaVips')).toBeUndefined()
    expect(requestTarget('mailto:a?b=http://c')).toBeUndefined()
  })
})

describe('the request log', () => {
  const time = new Date(Date.UTC(2026, 10, 26, 3, 15, 0, 123))
  const entry = (requestId: string) => ({ time, method: 'GET', action: 'DescribeHaVips', status: 200, requestId, ms: 1 })
  const lineLength = (requestId: string): number => `2026-11-26T03:15:00.123Z GET DescribeHaVips 200 - ${requestId} 1.0ms`.length

  it('writes at once (next turn, no timer) a request line that makes the pending text exactly 64 KiB, newline counted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const writes: Array<string> = []
    const log = requestLog((text) => { writes.push(text) })
    const id = 'R'.repeat(64 * 1024 - 1 - lineLength(''))
    expect(lineLength(id) + 1).toBe(64 * 1024)
    log.request(entry(id))
    await nextTurn()
    expect(writes.map((w) => w.length)).toEqual([64 * 1024])
  })

  it('a request line added after the server\'s own lines were written waits for its timer, not for a flush already done', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const writes: Array<string> = []
    const log = requestLog((text) => { writes.push(text) })
    log.note('one')
    // Runs between the flush the first note asked for and any a second note would ask for.
    setImmediate(() => { log.request(entry('R1')) })
    log.note('two')
    await nextTurn()
    await nextTurn()
    expect(writes).toEqual(['one\ntwo\n'])
    vi.advanceTimersByTime(50)
    expect(writes).toEqual(['one\ntwo\n', '2026-11-26T03:15:00.123Z GET DescribeHaVips 200 - R1 1.0ms\n'])
  })
})

describe('startEmulator', () => {
  it('a snapshot that cannot be copied as JSON: the error says so and keeps the cause', async () => {
    const failed = await startEmulator({ snapshot: { HaVips: [{ HaVipId: 10n }] } as never }).then(() => undefined, (e: unknown) => e)
    expect(failed).toBeInstanceOf(Error)
    expect((failed as Error).message).toMatch(/^the snapshot cannot be copied as JSON: /)
    expect((failed as Error).cause).toBeInstanceOf(TypeError)
  })

  it('refuses credentials whose key id or secret is not a string (a JavaScript caller)', async () => {
    await expect(startEmulator({ credentials: { accessKeyId: 5, secretKey: 'S' } as never })).rejects.toThrow('startEmulator: credentials: accessKeyId is empty')
    // Without its key id: one pair, refused as such (it was taken for a list: "pairs is not iterable").
    await expect(startEmulator({ credentials: { secretKey: 'S' } as never })).rejects.toThrow('startEmulator: credentials: accessKeyId is empty')
    await expect(startEmulator({ credentials: { accessKeyId: 'AK', secretKey: 7 } as never })).rejects.toThrow('the secretKey of AK is empty')
    await expect(startEmulator({ credentials: { accessKeyId: 'AK' } as never })).rejects.toThrow('the secretKey of AK is empty')
  })

  it('takes asyncSteps 0 (the synchronous mode)', async () => {
    const e = await emulator({ asyncSteps: 0 })
    expect(e.state().AsyncSteps ?? 0).toBe(0)
  })

  it('rejects when its port is taken, and frees the snapshot file it locked', async () => {
    const first = await emulator()
    const port = Number(new URL(first.url).port)
    const snapshotPath = snapshotFile(oneHaVipAccount(1))
    await expect(startEmulator({ port, snapshotPath })).rejects.toThrow('EADDRINUSE')
    // The store it opened was closed: the file can be served again.
    const again = await emulator({ snapshotPath })
    expect(again.state().HaVips?.[0]?.HaVipId).toBe('havip-1')
  })

  it('writes a request log line for each request when given a log', async () => {
    const lines: Array<string> = []
    const e = await startEmulator({ snapshot: oneHaVipAccount(1), log: (text) => { lines.push(text) } })
    const reply = await fetch(`${e.url}/?Action=DescribeHaVips&Version=2020-04-01`)
    expect(reply.status).toBe(200)
    const { ResponseMetadata: { RequestId } } = await reply.json() as { ResponseMetadata: { RequestId: string } }
    await e.close()
    // The answer's RequestId is the one the log line gives.
    expect(RequestId).toMatch(/^[0-9A-F-]{36}$/)
    expect(lines.join('')).toMatch(new RegExp(` GET DescribeHaVips 200 - ${RequestId} \\d+\\.\\dms\n$`))
  })
})

describe('the durable store', () => {
  const open = (options: Parameters<typeof durableStore>[1] = {}, path = snapshotFile(oneHaVipAccount(6))) => {
    const store = durableStore(path, options)
    stores.push(store)
    return store
  }

  it('a read after one change is durable still waits for a later change it saw, not yet durable', async () => {
    const { io, release } = holdingIo()
    const store = open({ journalIo: io })
    // Two changes in one turn share a flush made off the event loop: held here.
    const first = [store.submit(associate('i-0'), 'a0'), store.submit(associate('i-1'), 'a1')]
    await nextTurn()
    const second = [store.submit(associate('i-2'), 'b2'), store.submit(associate('i-3'), 'b3')]
    release()
    await Promise.all(first.map(durableOf))
    const read = store.submit(describeHaVip, 'read')
    expect(JSON.stringify(read.handled.body)).toContain('"i-3"')
    expect(await settledSoon(read.durable)).toBe(false)
    release()
    await Promise.all([...second.map(durableOf), read.durable])
  })

  it('putting in place the state it holds waits, like a read, for the change before it', async () => {
    const { io, release } = holdingIo()
    const store = open({ journalIo: io })
    const changes = [store.submit(associate('i-0'), 'a0'), store.submit(associate('i-1'), 'a1')]
    const same = store.replace(store.snapshot())
    expect(await settledSoon(same.durable)).toBe(false)
    release()
    await Promise.all([...changes.map(durableOf), same.durable])
  })

  it('counts the changes its journal holds since the last compaction', async () => {
    const store = open({ compactAfterBytes: 1 })
    await store.submit(associate('i-0'), 'one').durable
    await store.close()
    // The change was folded into the snapshot file by the compaction it started.
    expect(store.file?.records()).toBe(0)
  })

  it('starts no compaction once it is closing', async () => {
    const store = open({ compactAfterBytes: 1 })
    const change = store.submit(associate('i-0'), 'one')
    await store.close()
    await change.durable
    expect(store.file?.records()).toBe(1)
  })

  it('compacts once the journal is longer than the bound, not when it is exactly that long', async () => {
    const measured = open()
    await measured.submit(associate('i-0'), 'one').durable
    const journal = readFileSync(`${measured.file?.path ?? ''}.journal`)
    const length = journal.lastIndexOf(0x0a) + 1
    const store = open({ compactAfterBytes: length })
    await store.submit(associate('i-0'), 'one').durable
    await store.close()
    expect(store.file?.records()).toBe(1)
    const over = open({ compactAfterBytes: length - 1 })
    await over.submit(associate('i-0'), 'one').durable
    await over.close()
    expect(over.file?.records()).toBe(0)
  })

  /** A store whose first change's compaction cannot create its new snapshot file: the folder is away when it starts. */
  const failedCompaction = async (log?: (line: string) => void) => {
    const { io, release } = holdingIo()
    const path = snapshotFile(oneHaVipAccount(6))
    const folder = dirname(path)
    const store = open({ compactAfterBytes: 1, journalIo: io, ...(log === undefined ? {} : { log }) }, path)
    const changes = [store.submit(associate('i-0'), 'a0'), store.submit(associate('i-1'), 'a1')]
    await nextTurn()
    renameSync(folder, `${folder}-away`)
    try {
      release()
      await Promise.all(changes.map(durableOf))
      await nextTurn()
    } finally {
      renameSync(`${folder}-away`, folder)
    }
    await store.close()
    return { path, store }
  }

  it('a compaction that cannot create its file is logged, and the change is kept', async () => {
    const said: Array<string> = []
    const { path } = await failedCompaction((line) => { said.push(line) })
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/^havip serve: compaction failed, the journal keeps every change; trying again in 1 s: .*snapshot.json: cannot create the file: no such file or folder; it is unchanged$/)
    expect(savedJson(path).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1'])
  })

  it('a compaction that fails with no log to tell is retried later, and the close saves every change', async () => {
    const { path } = await failedCompaction()
    expect(savedJson(path).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1'])
  })
})

describe('a version 1 journal (no length line) left with a torn last line', () => {
  it('is cut back and appended to, its header kept: a restart reads every change', async () => {
    // A version 2 journal of two changes, rewritten as version 1: header, then the change lines.
    const live = snapshotFile(oneHaVipAccount(6))
    const writing = durableStore(live)
    await writing.submit(associate('i-0'), 'a0').durable
    await writing.submit(associate('i-1'), 'a1').durable
    const left = readFileSync(`${live}.journal`)
    const path = join(tempFolder('havip-v1-'), 'snapshot.json')
    copyFileSync(live, path)
    await writing.close()
    const lines = left.subarray(0, left.lastIndexOf(0x0a) + 1).toString('utf8').split('\n').slice(0, -1)
    const header = JSON.parse(lines[0]?.slice(lines[0].indexOf(' ') + 1) ?? '') as { snapshot: Parameters<typeof headerRecord>[0] }
    const changes = lines.slice(2).map((l) => `${l}\n`)
    writeFileSync(`${path}.journal`, Buffer.concat([journalLine(headerRecord(header.snapshot)), Buffer.from(changes[0] ?? ''), Buffer.from((changes[1] ?? '').slice(0, 30))]))

    const store = durableStore(path)
    stores.push(store)
    expect(savedJsonOf(store).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0'])
    await store.submit(associate('i-2'), 'a2').durable
    // What a server killed now leaves behind, read as the next start reads it.
    const copy = join(tempFolder('havip-v1-copy-'), 'snapshot.json')
    copyFileSync(path, copy)
    copyFileSync(`${path}.journal`, `${copy}.journal`)
    expect(savedJson(copy).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-2'])
  })
})

describe('the compaction bound of a large snapshot', () => {
  it('is 16 MiB up to a 64 MiB snapshot: an 8 MiB snapshot file compacts a journal of 18 MiB', async () => {
    // 8 MiB of the file is blank space after the JSON: its size counts, its content is small.
    const path = join(tempFolder('havip-large-'), 'snapshot.json')
    writeFileSync(path, `${JSON.stringify(oneHaVipAccount(6))}${' '.repeat(8 * 1024 * 1024)}`)
    const store = durableStore(path)
    stores.push(store)
    // Each change journals its request whole: 3 MiB each, with a parameter the API does not read.
    const padding = 'x'.repeat(3 * 1024 * 1024)
    for (let i = 0; i < 6; i++) {
      const submitted = store.submit(new Map([...associate(`i-${String(i)}`), ['Padding', padding]]), `r${String(i)}`)
      expect(submitted.durable).toBeDefined()
      await submitted.durable
    }
    await store.close()
    expect(store.file?.records()).toBeLessThan(6)
  })
})

describe('a version 2 journal whose last flush, a change and a checkpoint, was torn in its checkpoint', () => {
  it('is cut back and its length line rewritten: the change recovered and served cannot later be cut off unseen', async () => {
    const live = snapshotFile(oneHaVipAccount(6))
    const writing = durableStore(live)
    await writing.submit(associate('i-0'), 'a0').durable
    const left = readFileSync(`${live}.journal`)
    const path = join(tempFolder('havip-v2-'), 'snapshot.json')
    copyFileSync(live, path)
    await writing.close()
    // Header, length line, the change's line: the last flush also held a checkpoint, cut short.
    const lines = left.subarray(0, left.lastIndexOf(0x0a) + 1)
    const changeAt = lines.lastIndexOf(0x0a, lines.length - 2) + 1
    const lengthAt = lines.lastIndexOf(0x0a, changeAt - 2) + 1
    const checkpoint = journalLine({ checkpoint: { sha256: '0'.repeat(64), seq: 1 } })
    const after = lines.length + checkpoint.length
    writeFileSync(`${path}.journal`, Buffer.concat([lines.subarray(0, lengthAt), lengthLine(lengthAt + lengthLine(0, 0).length, after), lines.subarray(changeAt), checkpoint.subarray(0, 20)]))
    const store = durableStore(path)
    stores.push(store)
    expect(savedJsonOf(store).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0'])
    // The journal then cut before the change (a killed server's file, damaged): refused, not read without it.
    const copy = join(tempFolder('havip-v2-copy-'), 'snapshot.json')
    copyFileSync(path, copy)
    writeFileSync(`${copy}.journal`, readFileSync(`${path}.journal`).subarray(0, changeAt))
    expect(() => savedJson(copy)).toThrow(/cut short after it was written/)
  })
})
