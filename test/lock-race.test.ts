import type { ChildProcess } from 'node:child_process'
import { fork } from 'node:child_process'
import { utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempFolder } from './support/temp.js'

const worker = new URL('./support/lock-worker.mjs', import.meta.url).pathname

const message = (child: ChildProcess): Promise<{ round?: number; got?: boolean; ready?: boolean }> =>
  new Promise((resolve) => child.once('message', resolve))

/** A lock left by a writer that is gone, each way one can be left. */
const staleLocks = [
  // A pid nobody has.
  (path: string) => { writeFileSync(path, JSON.stringify({ pid: 999_999_999, host: hostname(), command: 'havip serve', since: 'yesterday' })) },
  // A pid someone has, with another start time: reused.
  (path: string) => { writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), command: 'havip serve', since: 'yesterday', start: '1' })) },
  // Empty: its writer died making it, long ago.
  (path: string) => { writeFileSync(path, ''); utimesSync(path, new Date(0), new Date(0)) },
]

describe('a stale lock taken over by several processes at the same instant', () => {
  it('has one holder at most, in 300 races of three processes', async () => {
    const folder = tempFolder('havip-lock-race-')
    const takers = Array.from({ length: 3 }, () => fork(worker, [], { stdio: 'ignore' }))
    try {
      await Promise.all(takers.map(message))
      const holders: Array<number> = []
      for (let round = 0; round < 300; round++) {
        const target = join(folder, `snapshot-${String(round)}.json`)
        staleLocks[round % staleLocks.length]?.(`${target}.lock`)
        const answers = takers.map(message)
        const at = Date.now() + 3
        for (const t of takers) t.send({ round, target, at })
        holders.push((await Promise.all(answers)).filter((a) => a.got === true).length)
      }
      const races = holders.length
      expect({ races, twoOrMore: holders.filter((n) => n > 1).length, none: holders.filter((n) => n === 0).length }).toEqual({ races: 300, twoOrMore: 0, none: 0 })
    } finally {
      for (const t of takers) t.kill()
    }
  }, 60_000)
})
