import { describe, expect, it } from 'vitest'
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

  it('writes once a turn of the event loop, whatever it logged in that turn, and nothing when there is nothing', async () => {
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
})
