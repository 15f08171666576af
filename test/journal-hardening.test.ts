import { spawnSync } from 'node:child_process'
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import { durableStore } from '../src/server/store.js'
import { oneHaVipAccount } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const account = oneHaVipAccount

const snapshotIn = (folder: string, json: unknown): string => {
  const path = join(folder, 'snapshot.json')
  writeFileSync(path, JSON.stringify(json))
  return path
}

const bind = (instance: string) => new Map(Object.entries({ Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: instance }))

const status = async (store: ReturnType<typeof durableStore>, instance: string): Promise<number | string> => {
  const submitted = store.submit(bind(instance), `r-${instance}`)
  try {
    await submitted.durable
    return submitted.handled.status
  } catch (e) {
    return (e as Error).message
  }
}

const bound = (path: string): ReadonlyArray<string> =>
  snapshotToJson(readSnapshotFile(path).snapshot).HaVips?.[0]?.AssociatedInstanceIds ?? []

describe('the journal under a running server', () => {
  it.each([
    ['deleted', (journal: string) => { rmSync(journal) }, 'was deleted'],
    ['replaced', (journal: string) => { renameSync(journal, `${journal}.old`); writeFileSync(journal, '') }, 'was replaced by another file'],
    ['moved away', (journal: string) => { renameSync(journal, `${journal}.old`) }, 'was deleted'],
    ['renamed over by another file', (journal: string) => { writeFileSync(`${journal}.new`, ''); renameSync(`${journal}.new`, journal) }, 'was replaced by another file'],
    ['its folder renamed', (journal: string) => { renameSync(dirname(journal), `${dirname(journal)}-moved`) }, 'was deleted'],
  ])('%s: every later change is refused (and logged), none acknowledged into a file nobody will read', async (_, damage, why) => {
    const data = join(tempFolder('havip-gone-'), 'data')
    mkdirSync(data)
    const path = snapshotIn(data, account(5))
    const lines: Array<string> = []
    const store = durableStore(path, { log: (line) => { lines.push(line) } })
    expect(await status(store, 'i-0')).toBe(200)
    damage(`${path}.journal`)
    for (const instance of ['i-1', 'i-2', 'i-3']) expect(await status(store, instance)).toMatch(why)
    expect(lines).toEqual([`havip serve: ${path}.journal ${why}: changes are refused from now on, since they could not be found again; restart the server`])
    // Nothing acknowledged was lost: the state is the one acknowledged.
    expect(snapshotToJson(store.snapshot()).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0'])
  })

  const linkedStore = (): { readonly folder: string; readonly path: string; readonly store: ReturnType<typeof durableStore>; readonly lines: ReadonlyArray<string> } => {
    const folder = tempFolder('havip-via-link-')
    mkdirSync(join(folder, 'a'))
    snapshotIn(join(folder, 'a'), account(5))
    symlinkSync(join(folder, 'a'), join(folder, 'current'))
    const path = join(folder, 'current', 'snapshot.json')
    const lines: Array<string> = []
    return { folder, path, store: durableStore(path, { log: (line) => { lines.push(line) } }), lines }
  }
  const relink = (folder: string, to: string): void => {
    rmSync(join(folder, 'current'))
    symlinkSync(join(folder, to), join(folder, 'current'))
  }

  it('reached through a linked folder: the link pointed at another folder is noticed', async () => {
    const { folder, path, store, lines } = linkedStore()
    expect(await status(store, 'i-0')).toBe(200)
    mkdirSync(join(folder, 'b'))
    writeFileSync(join(folder, 'b', 'snapshot.json.journal'), '')
    relink(folder, 'b')
    expect(await status(store, 'i-1')).toMatch('was replaced by another file')
    expect(lines).toEqual([`havip serve: ${path}.journal was replaced by another file: changes are refused from now on, since they could not be found again; restart the server`])
  })

  it('reached through a linked folder: the folder renamed and the link following it is no change', async () => {
    const { folder, store, lines } = linkedStore()
    expect(await status(store, 'i-0')).toBe(200)
    renameSync(join(folder, 'a'), join(folder, 'a2'))
    relink(folder, 'a2')
    expect(await status(store, 'i-1')).toBe(200)
    expect(await status(store, 'i-2')).toBe(200)
    expect(lines).toEqual([])
    await store.close()
    expect(bound(join(folder, 'current', 'snapshot.json'))).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('refuses a journal that is a symbolic link, rather than turn it into a file of its own', () => {
    const folder = tempFolder('havip-linked-')
    const path = snapshotIn(folder, account(2))
    const store = durableStore(path)
    void store.submit(bind('i-0'), 'r')
    return store.close().then(() => {
      writeFileSync(join(folder, 'elsewhere.journal'), '')
      symlinkSync(join(folder, 'elsewhere.journal'), `${path}.journal`)
      expect(() => durableStore(path)).toThrow(`${path}.journal is a symbolic link`)
    })
  })
})

describe('a compaction that fails on a full disk', () => {
  it('is tried again after a wait that doubles, and said once a try, not once a flush', async () => {
    const folder = tempFolder('havip-disk-')
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' }).status !== 0) return
    try {
      // A snapshot of ~400 KiB, and ~150 KiB left: the journal fits, a second copy of the snapshot does not.
      const path = snapshotIn(folder, { ...account(60), Instances: [...(account(60).Instances ?? []), ...Array.from({ length: 1500 }, (_, i) => ({ InstanceId: `x-${String(i)}`, Status: 'STOPPED', InstanceName: 'x'.repeat(100), NetworkInterfaces: [{ NetworkInterfaceId: `eni-x${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }] }))] })
      const avail = Number(spawnSync('df', ['-B1', '--output=avail', folder], { encoding: 'utf8' }).stdout.split('\n')[1])
      writeFileSync(join(folder, 'filler'), Buffer.alloc(Math.max(avail - 150 * 1024, 0)))
      let clock = 0
      const lines: Array<string> = []
      let heard: () => void = () => undefined
      // The compaction writes off the event loop: its failure is waited for, however long it takes.
      const said = (n: number): Promise<void> => new Promise((resolve) => {
        heard = () => { if (lines.length >= n) resolve() }
        heard()
      })
      const store = durableStore(path, { compactAfterBytes: 1, now: () => clock, log: (line) => { lines.push(line); heard() } })
      // While a compaction fills the disk, a change can find no room either: refused, never acknowledged.
      const acknowledged: Array<string> = []
      const submit = async (i: number): Promise<void> => {
        const answer = await status(store, `i-${String(i)}`)
        if (answer === 200) acknowledged.push(`i-${String(i)}`)
        else expect(answer).toMatch(/ENOSPC|no space/)
      }
      try {
        for (let i = 0; i < 20; i++) await submit(i)
        // The first flush started one; its failure is said once, whatever the flushes after it.
        await said(1)
        for (let i = 20; i < 25; i++) await submit(i)
        expect(lines.map((l) => /trying again in (\d+) s/.exec(l)?.[1])).toEqual(['1'])
        clock = 1000
        for (let i = 25; i < 40; i++) await submit(i)
        await said(2)
        expect(lines.map((l) => /trying again in (\d+) s/.exec(l)?.[1])).toEqual(['1', '2'])
        expect(acknowledged.length).toBeGreaterThan(20)
        rmSync(join(folder, 'filler'))
      } finally {
        await store.close()
      }
      expect(bound(path)).toEqual(acknowledged)
    } finally {
      spawnSync('umount', [folder])
    }
  })
})
