import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import { loadSnapshot, snapshotToJson } from 'havip-rules'
import { problemText } from '../src/codec/problems.js'
import { lockSnapshot } from '../src/io/lock.js'
import { readSnapshotFile, saveLocked, saveSnapshot } from '../src/io/snapshot-file.js'
import { UsageError } from '../src/io/usage-error.js'
import type { JournalRecord } from '../src/journal/format.js'
import { headerRecord, journalLine, parseJournal } from '../src/journal/format.js'
import { recordingOps, systemError } from './support/recording-ops.js'
import { tempFolder } from './support/temp.js'

const account: SnapshotJson = {
  Region: 'cn-beijing',
  HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
  Instances: ['i-0', 'i-1'].map((id, n) => ({ InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(n)}`, SubnetId: 'subnet-a', Type: 'primary' }] })),
  NetworkInterfaces: [],
  Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 },
}

const snapshotFile = (json: unknown = account): { readonly dir: string; readonly path: string; readonly journal: string; readonly sha256: string } => {
  const dir = tempFolder('havip-snapshot-file-')
  const path = join(dir, 'snapshot.json')
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`)
  return { dir, path, journal: `${path}.journal`, sha256: sha256Of(path) }
}

const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

const bind = (seq: number, instanceId: string, haVipId = 'havip-1'): JournalRecord =>
  ({ seq, changes: [{ requestId: `R${String(seq)}`, params: { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: haVipId, InstanceId: instanceId } }] })

const journalOf = (sha256: string, ...records: ReadonlyArray<JournalRecord>): Buffer =>
  Buffer.concat([journalLine(headerRecord({ sha256, seq: 0 })), ...records.map(journalLine)])

const bound = (json: SnapshotJson): ReadonlyArray<string> => json.HaVips?.[0]?.AssociatedInstanceIds ?? []

describe('readSnapshotFile', () => {
  it('replays the journal beside the file, and says how far it goes and where a torn line starts', () => {
    const { path, journal, sha256 } = snapshotFile()
    const whole = journalOf(sha256, bind(1, 'i-0'), bind(2, 'i-1'))
    writeFileSync(journal, Buffer.concat([whole, Buffer.from('0000 {"seq":3')]))
    const read = readSnapshotFile(path, () => { throw new Error('no wait expected') })
    expect(read.journal).toEqual({ path: journal, seq: 2, changes: 2, validLength: whole.length, torn: true })
    expect(bound(snapshotToJson(read.snapshot))).toEqual(['i-0', 'i-1'])
    expect([read.target, read.sha256, read.size]).toEqual([path, sha256, readFileSync(path).length])
  })

  it('names the file and what is wrong with it', () => {
    const missing = join(tempFolder('havip-snapshot-file-'), 'snapshot.json')
    expect(() => readSnapshotFile(missing)).toThrow(new UsageError(`${missing}: cannot read the snapshot: no such file or folder`))

    const notJson = snapshotFile()
    writeFileSync(notJson.path, '{"Region": ')
    let parseError = ''
    try {
      JSON.parse('{"Region": ')
    } catch (e) {
      parseError = (e as Error).message
    }
    expect(() => readSnapshotFile(notJson.path)).toThrow(new UsageError(`${notJson.path}: not JSON: ${parseError}`))

    const wrong = { ...account, Region: 5, HaVips: 'none' }
    const loaded = loadSnapshot(wrong)
    if (E.isRight(loaded)) throw new Error('expected a load failure')
    const { path } = snapshotFile(wrong)
    expect(loaded.left.problems.length).toBe(2)
    expect(() => readSnapshotFile(path)).toThrow(new UsageError(`${path}: the snapshot does not load:\n${loaded.left.problems.map((p) => `  ${problemText(p)}`).join('\n')}`))
  })

  it('names the journal and what is wrong with it; nothing is replayed', () => {
    const folder = snapshotFile()
    mkdirSync(folder.journal)
    expect(() => readSnapshotFile(folder.path)).toThrow(new UsageError(`${folder.journal}: cannot read the journal: it is a folder, not a file`))

    const damaged = snapshotFile()
    const bytes = Buffer.concat([journalOf(damaged.sha256, bind(1, 'i-0')), Buffer.from('garbage\n'), journalLine(bind(2, 'i-1'))])
    writeFileSync(damaged.journal, bytes)
    const parsed = parseJournal(bytes)
    if (parsed.ok) throw new Error('expected damage')
    expect(() => readSnapshotFile(damaged.path)).toThrow(new UsageError(`${damaged.journal}: damaged at byte ${String(parsed.damage.offset)}: ${parsed.damage.why}; nothing was replayed`))

    const inapplicable = snapshotFile()
    const header = journalLine(headerRecord({ sha256: inapplicable.sha256, seq: 0 }))
    writeFileSync(inapplicable.journal, journalOf(inapplicable.sha256, bind(1, 'i-0', 'havip-9')))
    expect(() => readSnapshotFile(inapplicable.path))
      .toThrow(new UsageError(`${inapplicable.journal}: at byte ${String(header.length)}: change 1 (AssociateHaVip havip-9 i-0) does not apply: InvalidHaVip.NotFound; nothing was replayed`))
  })

  it('reads a journal that continues another version of the file again, waiting longer each time, then refuses it', () => {
    const { path, journal } = snapshotFile()
    writeFileSync(journal, journalOf('0'.repeat(64), bind(1, 'i-0')))
    const waits: Array<number> = []
    expect(() => readSnapshotFile(path, (ms) => { waits.push(ms) })).toThrow(new UsageError(
      `${journal}: it continues another version of ${path} (the snapshot was replaced while its journal held changes); move the journal away to use the snapshot as it is`))
    expect(waits).toEqual([50, 100, 150, 200, 250])
  })

  it('takes the journal once the server that was replacing the file has put the matching one in place', () => {
    const { path, journal, sha256 } = snapshotFile()
    writeFileSync(journal, journalOf('0'.repeat(64), bind(1, 'i-0')))
    const waits: Array<number> = []
    const read = readSnapshotFile(path, (ms) => {
      waits.push(ms)
      if (waits.length === 2) writeFileSync(journal, journalOf(sha256, bind(1, 'i-1')))
    })
    expect(waits).toEqual([50, 100])
    expect(bound(snapshotToJson(read.snapshot))).toEqual(['i-1'])
  })
})

describe('saveSnapshot', () => {
  /** A journal of one change and a torn line beside the file, as read. */
  const folded = (dir: string, journalPath: string) => {
    const path = join(dir, 'snapshot.json')
    const whole = journalOf(sha256Of(path), bind(1, 'i-0'))
    writeFileSync(journalPath, Buffer.concat([whole, Buffer.from('torn')]))
    const read = readSnapshotFile(path)
    if (read.journal === undefined) throw new Error('expected a journal')
    return { read, journal: read.journal, whole }
  }

  it('writes the new file, records it in the journal, renames it into place and removes the journal, call by call', () => {
    const { dir, path, journal: journalPath } = snapshotFile()
    const { read, journal, whole } = folded(dir, journalPath)
    const { ops, trace } = recordingOps(dir)
    saveSnapshot(path, read.snapshot, journal, ops)
    const checkpoint = journalLine({ checkpoint: { sha256: sha256Of(path), seq: 1 } })
    expect(trace.filter((t) => !t.startsWith('write temporary'))).toEqual([
      'open temporary wx 644',
      'fchmod temporary 644',
      'fsync temporary',
      'open snapshot.json.journal a',
      `ftruncate snapshot.json.journal ${String(whole.length)}`,
      `write snapshot.json.journal 0 ${String(checkpoint.length)}`,
      'fsync snapshot.json.journal',
      'close snapshot.json.journal',
      'close temporary',
      'rename temporary snapshot.json',
      'open folder 0',
      'fsync folder',
      'close folder',
      'unlink snapshot.json.journal',
      'open folder 0',
      'fsync folder',
      'close folder',
    ])
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
    expect(bound(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual(['i-0'])
  })

  it('leaves a journal it cannot remove holding the new file\'s checkpoint, so that it replays nothing', () => {
    const { dir, path, journal: journalPath } = snapshotFile()
    const { read, journal, whole } = folded(dir, journalPath)
    const { ops } = recordingOps(dir, { fail: { at: 'unlink snapshot.json.journal', error: systemError('EACCES') } })
    expect(() => { saveSnapshot(path, read.snapshot, journal, ops) }).toThrow(new UsageError(`${journalPath}: saved ${path}, but cannot remove the journal: permission denied`))
    expect(readFileSync(journalPath)).toEqual(Buffer.concat([whole, journalLine({ checkpoint: { sha256: sha256Of(path), seq: 1 } })]))
    expect(readSnapshotFile(path).journal).toMatchObject({ seq: 1, changes: 0, torn: false })
  })

  it('leaves the file unchanged when the journal cannot record the new one', () => {
    const { dir, path, journal: journalPath } = snapshotFile()
    const before = readFileSync(path)
    const { read, journal } = folded(dir, journalPath)
    const { ops, trace } = recordingOps(dir, { fail: { at: 'fsync snapshot.json.journal', error: systemError('EIO', 'EIO: i/o error') } })
    expect(() => { saveSnapshot(path, read.snapshot, journal, ops) }).toThrow(new UsageError(`${journalPath}: cannot record the new snapshot in the journal: EIO: i/o error; ${path} is unchanged`))
    expect(trace.slice(-3)).toEqual(['close snapshot.json.journal', 'close temporary', 'unlink temporary'])
    expect(readFileSync(path)).toEqual(before)
    expect(readdirSync(dir).sort()).toEqual(['snapshot.json', 'snapshot.json.journal'])
  })
})

describe('saveLocked', () => {
  it('takes the lock, clears what killed writers left, folds the journal away and gives the lock back', () => {
    const { dir, path, journal, sha256 } = snapshotFile()
    writeFileSync(journal, journalOf(sha256, bind(1, 'i-0')))
    writeFileSync(join(dir, '.snapshot.json.0123456789ab.tmp'), 'left by a killed writer')
    saveLocked(path, readSnapshotFile(path).snapshot, 'havip snapshot')
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
    expect(bound(JSON.parse(readFileSync(path, 'utf8')) as SnapshotJson)).toEqual(['i-0'])
  })

  it('refuses a file another writer holds, and gives the lock back when the save fails', () => {
    const { dir, path, journal } = snapshotFile()
    const state = readSnapshotFile(path).snapshot
    const before = readFileSync(path)
    const lock = lockSnapshot(path, 'havip serve')
    expect(() => { saveLocked(path, state, 'havip snapshot') }).toThrow(/is in use: havip serve/)
    lock.release()
    writeFileSync(journal, 'garbage\n')
    expect(() => { saveLocked(path, state, 'havip snapshot') }).toThrow(/damaged at byte 0/)
    expect(readFileSync(path)).toEqual(before)
    expect(existsSync(`${path}.lock`)).toBe(false)
    expect(readdirSync(dir).sort()).toEqual(['snapshot.json', 'snapshot.json.journal'])
  })
})
