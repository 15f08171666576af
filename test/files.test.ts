import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { handle, snapshotToJson } from 'havip-rules'
import { scenarioArbitrary } from 'havip-rules/testing'
import type { FileOps } from '../src/io/atomic-file.js'
import { isTemporaryOf, nodeFileOps, removeStaleTemporaries, writeFileAtomic } from '../src/io/atomic-file.js'
import { lockSnapshot } from '../src/io/lock.js'
import { snapshotText } from '../src/io/snapshot-text.js'
import { headerRecord, journalLine, parseJournal } from '../src/journal/format.js'
import type { JournalIo } from '../src/journal/writer.js'
import { JournalWriter, nodeJournalIo } from '../src/journal/writer.js'
import { isSnapshot } from '../src/model/snapshot.js'
import { load } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'
import { runs } from './support/runs.js'

const folder = (): string => tempFolder('havip-files-')

const withOriginal = (): { dir: string; path: string } => {
  const dir = folder()
  const path = join(dir, 'snapshot.json')
  writeFileSync(path, 'original')
  return { dir, path }
}

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })

describe('writeFileAtomic', () => {
  const failing: ReadonlyArray<readonly [string, (calls: Array<string>) => Partial<FileOps>]> = [
    ['the exclusive create of the temporary file', () => ({ openSync: () => { throw Object.assign(new Error('EEXIST'), { code: 'EEXIST' }) } })],
    ['a write that stops halfway on a full disk', () => ({
      writeSync: (fd, data, offset, length) => {
        fs.writeSync(fd, data, offset, Math.floor(length / 2))
        throw enospc()
      },
    })],
    ['a write that makes no progress', () => ({ writeSync: () => 0 })],
    ['the flush', () => ({ fsyncSync: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }) } })],
    ['the rename', () => ({ renameSync: () => { throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' }) } })],
  ]

  it.each(failing)('leaves the original whole and no temporary file when %s fails', (_, make) => {
    const { dir, path } = withOriginal()
    const ops: FileOps = { ...nodeFileOps, ...make([]) }
    expect(() => writeFileAtomic(path, ['x'.repeat(100_000), 'y'.repeat(100_000)], ops)).toThrow(/is unchanged|unchanged$/)
    expect(readFileSync(path, 'utf8')).toBe('original')
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
  })

  it('creates its temporary file exclusively, beside the target', () => {
    const { dir, path } = withOriginal()
    const opened: Array<readonly [string, string | number]> = []
    writeFileAtomic(path, ['new'], { ...nodeFileOps, openSync: (p, flags, mode) => { opened.push([p, flags]); return fs.openSync(p, flags, mode) } })
    const [temporary] = opened
    expect(temporary?.[1]).toBe('wx')
    expect(temporary?.[0].startsWith(join(dir, '.snapshot.json.'))).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe('new')
  })

  it('continues a short write instead of taking it as complete', () => {
    const { path } = withOriginal()
    const data = 'z'.repeat(50_000)
    writeFileAtomic(path, [data], { ...nodeFileOps, writeSync: (fd, bytes, offset, length) => fs.writeSync(fd, bytes, offset, Math.min(length, 1000)) })
    expect(readFileSync(path, 'utf8')).toBe(data)
  })

  it('flushes the folder after the rename, and says so when that fails', () => {
    const { dir, path } = withOriginal()
    const flushed: Array<string> = []
    // What each open descriptor is, while it is open (numbers are reused).
    const openAs = new Map<number, string>()
    const ops: FileOps = {
      ...nodeFileOps,
      openSync: (p, flags, mode) => {
        const fd = fs.openSync(p, flags, mode)
        openAs.set(fd, p === dir ? 'folder' : 'file')
        return fd
      },
      closeSync: (fd) => { openAs.delete(fd); fs.closeSync(fd) },
      fsyncSync: (fd) => { flushed.push(openAs.get(fd) ?? '?'); fs.fsyncSync(fd) },
    }
    writeFileAtomic(path, ['new'], ops)
    expect(flushed).toEqual(['file', 'folder'])
    const folderFds = { has: (fd: number) => openAs.get(fd) === 'folder' }
    const failingFolder: FileOps = { ...ops, fsyncSync: (fd) => { if (folderFds.has(fd)) throw Object.assign(new Error('EIO'), { code: 'EIO' }); fs.fsyncSync(fd) } }
    expect(() => writeFileAtomic(path, ['newer'], failingFolder)).toThrow(/replaced, but its folder cannot be flushed/)
  })

  it('names the file when its folder does not exist, creating nothing', () => {
    const path = join(folder(), 'no-such-folder', 'snapshot.json')
    expect(() => writeFileAtomic(path, ['data'])).toThrow(path)
  })

  it('writes through a symbolic link to its target, keeping the link, the mode and the owner', () => {
    const dir = folder()
    mkdirSync(join(dir, 'real'))
    const target = join(dir, 'real', 'state.json')
    writeFileSync(target, 'original', { mode: 0o640 })
    const link = join(dir, 'link.json')
    symlinkSync(join('real', 'state.json'), link)
    const root = process.getuid?.() === 0
    if (root) chownSync(target, 4321, 4321)
    writeFileAtomic(link, ['new'])
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readlinkSync(link)).toBe(join('real', 'state.json'))
    expect(readFileSync(target, 'utf8')).toBe('new')
    const after = statSync(target)
    expect(after.mode & 0o777).toBe(0o640)
    // Only root can give a file to someone else; anyone else keeps their own.
    if (root) expect([after.uid, after.gid]).toEqual([4321, 4321])
    else expect(after.uid).toBe(process.getuid?.())
  })

  it('refuses to replace what is not a regular file: a folder, a pipe', () => {
    const dir = folder()
    mkdirSync(join(dir, 'folder'))
    expect(() => writeFileAtomic(join(dir, 'folder'), ['x'])).toThrow(/not a regular file/)
    const fifo = join(dir, 'pipe')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    expect(() => writeFileAtomic(fifo, ['x'])).toThrow(/not a regular file/)
    expect(statSync(fifo).isFIFO()).toBe(true)
    symlinkSync(fifo, join(dir, 'link-to-pipe'))
    expect(() => writeFileAtomic(join(dir, 'link-to-pipe'), ['x'])).toThrow(/not a regular file/)
  })

  it('removes the temporary files a killed writer left, and nothing else', () => {
    const dir = folder()
    const target = join(dir, 'snapshot.json')
    for (const name of ['snapshot.json', '.snapshot.json.0123456789ab.tmp', '.snapshot.json.abcdefabcdef.tmp', '.other.json.0123456789ab.tmp', 'notes.tmp', '.snapshot.json.0123456789ab.tmp~']) {
      writeFileSync(join(dir, name), 'x')
    }
    // A folder with a temporary file's name is nobody's temporary file: left alone, and no reason to fail.
    mkdirSync(join(dir, '.snapshot.json.fedcba987654.tmp'))
    expect(isTemporaryOf(target, '.snapshot.json.0123456789ab.tmp')).toBe(true)
    removeStaleTemporaries(target)
    expect(readdirSync(dir).sort()).toEqual(['.other.json.0123456789ab.tmp', '.snapshot.json.0123456789ab.tmp~', '.snapshot.json.fedcba987654.tmp', 'notes.tmp', 'snapshot.json'])
    // Nothing to remove where there is no folder.
    removeStaleTemporaries(join(dir, 'no-such-folder', 'snapshot.json'))
  })
})

describe('lockSnapshot', () => {
  it('lets one writer in and names it to the next', () => {
    const target = join(folder(), 'snapshot.json')
    const lock = lockSnapshot(target, 'havip serve')
    expect(() => lockSnapshot(target, 'havip call')).toThrow(new RegExp(`is in use: havip serve \\(pid ${String(process.pid)}, since .*\\) holds`))
    lock.release()
    lockSnapshot(target, 'havip call').release()
  })

  it('takes over the lock of a holder that died', () => {
    const target = join(folder(), 'snapshot.json')
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    writeFileSync(`${target}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), command: 'havip serve', since: '2026-01-01T00:00:00.000Z' }))
    const lock = lockSnapshot(target, 'havip serve')
    expect(JSON.parse(readFileSync(`${target}.lock`, 'utf8'))).toMatchObject({ pid: process.pid })
    lock.release()
    expect(fs.existsSync(`${target}.lock`)).toBe(false)
  })

  it('releases only its own lock', () => {
    const target = join(folder(), 'snapshot.json')
    const lock = lockSnapshot(target, 'havip serve')
    writeFileSync(`${target}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), command: 'another', since: 'later' }))
    lock.release()
    expect(fs.existsSync(`${target}.lock`)).toBe(true)
  })
})

describe('snapshotText', () => {
  test.prop([scenarioArbitrary()], { numRuns: runs(100) })('is JSON.stringify(snapshotToJson(s), null, 2) and a newline, after any requests', ({ snapshot, requests }) => {
    let s = load(snapshot)
    for (const [i, request] of requests.entries()) s = handle(s, request, { requestId: `r-${String(i)}` }).snapshot
    if (!isSnapshot(s)) throw new Error('not a snapshot')
    expect([...snapshotText(s)].join('')).toBe(`${JSON.stringify(snapshotToJson(s), null, 2)}\n`)
  })

  it('comes in pieces of bounded size, whatever the size of the snapshot', () => {
    const instances = Array.from({ length: 5000 }, (_, i) => ({ InstanceId: `i-${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 's', Type: 'primary' }] }))
    const s = load({ Region: 'r', Instances: instances, HaVips: [], ClientTokens: [] })
    if (!isSnapshot(s)) throw new Error('not a snapshot')
    const pieces = [...snapshotText(s)]
    expect(pieces.length).toBeGreaterThan(5)
    // About 64 KiB each: never one write per resource, never one string of the whole.
    expect(Math.min(...pieces.slice(0, -1).map((p) => p.length))).toBeGreaterThanOrEqual(65_536)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(70_000)
    expect(pieces.join('')).toBe(`${JSON.stringify(snapshotToJson(s), null, 2)}\n`)
  })

  it('leaves out the keys of a snapshot given as an object that hold undefined, as JSON.stringify does', () => {
    for (const json of [{ Region: 'r', Quotas: undefined }, { Region: undefined }, { HaVips: undefined, ClientTokens: undefined }]) {
      const s = load(json)
      if (!isSnapshot(s)) throw new Error('not a snapshot')
      expect([...snapshotText(s)].join('')).toBe(`${JSON.stringify(json, null, 2)}\n`)
    }
    // A token recorded on such a snapshot is kept all the same.
    const s = handle(load({
      HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
      Instances: [{ InstanceId: 'i-0', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-p0', SubnetId: 'subnet-a', Type: 'primary' }] }],
      ClientTokens: undefined,
    }), 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0&ClientToken=t-1', { requestId: 'r-1' }).snapshot
    if (!isSnapshot(s)) throw new Error('not a snapshot')
    expect(snapshotToJson(s).ClientTokens?.map((t) => t.ClientToken)).toEqual(['t-1'])
    expect([...snapshotText(s)].join('')).toBe(`${JSON.stringify(snapshotToJson(s), null, 2)}\n`)
  })

  it('writes an empty snapshot as {}', () => {
    const s = load({})
    if (!isSnapshot(s)) throw new Error('not a snapshot')
    expect([...snapshotText(s)].join('')).toBe('{}\n')
  })
})

describe('parseJournal', () => {
  const header = journalLine(headerRecord({ sha256: 'a'.repeat(64), seq: 0 }))
  const batch = (seq: number) => journalLine({ seq, changes: [{ requestId: `r${String(seq)}`, params: { Action: 'AssociateHaVip' } }] })

  it('reads a header and its records, each with its offset', () => {
    const parsed = parseJournal(Buffer.concat([header, batch(1), batch(2)]))
    expect(parsed.ok && parsed.journal.records.map((r) => r.offset)).toEqual([header.length, header.length + batch(1).length])
  })

  it('drops a torn last line (a crash mid-append): cut short, zeros, or complete with a bad checksum', () => {
    const whole = Buffer.concat([header, batch(1)])
    const last = batch(2)
    for (const tail of [last.subarray(0, 10), Buffer.alloc(40), Buffer.concat([Buffer.alloc(last.length - 1), Buffer.from('\n')])]) {
      const parsed = parseJournal(Buffer.concat([whole, tail]))
      expect(parsed).toMatchObject({ ok: true, journal: { torn: true, validLength: whole.length } })
    }
  })

  it('refuses damage anywhere but the last line, naming its offset', () => {
    const damaged = Buffer.from(batch(1))
    damaged[20] = 0x41
    const parsed = parseJournal(Buffer.concat([header, damaged, batch(2)]))
    expect(parsed).toEqual({ ok: false, damage: { offset: header.length, why: 'a line is damaged (its checksum or its form is wrong)' } })
  })

  it('refuses a journal without a header', () => {
    expect(parseJournal(Buffer.alloc(0))).toMatchObject({ ok: false, damage: { offset: 0 } })
    expect(parseJournal(batch(1))).toMatchObject({ ok: false, damage: { offset: 0, why: 'the first line is not a havip-rules journal header' } })
  })
})

describe('a snapshot that cannot be serialised', () => {
  it('is refused with the file named and left unchanged, not a stack trace', () => {
    // Too deep for JSON.stringify, not for JSON.parse.
    const deep = `${'{"d":'.repeat(12_000)}"bottom"${'}'.repeat(12_000)}`
    const dir = folder()
    const path = join(dir, 'snapshot.json')
    const text = `{"HaVips": [{"HaVipId": "h", "SubnetId": "s", "Status": "Available", "Deep": ${deep}}], "Instances": [{"InstanceId": "i", "Status": "RUNNING", "NetworkInterfaces": [{"SubnetId": "s", "Type": "primary"}]}]}`
    writeFileSync(path, text)
    const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
    const r = spawnSync(process.execPath, [cli, 'call', '--snapshot', path, '--write', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=h&InstanceId=i'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/cannot write the file: .*; it is unchanged/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(readFileSync(path, 'utf8')).toBe(text)
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
  })
})

describe('JournalWriter', () => {
  const journalFile = (): number => {
    const path = join(folder(), 'journal')
    writeFileSync(path, '')
    return fs.openSync(path, 'r+')
  }
  const change = (n: number) => ({ requestId: `r-${String(n)}`, params: { Action: 'AssociateHaVip' } })
  const hooks = { onDurable: () => undefined, onFailure: () => undefined }

  it('flushes nothing while exclusive runs, not even a flush scheduled just before it', async () => {
    let writes = 0
    const io: JournalIo = { ...nodeJournalIo, writeSync: (...args) => { writes++; return nodeJournalIo.writeSync(...args) } }
    const writer = new JournalWriter(journalFile(), 0, 0, hooks, io)
    const first = writer.addChange(change(1))
    const during: Array<number> = []
    await writer.exclusive(async () => {
      const before = writes
      await new Promise((resolve) => setTimeout(resolve, 20))
      during.push(writes - before)
    })
    await first.durable
    expect(during).toEqual([0])
    expect(writes).toBe(1)
    writer.close()
  })

  it('numbers changes in order and flushes what one turn added in one write', async () => {
    let writes = 0
    const io: JournalIo = { ...nodeJournalIo, writeSync: (...args) => { writes++; return nodeJournalIo.writeSync(...args) } }
    const durable: Array<number> = []
    const writer = new JournalWriter(journalFile(), 0, 7, { ...hooks, onDurable: (seq) => durable.push(seq) }, io)
    const added = [1, 2, 3].map((n) => writer.addChange(change(n)))
    expect(added.map((a) => a.seq)).toEqual([8, 9, 10])
    await Promise.all(added.map((a) => a.durable))
    expect([writes, durable]).toEqual([1, [10]])
    writer.close()
  })

  it('cuts a failed flush off the file, fails its changes and those queued behind it, and gives their numbers out again', async () => {
    let fail = true
    // A lone change is flushed in place (fdatasyncSync), several at once off the loop (fdatasync); the cut after a failure flushes in place too.
    let flushes = 0
    const io: JournalIo = {
      ...nodeJournalIo,
      fdatasync: (fd, done) => { if (fail) done(Object.assign(new Error('EIO'), { code: 'EIO' })); else nodeJournalIo.fdatasync(fd, done) },
      fdatasyncSync: (fd) => { if (fail && flushes++ === 0) throw Object.assign(new Error('EIO'), { code: 'EIO' }); nodeJournalIo.fdatasyncSync(fd) },
    }
    const failures: Array<string> = []
    const fd = journalFile()
    const writer = new JournalWriter(fd, 0, 0, { ...hooks, onFailure: (e) => failures.push(e.message) }, io)
    const lost = writer.addChange(change(1))
    await expect(lost.durable).rejects.toThrow('EIO')
    expect(failures).toEqual(['EIO'])
    expect(fs.fstatSync(fd).size).toBe(0)
    fail = false
    const kept = writer.addChange(change(2))
    expect(kept.seq).toBe(1)
    await kept.durable
    expect(fs.fstatSync(fd).size).toBeGreaterThan(0)
    writer.close()
  })
})
