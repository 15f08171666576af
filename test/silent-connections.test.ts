import type { Socket } from 'node:net'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { ServeOptions } from '../src/server/app.js'
import { serve } from '../src/server/app.js'
import { memoryStore } from '../src/server/store.js'
import { load } from './support/snapshots.js'

const start = async (options: Partial<ServeOptions>) => {
  const app = serve({ store: memoryStore(load({ Region: 'cn-beijing' })), ...options })
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  return { app, port: (app.server.address() as AddressInfo).port }
}

/** A connection that never sends a byte; resolves once it is open, with a promise of its closing. */
const silentOne = (port: number): Promise<{ socket: Socket; closed: Promise<void> }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    const closed = new Promise<void>((done) => socket.once('close', () => { done() }))
    socket.once('connect', () => { resolve({ socket, closed }) })
    socket.once('error', reject)
  })

const describeOnce = async (port: number): Promise<number> =>
  (await fetch(`http://127.0.0.1:${String(port)}/?Action=DescribeHaVips&Version=2020-04-01`)).status

describe('connections that never send a byte', () => {
  it('are closed once the header deadline passes', async () => {
    const { app, port } = await start({ headersTimeoutMs: 200 })
    const silent = await Promise.all(Array.from({ length: 50 }, () => silentOne(port)))
    await Promise.all(silent.map((s) => s.closed))
    expect(await describeOnce(port)).toBe(200)
    await app.close()
  })

  it('past the limit, the oldest is closed: 300 of them leave every normal request answered', async () => {
    const { app, port } = await start({ maxSilentConnections: 100 })
    const silent: Array<{ socket: Socket; closed: Promise<void> }> = []
    for (let i = 0; i < 300; i++) silent.push(await silentOne(port))
    // The 200 oldest were closed as the newer ones came.
    await Promise.all(silent.slice(0, 200).map((s) => s.closed))
    const statuses = await Promise.all(Array.from({ length: 20 }, () => describeOnce(port)))
    expect(statuses).toEqual(Array(20).fill(200))
    for (const s of silent) s.socket.destroy()
    await app.close()
  })

  it('count as idle on shutdown: close does not wait the grace for them', async () => {
    const { app, port } = await start({})
    const silent = await Promise.all(Array.from({ length: 20 }, () => silentOne(port)))
    // A grace far longer than the test's timeout: closing must not wait for it.
    await app.close(3_600_000)
    await Promise.all(silent.map((s) => s.closed))
  })
})
