import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Service } from '@volcengine/openapi'
import { describe, expect, it } from 'vitest'
import type { Handled, SnapshotJson } from 'havip-rules'
import { handle, snapshotToJson } from 'havip-rules'
import { startEmulator } from 'havip-rules/server'
import type { FileOps } from '../src/io/atomic-file.js'
import { nodeFileOps } from '../src/io/atomic-file.js'
import { readSnapshotFile, saveSnapshot } from '../src/io/snapshot-file.js'
import { headerRecord, journalLine, parseJournal } from '../src/journal/format.js'
import type { JournalIo } from '../src/journal/writer.js'
import { nodeJournalIo } from '../src/journal/writer.js'
import type { Submitted } from '../src/server/store.js'
import { durableStore } from '../src/server/store.js'
import { brokenInvariants } from './support/invariants.js'
import { call, savedJson } from './support/server.js'
import { serveChild } from './support/serve-child.js'
import { load, oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

/** A submitted request's answer, once it may be sent. */
const answered = async (s: Submitted): Promise<Handled> => {
  await s.durable
  return s.handled
}

const account = oneHaVipAccount

const snapshotIn = (folder: string, json: unknown): string => {
  const path = join(folder, 'snapshot.json')
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`)
  return path
}

const boundIds = (json: SnapshotJson): ReadonlyArray<string> => json.HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds ?? []

const bind = (url: string, action: 'AssociateHaVip' | 'DisassociateHaVip', instanceId: string): Promise<number> =>
  fetch(`${url}/?Action=${action}&Version=2020-04-01&HaVipId=havip-1&InstanceId=${instanceId}`).then(async (res) => {
    await res.arrayBuffer()
    return res.status
  })

// A small, seeded generator: the kill moments are random, and the same on every CI run.
const seeded = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}

/** How many bytes a journal's lines take (the file itself is grown ahead of them). */
const linesOf = (journal: string): number => {
  const parsed = parseJournal(readFileSync(journal))
  if (!parsed.ok) throw new Error(`${journal}: ${parsed.damage.why}`)
  return parsed.journal.validLength
}

describe('a killed server loses nothing it acknowledged', () => {
  const clients = 8

  /**
   * One run: clients each toggle their own instance on the HaVip (bind, unbind, bind, …) as fast
   * as they can; the server is killed with SIGKILL at a random moment. Each client's instance must
   * then be where its last acknowledged toggle put it — or, if a toggle was on its way, where that
   * one would have put it — and the state must load, every invariant whole. The kill comes when
   * `killAfter` changes have been acknowledged, whatever the machine's speed (after 60 s at most: a
   * bound on a server that stopped answering, far above what even a loaded machine needs).
   */
  const run = async (folder: string, killAfter: number, compactAfter: string): Promise<{ acknowledged: number }> => {
    const path = snapshotIn(folder, account(clients))
    const server = serveChild(path, '--compact-after', compactAfter)
    const url = await server.url
    let killed = false
    const acked = new Array<number>(clients).fill(0)
    const inFlight = new Array<boolean>(clients).fill(false)
    let total = 0
    let reached = (): void => undefined
    const enough = new Promise<void>((resolve) => { reached = resolve })
    const load = Array.from({ length: clients }, async (_, c) => {
      while (!killed) {
        inFlight[c] = true
        try {
          const done = acked[c] ?? 0
          const status = await bind(url, done % 2 === 0 ? 'AssociateHaVip' : 'DisassociateHaVip', `i-${String(c)}`)
          if (status !== 200) throw new Error(`status ${String(status)}`)
          acked[c] = done + 1
          inFlight[c] = false
          if (++total >= killAfter) reached()
        } catch {
          return
        }
      }
    })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([enough, new Promise((resolve) => { timer = setTimeout(resolve, 60_000) })])
    clearTimeout(timer)
    killed = true
    server.child.kill('SIGKILL')
    await Promise.all(load)
    await server.exited
    const after = readSnapshotFile(path).snapshot
    const json = snapshotToJson(after)
    expect(brokenInvariants(json)).toEqual([])
    const bound = new Set(boundIds(json))
    for (let c = 0; c < clients; c++) {
      const done = acked[c] ?? 0
      const id = `i-${String(c)}`
      if (bound.has(id) !== (done % 2 === 1)) expect(inFlight[c], `${id}: ${String(done)} toggles acknowledged, bound: ${String(bound.has(id))}`).toBe(true)
    }
    return { acknowledged: acked.reduce((a, b) => a + b, 0) }
  }

  it('across 50 runs killed at random moments under 8 concurrent clients, with and without compaction', async () => {
    const random = seeded(Number(process.env.FC_SEED ?? 20261126))
    let acknowledged = 0
    let planned = 0
    for (let batch = 0; batch < 10; batch++) {
      const killAfter = Array.from({ length: 5 }, () => 5 + Math.floor(random() * 40))
      planned += killAfter.reduce((a, b) => a + b, 0)
      const results = await Promise.all(killAfter.map((n, i) =>
        // Every other run folds its journal every few hundred bytes, so that kills land mid-compaction too.
        run(tempFolder('havip-kill-'), n, (batch * 5 + i) % 2 === 0 ? '600' : '100000000')))
      acknowledged += results.reduce((sum, r) => sum + r.acknowledged, 0)
    }
    // The runs did real work: each got at least as far as planned before its kill (none waited 60 s in vain).
    expect(acknowledged).toBeGreaterThanOrEqual(planned)
    // A bound on a hang, not on speed: 50 server starts take a minute on a quiet machine, several on a loaded one.
  }, 900_000)

  it('restarts on the journal a killed server left: the torn tail cut, the dead holder\'s lock taken over', async () => {
    const folder = tempFolder('havip-restart-')
    const path = snapshotIn(folder, account(4))
    const first = serveChild(path)
    const url = await first.url
    for (const i of [0, 1, 2]) expect(await bind(url, 'AssociateHaVip', `i-${String(i)}`)).toBe(200)
    first.child.kill('SIGKILL')
    await first.exited
    // A crash mid-append leaves part of a line.
    writeFileSync(`${path}.journal`, readFileSync(`${path}.journal`).toString() + 'deadbeef {"seq":4,"chan', { flag: 'w' })
    expect(existsSync(`${path}.lock`)).toBe(true)
    const second = serveChild(path)
    const again = await second.url
    expect(await bind(again, 'AssociateHaVip', 'i-3')).toBe(200)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    // A stopped server leaves one file holding the whole state.
    expect(readdirSync(folder)).toEqual(['snapshot.json'])
    expect(boundIds(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual(['i-0', 'i-1', 'i-2', 'i-3'])
  })
})

describe('one writer per snapshot', () => {
  it('refuses a second server and a call --write while one serves the file, naming the holder', async () => {
    const folder = tempFolder('havip-lock-')
    const path = snapshotIn(folder, account(2))
    const first = serveChild(path)
    await first.url
    const second = serveChild(path)
    expect(await second.exited).toBe(2)
    const holder = new RegExp(`is in use: havip serve \\(pid ${String(first.child.pid)}, since [^)]+\\) holds`)
    expect(second.stderr()).toMatch(holder)
    const write = spawnSync(process.execPath, [cli, 'call', '--snapshot', path, '--write', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0'], { encoding: 'utf8' })
    expect(write.status).toBe(2)
    expect(write.stderr).toMatch(holder)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  })

  it('never loses an update between two concurrent call --write: each succeeds or is refused', async () => {
    const folder = tempFolder('havip-race-')
    const path = snapshotIn(folder, account(20))
    const writes = Array.from({ length: 10 }, (_, i) => new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [cli, 'call', '--snapshot', path, '--write', `Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-${String(i)}`], { stdio: 'ignore' })
      child.on('exit', (code) => { resolve(code) })
    }))
    const codes = await Promise.all(writes)
    expect(codes.every((c) => c === 0 || c === 2)).toBe(true)
    const saved = boundIds(savedJson(path))
    // Exactly the writers that said they saved are in the file.
    expect(saved.length).toBe(codes.filter((c) => c === 0).length)
  })
})

describe('call --write', () => {
  it('writes through a symbolic link, keeping the link and the mode', () => {
    const folder = tempFolder('havip-link-')
    const path = snapshotIn(folder, account(2))
    chmodSync(path, 0o600)
    const link = join(folder, 'current.json')
    symlinkSync('snapshot.json', link)
    const r = spawnSync(process.execPath, [cli, 'call', '--snapshot', link, '--write', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(boundIds(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual(['i-0'])
    expect(readdirSync(folder).sort()).toEqual(['current.json', 'snapshot.json'])
  })

  it('folds in the journal a killed server left, and removes it', async () => {
    const folder = tempFolder('havip-fold-')
    const path = snapshotIn(folder, account(3))
    const server = serveChild(path)
    expect(await bind(await server.url, 'AssociateHaVip', 'i-0')).toBe(200)
    server.child.kill('SIGKILL')
    await server.exited
    const check = spawnSync(process.execPath, [cli, 'check', '--snapshot', path, 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0'], { encoding: 'utf8' })
    expect(check.stdout).toContain('Forbidden.InstanceAlreadyAssociated')
    const r = spawnSync(process.execPath, [cli, 'call', '--snapshot', path, '--write', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(readdirSync(folder)).toEqual(['snapshot.json'])
    expect(boundIds(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual(['i-0', 'i-1'])
  })
})

describe('the journal and its snapshot', () => {
  const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')
  const change = (seq: number, instanceId: string) => journalLine({ seq, changes: [{ requestId: `r-${String(seq)}`, params: { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instanceId } }] })

  it('replays only what comes after the newest snapshot it names (a crash between replacing the file and the journal)', () => {
    const folder = tempFolder('havip-window-')
    const path = snapshotIn(folder, account(4))
    const first = sha(path)
    // The file as it is after two changes, written where a compaction would.
    let state = load(account(4))
    for (const i of [0, 1]) state = handle(state, { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: `i-${String(i)}` }, { requestId: `r-${String(i + 1)}` }).snapshot
    const journal = [journalLine(headerRecord({ sha256: first, seq: 0 })), change(1, 'i-0'), change(2, 'i-1')]
    writeFileSync(`${path}.journal`, Buffer.concat(journal))
    expect(boundIds(savedJson(path))).toEqual(['i-0', 'i-1'])
    // Now the compaction's new file replaces the old, and the checkpoint says it holds changes up to 2.
    writeFileSync(path, `${JSON.stringify(snapshotToJson(state), null, 2)}\n`)
    writeFileSync(`${path}.journal`, Buffer.concat([...journal, journalLine({ checkpoint: { sha256: sha(path), seq: 2 } }), change(3, 'i-2')]))
    expect(boundIds(savedJson(path))).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('refuses a journal that continues another version of the snapshot, naming it', () => {
    const folder = tempFolder('havip-other-')
    const path = snapshotIn(folder, account(2))
    writeFileSync(`${path}.journal`, Buffer.concat([journalLine(headerRecord({ sha256: 'b'.repeat(64), seq: 0 })), change(1, 'i-0')]))
    const r = spawnSync(process.execPath, [cli, 'check', '--snapshot', path, 'Action=DescribeHaVips&Version=2020-04-01'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${path}.journal: it continues another version of`)
  })

  it('refuses a damaged journal, naming the file and the offset', () => {
    const folder = tempFolder('havip-damage-')
    const path = snapshotIn(folder, account(2))
    const header = journalLine(headerRecord({ sha256: sha(path), seq: 0 }))
    const damaged = Buffer.from(change(1, 'i-0'))
    damaged[30] = 0x7a
    writeFileSync(`${path}.journal`, Buffer.concat([header, damaged, change(2, 'i-1')]))
    const r = spawnSync(process.execPath, [cli, 'serve', '--snapshot', path, '--port', '0'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`havip: ${path}.journal: damaged at byte ${String(header.length)}: a line is damaged (its checksum or its form is wrong); nothing was replayed\n`)
  })

  it('is folded into the snapshot once it grows, while requests go on, and a close leaves one file', async () => {
    const folder = tempFolder('havip-compact-')
    const path = snapshotIn(folder, account(100))
    const store = durableStore(path, { compactAfterBytes: 2000 })
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) =>
        answered(store.submit(new Map(Object.entries({ Action: round % 2 === 0 ? 'AssociateHaVip' : 'DisassociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: `i-${String(i)}` })), `r-${String(round)}-${String(i)}`))))
    }
    // Compactions happen in the background: wait for one to have replaced the file.
    for (let waited = 0; waited < 100 && JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))) === JSON.stringify(account(100)); waited++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(JSON.parse(readFileSync(path, 'utf8'))).not.toEqual(account(100))
    // Its lines, not its size: the writer grows the file ahead of them.
    expect(linesOf(`${path}.journal`)).toBeLessThan(40_000)
    expect(boundIds(savedJson(path))).toHaveLength(100)
    await store.close()
    expect(readdirSync(folder)).toEqual(['snapshot.json'])
    expect(boundIds(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toHaveLength(100)
  })

  it('flushes the changes of one turn of the event loop together (group commit)', async () => {
    const folder = tempFolder('havip-group-')
    const path = snapshotIn(folder, account(16))
    let flushes = 0
    const journalIo: JournalIo = { ...nodeJournalIo, fdatasync: (fd, done) => { flushes++; nodeJournalIo.fdatasync(fd, done) } }
    const store = durableStore(path, { journalIo })
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      answered(store.submit(new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: `i-${String(i)}` })), `r-${String(i)}`))))
    expect(replies.map((r) => r.status)).toEqual(Array(16).fill(200))
    expect(flushes).toBe(1)
    await store.close()
  })
})

describe('a full disk', () => {
  /** A folder on a 1 MiB tmpfs when this machine lets us mount one (root); else undefined. */
  const smallDisk = (): { folder: string; unmount: () => void } | undefined => {
    const folder = tempFolder('havip-disk-')
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' }).status !== 0) return undefined
    return { folder, unmount: () => { spawnSync('umount', [folder]) } }
  }

  it('refuses changes it cannot save (500), loses none it acknowledged, and the state still loads', async () => {
    const disk = smallDisk()
    const folder = disk?.folder ?? tempFolder('havip-disk-')
    let full = false
    let filler: string | undefined
    const fill = (): void => {
      full = true
      if (disk === undefined) return
      // Leave a few hundred bytes: a line or two of journal, then nothing.
      filler = join(folder, 'filler')
      const free = (): number => Number(spawnSync('df', ['-B1', '--output=avail', folder], { encoding: 'utf8' }).stdout.split('\n')[1])
      writeFileSync(filler, Buffer.alloc(Math.max(free() - 600, 0)))
    }
    const free = (): void => {
      full = false
      if (filler !== undefined) rmSync(filler)
    }
    // Without a disk to fill, the journal's writes fail as a full disk's do.
    const journalIo: JournalIo = {
      ...nodeJournalIo,
      writeSync: (fd, data, offset, length, position) => {
        if (full && disk === undefined) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        return nodeJournalIo.writeSync(fd, data, offset, length, position)
      },
    }
    try {
      const path = snapshotIn(folder, account(30))
      const store = durableStore(path, { journalIo, compactAfterBytes: 1 << 30 })
      const submit = (i: number) => answered(store.submit(new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: `i-${String(i)}` })), `r-${String(i)}`))
        .then((h) => h.status, () => 500)
      const acknowledged: Array<string> = []
      for (let i = 0; i < 5; i++) if (await submit(i) === 200) acknowledged.push(`i-${String(i)}`)
      fill()
      const refused: Array<string> = []
      for (let i = 5; i < 30; i++) {
        if (await submit(i) === 200) acknowledged.push(`i-${String(i)}`)
        else refused.push(`i-${String(i)}`)
      }
      expect(refused.length).toBeGreaterThan(0)
      // What a restart would see: every acknowledged change, nothing refused.
      expect([...boundIds(savedJson(path))].sort()).toEqual([...acknowledged].sort())
      expect(boundIds(snapshotToJson(store.snapshot()))).toEqual(boundIds(savedJson(path)))
      free()
      expect(await submit(29)).toBe(200)
      await store.close()
      expect(boundIds(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual([...acknowledged, 'i-29'])
    } finally {
      disk?.unmount()
    }
  })

  it('makes call --write exit 2 and leave the file whole when it cannot be saved', () => {
    const disk = smallDisk()
    if (disk === undefined) {
      // No tmpfs to fill here: the same save, in this process, on writes that fail as a full disk's do.
      const path = snapshotIn(tempFolder('havip-disk-'), account(300))
      const before = readFileSync(path)
      const full: FileOps = { ...nodeFileOps, writeSync: () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) } }
      const state = readSnapshotFile(path).snapshot
      expect(() => { saveSnapshot(path, state, undefined, full) }).toThrow(/no space left on the device; it is unchanged/)
      expect(readFileSync(path)).toEqual(before)
      return
    }
    try {
      const path = snapshotIn(disk.folder, account(300))
      const before = readFileSync(path)
      writeFileSync(join(disk.folder, 'filler'), Buffer.alloc(Math.max(Number(spawnSync('df', ['-B1', '--output=avail', disk.folder], { encoding: 'utf8' }).stdout.split('\n')[1]) - 4096, 0)))
      const r = spawnSync(process.execPath, [cli, 'call', '--snapshot', path, '--write', 'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0'], { encoding: 'utf8' })
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/no space left on the device; (it|the file) is unchanged/)
      expect(readFileSync(path)).toEqual(before)
      expect(readdirSync(disk.folder).sort()).toEqual(['filler', 'snapshot.json'])
    } finally {
      disk.unmount()
    }
  })
})

describe('startEmulator, from havip-rules/server', () => {
  it('serves the vendor SDK in this process, in memory, writing nothing', async () => {
    const emulator = await startEmulator({ snapshot: account(3), credentials: { accessKeyId: 'AK', secretKey: 'SK' } })
    const vpc = new Service({ serviceName: 'vpc', host: new URL(emulator.url).host, protocol: 'http:', region: 'cn-beijing', accessKeyId: 'AK', secretKey: 'SK' })
    expect((await call(vpc, { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1' })).status).toBe(200)
    const described = await call(vpc, { Action: 'DescribeHaVips', 'HaVipIds.1': 'havip-1' })
    expect(described.body.Result).toMatchObject({ HaVips: [{ AssociatedInstanceIds: ['i-1'], Status: 'InUse' }] })
    expect(boundIds(snapshotToJson(emulator.snapshot()))).toEqual(['i-1'])
    await emulator.close()
  })

  it('keeps its state in a snapshot file when given one, and leaves the whole state there on close', async () => {
    const folder = tempFolder('havip-emulator-')
    const path = join(folder, 'state.json')
    const emulator = await startEmulator({ snapshot: account(2), snapshotPath: path })
    expect((await fetch(`${emulator.url}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0`)).status).toBe(200)
    expect(boundIds(savedJson(path))).toEqual(['i-0'])
    await emulator.close()
    expect(readdirSync(folder)).toEqual(['state.json'])
    const again = await startEmulator({ snapshotPath: path })
    expect(boundIds(snapshotToJson(again.snapshot()))).toEqual(['i-0'])
    await again.close()
  })

  it('refuses a snapshot that does not load, saying why', async () => {
    await expect(startEmulator({ snapshot: { Instnces: [] } as unknown as SnapshotJson })).rejects.toThrow('Instnces: is not a snapshot key: did you mean Instances?')
  })
})
