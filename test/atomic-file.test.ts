import { chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AtomicFile, nodeFileOps, syncFolder, syncFolderInBackground, writeAll, writeFileAtomic } from '../src/io/atomic-file.js'
import { errorCode, fsReason, UsageError } from '../src/io/usage-error.js'
import type { Failure } from './support/recording-ops.js'
import { openFiles, recordingOps, systemError } from './support/recording-ops.js'
import { tempFolder } from './support/temp.js'

const root = process.getuid?.() === 0

/** A folder with `snapshot.json` holding `original`, mode 640. */
const original = (): { readonly dir: string; readonly path: string } => {
  const dir = tempFolder('havip-atomic-')
  const path = join(dir, 'snapshot.json')
  writeFileSync(path, 'original', { mode: 0o640 })
  return { dir, path }
}

const written = [
  'open temporary wx 640',
  'fchmod temporary 640',
  'write temporary 0 2',
  'write temporary 0 3',
  'fsync temporary',
  'close temporary',
  'rename temporary snapshot.json',
  'open folder 0',
  'fsync folder',
  'close folder',
]

describe('writeFileAtomic, call by call', () => {
  it('creates the temporary file exclusively with the mode of the file it replaces, writes, flushes, renames, flushes the folder', () => {
    const { dir, path } = original()
    const { ops, trace } = recordingOps(dir)
    const before = openFiles()
    expect(writeFileAtomic(path, ['ab', Buffer.from('cde')], ops)).toBe(path)
    expect(trace).toEqual(written)
    expect(readFileSync(path, 'utf8')).toBe('abcde')
    expect(statSync(path).mode & 0o777).toBe(0o640)
    expect(openFiles()).toBe(before)
  })

  it('creates a new file with the default mode, and nothing to keep', () => {
    const dir = tempFolder('havip-atomic-')
    const { ops, trace } = recordingOps(dir)
    writeFileAtomic(join(dir, 'snapshot.json'), ['é'], ops)
    expect(trace).toEqual(['open temporary wx 666', 'write temporary 0 2', 'fsync temporary', 'close temporary', 'rename temporary snapshot.json', 'open folder 0', 'fsync folder', 'close folder'])
    expect(readFileSync(join(dir, 'snapshot.json'), 'utf8')).toBe('é')
  })

  it('continues each short write where the last one stopped', () => {
    const { dir, path } = original()
    const { ops, trace } = recordingOps(dir, { maxWrite: 1000 })
    writeFileAtomic(path, ['z'.repeat(2500)], ops)
    expect(trace.filter((t) => t.startsWith('write'))).toEqual(['write temporary 0 2500', 'write temporary 1000 1500', 'write temporary 2000 500'])
    expect(readFileSync(path, 'utf8')).toBe('z'.repeat(2500))
  })

  it.runIf(root)('gives the new file the owner and group of the one it replaces, when either differs', () => {
    for (const [uid, gid] of [[4321, 4321], [4321, 0], [0, 4321]] as const) {
      const { dir, path } = original()
      chownSync(path, uid, gid)
      const { ops, trace } = recordingOps(dir)
      writeFileAtomic(path, ['new'], ops)
      expect(trace.slice(0, 3)).toEqual(['open temporary wx 640', 'fchmod temporary 640', `fchown temporary ${String(uid)} ${String(gid)}`])
      expect([statSync(path).uid, statSync(path).gid]).toEqual([uid, gid])
    }
  })

  it.runIf(root)('keeps its own owner where it may not give the file away', () => {
    const { dir, path } = original()
    chownSync(path, 4321, 4321)
    const { ops, trace } = recordingOps(dir, { fail: { at: 'fchown temporary 4321 4321', error: systemError('EPERM') } })
    writeFileAtomic(path, ['new'], ops)
    expect(trace).toContain('rename temporary snapshot.json')
    expect(readFileSync(path, 'utf8')).toBe('new')
  })

  const failures: ReadonlyArray<readonly [Failure, string, ReadonlyArray<string>]> = [
    [{ at: 'open temporary wx 640', error: systemError('EACCES') }, 'cannot create the file: permission denied', ['open temporary wx 640', 'unlink temporary']],
    [{ at: 'fchmod temporary 640', error: systemError('EPERM') }, 'cannot keep the mode of the file: permission denied', ['open temporary wx 640', 'fchmod temporary 640', 'close temporary', 'unlink temporary']],
    [{ at: 'write temporary 0 2', error: systemError('ENOSPC') }, 'cannot write the file: no space left on the device', [...written.slice(0, 3), 'close temporary', 'unlink temporary']],
    [{ at: 'write temporary 0 3', written: 0 }, 'cannot write the file: no space left on the device', [...written.slice(0, 4), 'close temporary', 'unlink temporary']],
    [{ at: 'fsync temporary', error: systemError('EIO', 'EIO: i/o error, fsync') }, 'cannot flush the file: EIO: i/o error, fsync', [...written.slice(0, 5), 'close temporary', 'unlink temporary']],
    [{ at: 'close temporary', error: systemError('EIO', 'EIO: i/o error, close') }, 'cannot close the file: EIO: i/o error, close', [...written.slice(0, 6), 'close temporary', 'unlink temporary']],
    [{ at: 'rename temporary snapshot.json', error: systemError('EXDEV', 'EXDEV: cross-device link') }, 'cannot replace the file: EXDEV: cross-device link', [...written.slice(0, 7), 'unlink temporary']],
  ]

  it.each(failures.map(([fail, why, trace]) => ({ at: fail.at, fail, why, trace })))('when $at fails, says which step failed and why, removes the temporary file and closes what it opened', ({ fail, why, trace }) => {
    const { dir, path } = original()
    const recorded = recordingOps(dir, { fail })
    const before = openFiles()
    expect(() => writeFileAtomic(path, ['ab', Buffer.from('cde')], recorded.ops)).toThrow(new UsageError(`${path}: ${why}; it is unchanged`))
    expect(recorded.trace).toEqual(trace)
    expect(readFileSync(path, 'utf8')).toBe('original')
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
    expect(openFiles()).toBe(before)
  })

  it('says the change may not survive a power cut when the folder cannot be flushed, and takes an unflushable folder as flushed', () => {
    for (const [fail, outcome] of [
      [{ at: 'open folder 0', error: systemError('EMFILE', 'EMFILE: too many open files') }, 'EMFILE: too many open files'],
      [{ at: 'fsync folder', error: systemError('EIO', 'EIO: i/o error') }, 'EIO: i/o error'],
      [{ at: 'fsync folder', error: systemError('EINVAL') }, undefined],
      [{ at: 'fsync folder', error: systemError('EISDIR') }, undefined],
    ] as const) {
      const { dir, path } = original()
      const recorded = recordingOps(dir, { fail })
      const before = openFiles()
      const write = (): string => writeFileAtomic(path, ['ab', Buffer.from('cde')], recorded.ops)
      if (outcome === undefined) expect(write()).toBe(path)
      else expect(write).toThrow(new UsageError(`${path}: replaced, but its folder cannot be flushed: ${outcome}; a power cut may undo the change`))
      expect(recorded.trace).toEqual(fail.at === 'open folder 0' ? written.slice(0, 8) : written)
      expect(readFileSync(path, 'utf8')).toBe('abcde')
      expect(openFiles()).toBe(before)
    }
  })

  it('gives up the file when making a piece fails, whatever was thrown', () => {
    const throwing = function* (thrown: unknown): Iterable<string> {
      yield 'a'
      throw thrown
    }
    for (const [thrown, why] of [[new RangeError('Maximum call stack size exceeded'), 'Maximum call stack size exceeded'], ['a string', 'a string']] as const) {
      const { dir, path } = original()
      const recorded = recordingOps(dir)
      expect(() => writeFileAtomic(path, throwing(thrown), recorded.ops)).toThrow(new UsageError(`${path}: cannot write the file: ${why}; it is unchanged`))
      expect(recorded.trace).toEqual(['open temporary wx 640', 'fchmod temporary 640', 'write temporary 0 1', 'close temporary', 'unlink temporary'])
      expect(readdirSync(dir)).toEqual(['snapshot.json'])
    }
  })
})

describe('AtomicFile', () => {
  it('refuses to be used once replaced, and then has nothing to close when given up', () => {
    const { dir, path } = original()
    const recorded = recordingOps(dir)
    const file = new AtomicFile(path, recorded.ops)
    file.commit()
    const closed = new UsageError(`${path}: the file is already closed`)
    expect(() => { file.write('x') }).toThrow(closed)
    expect(() => { file.flush() }).toThrow(closed)
    expect(() => { file.replace() }).toThrow(closed)
    recorded.trace.length = 0
    file.abort()
    expect(recorded.trace).toEqual(['unlink temporary'])
  })

  it('writes, flushes and replaces off the event loop, call by call', async () => {
    const { dir, path } = original()
    const { ops, trace } = recordingOps(dir, { maxWrite: 3 })
    const file = new AtomicFile(path, ops)
    await file.writeInBackground(Buffer.from('abcdefg'))
    await file.flushInBackground()
    await file.replaceInBackground()
    expect(trace).toEqual([
      'open temporary wx 640',
      'fchmod temporary 640',
      'write in background temporary 0 7',
      'write in background temporary 3 4',
      'write in background temporary 6 1',
      'fsync in background temporary',
      'close temporary',
      'rename temporary snapshot.json',
      'open folder 0',
      'fsync in background folder',
      'close folder',
    ])
    expect(readFileSync(path, 'utf8')).toBe('abcdefg')
    await expect(file.writeInBackground(Buffer.from('x'))).rejects.toThrow(new UsageError(`${path}: the file is already closed`))
    await expect(file.flushInBackground()).rejects.toThrow(new UsageError(`${path}: the file is already closed`))
  })

  const background: ReadonlyArray<readonly [Failure, string]> = [
    [{ at: 'write in background temporary 0 7', error: systemError('EIO', 'EIO: i/o error, write') }, 'cannot write the file: EIO: i/o error, write; it is unchanged'],
    [{ at: 'write in background temporary 0 7', written: 0 }, 'cannot write the file: no space left on the device; it is unchanged'],
    [{ at: 'fsync in background temporary', error: systemError('EIO', 'EIO: i/o error') }, 'cannot flush the file: EIO: i/o error; it is unchanged'],
    [{ at: 'open folder 0', error: systemError('EMFILE', 'EMFILE: too many open files') }, 'replaced, but its folder cannot be flushed: EMFILE: too many open files; a power cut may undo the change'],
    [{ at: 'fsync in background folder', error: systemError('EIO', 'EIO: i/o error') }, 'replaced, but its folder cannot be flushed: EIO: i/o error; a power cut may undo the change'],
  ]

  it.each(background.map(([fail, why]) => ({ at: fail.at, fail, why })))('off the event loop, when $at fails, says so and cleans up', async ({ fail, why }) => {
    const { dir, path } = original()
    const { ops, trace } = recordingOps(dir, { fail })
    const before = openFiles()
    const file = new AtomicFile(path, ops)
    const steps = async (): Promise<void> => {
      await file.writeInBackground(Buffer.from('abcdefg'))
      await file.flushInBackground()
      await file.replaceInBackground()
    }
    await expect(steps()).rejects.toThrow(new UsageError(`${path}: ${why}`))
    expect(openFiles()).toBe(before)
    const replaced = why.startsWith('replaced')
    expect(readFileSync(path, 'utf8')).toBe(replaced ? 'abcdefg' : 'original')
    expect(trace.at(-1)).toBe(replaced ? fail.at === 'open folder 0' ? 'open folder 0' : 'close folder' : 'unlink temporary')
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
  })

  it('takes a folder that cannot be flushed as flushed, off the event loop too', async () => {
    for (const code of ['EINVAL', 'EISDIR']) {
      const { dir } = original()
      const { ops, trace } = recordingOps(dir, { fail: { at: 'fsync in background folder', error: systemError(code) } })
      await syncFolderInBackground(dir, ops)
      expect(trace).toEqual(['open folder 0', 'fsync in background folder', 'close folder'])
    }
  })
})

describe('syncFolder and writeAll', () => {
  it('passes on any other failure to flush a folder, and closes it', () => {
    for (const thrown of [systemError('EIO'), 'EINVAL', null, { code: 'EPERM' }]) {
      const { dir } = original()
      const { ops, trace } = recordingOps(dir, { fail: { at: 'fsync folder', error: thrown } })
      expect(() => { syncFolder(dir, ops) }).toThrow()
      expect(trace).toEqual(['open folder 0', 'fsync folder', 'close folder'])
    }
  })

  it('fails a write that makes no progress as a full disk', () => {
    let thrown: unknown
    try {
      writeAll({ ...nodeFileOps, writeSync: () => 0 }, 99, Buffer.from('x'))
    } catch (e) {
      thrown = e
    }
    expect(errorCode(thrown)).toBe('ENOSPC')
    expect(fsReason(thrown)).toBe('no space left on the device')
  })
})

describe('errorCode and fsReason', () => {
  it('read the code of a system error only', () => {
    expect([systemError('ENOENT'), { code: 'EEXIST' }, { code: 5 }, {}, 'ENOENT', null, undefined, 7].map(errorCode))
      .toEqual(['ENOENT', 'EEXIST', undefined, undefined, undefined, undefined, undefined, undefined])
  })
})
