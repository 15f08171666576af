import { afterEach, describe, expect, it, vi } from 'vitest'
import { requestLog } from '../src/server/log.js'

const time = new Date(Date.UTC(2026, 10, 26, 3, 15, 0, 123))
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('the request log', () => {
  it('a line a request: an answer without an error code, or without an action, shows "-"', () => {
    const writes: Array<string> = []
    const log = requestLog((text) => { writes.push(text) })
    log.request({ time, method: 'GET', action: 'DescribeHaVips', status: 200, requestId: 'R1', ms: 1.26 })
    log.request({ time, method: '-', action: '', status: 400, code: 'MalformedRequest', requestId: 'R2', ms: 0 })
    log.flush()
    expect(writes).toEqual([
      '2026-11-26T03:15:00.123Z GET DescribeHaVips 200 - R1 1.3ms\n2026-11-26T03:15:00.123Z - - 400 MalformedRequest R2 0.0ms\n',
    ])
  })

  it('as JSON: a code only when there is one, milliseconds to three places', () => {
    const writes: Array<string> = []
    const log = requestLog((text) => { writes.push(text) }, 'json')
    log.request({ time, method: 'GET', action: 'DescribeHaVips', status: 200, requestId: 'R1', ms: 1.23456 })
    log.request({ time, method: 'POST', action: 'AssociateHaVip', status: 409, code: 'Conflict', requestId: 'R2', ms: 2 })
    log.flush()
    expect(writes.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2026-11-26T03:15:00.123Z', method: 'GET', action: 'DescribeHaVips', status: 200, requestId: 'R1', ms: 1.235 },
      { time: '2026-11-26T03:15:00.123Z', method: 'POST', action: 'AssociateHaVip', status: 409, code: 'Conflict', requestId: 'R2', ms: 2 },
    ])
  })

  it("the server's own lines: written once a turn of the event loop, whatever it noted in that turn, and nothing when there is nothing", async () => {
    const writes: Array<string> = []
    const log = requestLog((text) => { writes.push(text) })
    log.note('one')
    log.note('two')
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toEqual(['one\ntwo\n'])
    log.flush()
    await nextTurn()
    log.note('three')
    await nextTurn()
    expect(writes).toEqual(['one\ntwo\n', 'three\n'])
  })

  it('drops what cannot be written, and goes on', async () => {
    const writes: Array<string> = []
    let broken = true
    const log = requestLog((text) => {
      if (broken) throw new Error('EPIPE')
      writes.push(text)
    })
    log.note('lost')
    await nextTurn()
    broken = false
    log.note('kept')
    await nextTurn()
    expect(writes).toEqual(['kept\n'])
  })

  describe('request lines are written together', () => {
    afterEach(() => { vi.useRealTimers() })
    const entry = (requestId: string) => ({ time, method: 'GET', action: 'AssociateHaVip', status: 200, requestId, ms: 1 })

    it('requests of many turns of the event loop share one write, within 50 ms of the first', () => {
      vi.useFakeTimers()
      const writes: Array<string> = []
      const log = requestLog((text) => { writes.push(text) })
      log.request(entry('R1'))
      vi.advanceTimersByTime(20)
      log.request(entry('R2'))
      vi.advanceTimersByTime(29)
      expect(writes).toEqual([])
      vi.advanceTimersByTime(1)
      expect(writes.map((w) => w.split('\n').length - 1)).toEqual([2])
      log.request(entry('R3'))
      vi.advanceTimersByTime(50)
      expect(writes).toHaveLength(2)
    })

    it('past 64 KiB waiting, at once (in the next turn)', () => {
      vi.useFakeTimers()
      const writes: Array<string> = []
      const log = requestLog((text) => { writes.push(text) })
      const long = 'R'.repeat(1000)
      for (let i = 0; i < 60; i++) log.request(entry(`${long}${String(i)}`))
      vi.advanceTimersByTime(10)
      expect(writes).toEqual([])
      for (let i = 60; i < 70; i++) log.request(entry(`${long}${String(i)}`))
      expect(writes).toEqual([])
      vi.advanceTimersByTime(10)
      expect(writes.map((w) => w.split('\n').length - 1)).toEqual([70])
    })

    it("a note of the server's own goes out in the same turn, after the request lines that wait", async () => {
      const writes: Array<string> = []
      const log = requestLog((text) => { writes.push(text) })
      log.request(entry('R1'))
      log.note('compaction failed')
      expect(writes).toEqual([])
      await nextTurn()
      expect(writes).toHaveLength(1)
      expect(writes[0]).toMatch(/ R1 1\.0ms\ncompaction failed\n$/)
    })
  })
})
