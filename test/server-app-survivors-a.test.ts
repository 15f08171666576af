import { readFileSync, writeSync } from 'node:fs'
import type { AddressInfo, Socket } from 'node:net'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { HavipServer, ServeOptions } from '../src/server/app.js'
import { serve } from '../src/server/app.js'
import type { RequestLog } from '../src/server/log.js'
import type { Store } from '../src/server/store.js'
import { durableStore, memoryStore } from '../src/server/store.js'
import type { JournalIo } from '../src/journal/writer.js'
import { nodeJournalIo } from '../src/journal/writer.js'
import { snapshotFile } from './support/server.js'
import { load, oneHaVipAccount } from './support/snapshots.js'

// What a client or an operator sees of the HTTP layer of `havip serve` (src/server/app.ts): the
// envelope of a refusal, the words for a request node:http cannot parse, what happens to
// connections that have sent nothing yet, and the asynchronous mode saved at start.

const running: Array<HavipServer> = []
const clients: Array<Socket> = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await Promise.all(running.splice(0).map((app) => app.close(100)))
})

const listen = async (options: Partial<ServeOptions> & { readonly store: Store }) => {
  const app = serve(options)
  running.push(app)
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  return { app, port: (app.server.address() as AddressInfo).port }
}

const inMemory = (options: Partial<ServeOptions> = {}) => listen({ store: memoryStore(load(oneHaVipAccount(2))), ...options })

/** A journal on a disk that is full: every write fails. */
const fullDisk: JournalIo = {
  ...nodeJournalIo,
  writeSync: (fd, data, offset, length, position) => {
    writeSync(fd, data, offset, Math.floor(length / 2), position)
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  },
}

interface Envelope {
  readonly ResponseMetadata: { readonly Action: string; readonly Version: string; readonly Error?: { readonly Code: string; readonly Message: string } }
}

/** A client connection that sends nothing (closed after the test). */
const opened = (port: number): Socket => {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  clients.push(socket)
  return socket
}

/** Whatever the server sends on this connection until it closes it. */
const received = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let out = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => { out += d })
    socket.once('close', () => { resolve(out) })
  })

/** Sends these bytes as they are on a connection of its own; the status line and the JSON answered. */
const raw = async (port: number, text: string): Promise<{ readonly status: number; readonly json: Envelope }> => {
  const socket = opened(port)
  const answer = received(socket)
  socket.end(text)
  const [head = '', body = ''] = (await answer).split('\r\n\r\n', 2)
  return { status: Number(head.split(' ')[1]), json: JSON.parse(body) as Envelope }
}

const get = async (port: number, target: string): Promise<{ readonly status: number; readonly json: Envelope }> => {
  const res = await fetch(`http://127.0.0.1:${String(port)}${target}`)
  return { status: res.status, json: await res.json() as Envelope }
}

const notes = (): RequestLog & { readonly lines: Array<string> } => {
  const lines: Array<string> = []
  return { lines, request: () => undefined, note: (text) => { lines.push(text) }, flush: () => undefined }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('the envelope of a refusal names the request\'s Action and Version, as far as they were read', () => {
  it('a path other than / was read no further: Action and Version are empty', async () => {
    const { port } = await inMemory()
    const r = await get(port, '/elsewhere?Action=DescribeHaVips&Version=2020-04-01')
    expect([r.status, r.json.ResponseMetadata.Error?.Code]).toEqual([404, 'InvalidPath'])
    expect([r.json.ResponseMetadata.Action, r.json.ResponseMetadata.Version]).toEqual(['', ''])
  })

  it('a request a fault rule refuses keeps its Action and Version', async () => {
    const { app, port } = await inMemory()
    app.control?.faults.add({ action: 'DescribeHaVips', effect: 'error', code: 'Throttling' })
    const r = await get(port, '/?Action=DescribeHaVips&Version=2020-04-01')
    expect(r.json.ResponseMetadata.Error?.Code).toBe('Throttling')
    expect([r.json.ResponseMetadata.Action, r.json.ResponseMetadata.Version]).toEqual(['DescribeHaVips', '2020-04-01'])
  })
})

describe('drop-after, when the change cannot be saved', () => {
  it('answers the InternalError instead of closing the connection: nothing happened that a retry could repeat', async () => {
    const { app, port } = await listen({ store: durableStore(snapshotFile(oneHaVipAccount(2)), { journalIo: fullDisk }) })
    app.control?.faults.add({ action: 'AssociateHaVip', effect: 'drop-after' })
    const r = await get(port, '/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-0')
    expect([r.status, r.json.ResponseMetadata.Error?.Code]).toEqual([500, 'InternalError'])
    expect(app.control?.trace.list().map((e) => [e.status, e.fault, e.dropped === true])).toEqual([[500, 0, false]])
  })
})

describe('what node:http cannot parse, in words', () => {
  it('two Content-Length headers: its Content-Length or Transfer-Encoding is not valid', async () => {
    const { port } = await inMemory()
    const r = await raw(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx')
    expect([r.status, r.json.ResponseMetadata.Error?.Code]).toEqual([400, 'MalformedRequest'])
    expect(r.json.ResponseMetadata.Error?.Message).toContain('The request could not be read: its Content-Length or Transfer-Encoding is not valid, or it has both.')
  })

  it('any other parse error (a header line that starts with a space): not a well-formed HTTP/1.1 request', async () => {
    const { port } = await inMemory()
    const r = await raw(port, 'GET / HTTP/1.1\r\n Host: a\r\n\r\n')
    expect([r.status, r.json.ResponseMetadata.Error?.Code]).toEqual([400, 'MalformedRequest'])
    expect(r.json.ResponseMetadata.Error?.Message).toContain('The request could not be read: it is not a well-formed HTTP/1.1 request.')
  })
})

describe('the asynchronous mode set at start', () => {
  it('is not saved again when the snapshot already holds it: the journal stays empty', async () => {
    const store = durableStore(snapshotFile({ ...oneHaVipAccount(2), AsyncSteps: 2 }))
    const { app } = await listen({ store, asyncSteps: 2 })
    await app.ready
    expect(app.control?.health().journal).toEqual({ records: 0 })
    expect(app.control?.health().asyncSteps).toBe(2)
  })

  it('that cannot be saved (a full disk) says so in the log', async () => {
    const log = notes()
    const store = durableStore(snapshotFile(oneHaVipAccount(2)), { journalIo: fullDisk })
    const { app } = await listen({ store, asyncSteps: 3, log })
    await expect(app.ready).rejects.toThrow('ENOSPC')
    await nextTurn()
    expect(log.lines).toEqual(['havip serve: the asynchronous mode could not be saved: ENOSPC: no space left on device, write'])
  })

  it('that cannot be saved, without a log, is no crash: the server goes on answering', async () => {
    const unhandled: Array<unknown> = []
    const onUnhandled = (e: unknown): void => { unhandled.push(e) }
    process.on('unhandledRejection', onUnhandled)
    try {
      const store = durableStore(snapshotFile(oneHaVipAccount(2)), { journalIo: fullDisk })
      const { app, port } = await listen({ store, asyncSteps: 3 })
      await expect(app.ready).rejects.toThrow('ENOSPC')
      await nextTurn()
      await nextTurn()
      expect(unhandled).toEqual([])
      expect((await get(port, '/?Action=DescribeHaVips&Version=2020-04-01')).status).toBe(200)
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})

/** The server's end of each connection, in the order it arrived (seen after the server's own listener). */
const arrivals = (app: HavipServer) => {
  const sockets: Array<Socket> = []
  const waiting: Array<{ readonly n: number; readonly resolve: () => void }> = []
  const checks = new Map<number, () => void>()
  app.server.on('connection', (socket: Socket) => {
    sockets.push(socket)
    checks.get(sockets.length)?.()
    for (const w of waiting.filter((x) => x.n <= sockets.length)) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve()
    }
  })
  return {
    sockets,
    /** Resolves once `n` connections have arrived. */
    count: (n: number): Promise<void> => sockets.length >= n ? Promise.resolve() : new Promise((resolve) => { waiting.push({ n, resolve }) }),
    /** Runs `check` as the `n`-th connection arrives, right after the server saw it. */
    at: (n: number, check: () => void): void => { checks.set(n, check) },
  }
}

describe('connections that have sent nothing yet', () => {
  it('one that closed no longer counts: the oldest still open stays open', async () => {
    const { app, port } = await inMemory({ maxSilentConnections: 2 })
    const seen = arrivals(app)
    opened(port)
    await seen.count(1)
    const second = opened(port)
    await seen.count(2)
    const secondClosed = new Promise((resolve) => seen.sockets[1]?.once('close', resolve))
    second.destroy()
    await secondClosed
    let oldestDestroyed: boolean | undefined
    seen.at(3, () => { oldestDestroyed = seen.sockets[0]?.destroyed })
    opened(port)
    await seen.count(3)
    expect(oldestDestroyed).toBe(false)
  })

  it('one that sent part of its headers is left to node:http\'s deadline, which answers 408', async () => {
    // node:http looks for late headers once a second; the server's own deadline for a silent connection falls between two looks.
    const { app, port } = await inMemory({ headersTimeoutMs: 500 })
    const seen = arrivals(app)
    const client = opened(port)
    const answer = received(client)
    client.write('GET /?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\nHost: a\r\n')
    const text = await answer
    expect(seen.sockets).toHaveLength(1)
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout')
    expect(text).toContain('"Code":"RequestTimeout"')
  })

  it('on shutdown, one that sent part of its request may finish it and is answered', async () => {
    const { app, port } = await inMemory()
    const seen = arrivals(app)
    const client = opened(port)
    const answer = received(client)
    client.write('GET /?Action=DescribeHaVips&Version=2020-04-01 HTTP/1.1\r\n')
    await seen.count(1)
    const server = seen.sockets[0]
    // Wait until the server has read those bytes: the connection is then no longer silent.
    while (server !== undefined && server.bytesRead === 0) await nextTurn()
    const closed = app.close(600_000)
    client.end('Host: a\r\n\r\n')
    const text = await answer
    await closed
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
    expect(text).toContain('"Action":"DescribeHaVips"')
  })
})

/** The soft limit on open files of this process, when the system says it (Linux). */
const openFileLimit = (): number | undefined => {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))
    return m?.[1] === undefined ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}
const softLimit = openFileLimit()
// The documented default: half the open-file limit, at least 64 and at most 4096.
const defaultSilent = softLimit === undefined ? 512 : Math.min(4096, Math.max(64, Math.floor(softLimit / 2)))
// Both ends of every connection are in this process: it needs twice as many descriptors, and some to spare.
const roomForBothEnds = softLimit !== undefined && softLimit >= 2 * defaultSilent + 512

describe('how many connections may have sent nothing, by default', () => {
  it.skipIf(!roomForBothEnds)('half the open-file limit (64 to 4096): the oldest is closed only when one more arrives', async () => {
    const { app, port } = await inMemory()
    const seen = arrivals(app)
    const oldestAt: Array<boolean | undefined> = []
    seen.at(defaultSilent, () => { oldestAt.push(seen.sockets[0]?.destroyed) })
    seen.at(defaultSilent + 1, () => { oldestAt.push(seen.sockets[0]?.destroyed, seen.sockets[1]?.destroyed) })
    // In batches the listen queue can hold.
    for (let n = 0; n < defaultSilent + 1;) {
      const batch = Math.min(200, defaultSilent + 1 - n)
      for (let i = 0; i < batch; i++) opened(port)
      n += batch
      await seen.count(n)
    }
    // At the limit, the oldest is still open; one past it, the oldest (and only it) is closed.
    expect(oldestAt).toEqual([false, true, false])
  })
})

describe('a bad character in a header\'s value', () => {
  it('is a malformed header line (node:http calls it an invalid header token)', async () => {
    const { port } = await inMemory()
    const r = await raw(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Note: a\u0001b\r\n\r\n')
    expect([r.status, r.json.ResponseMetadata.Error?.Code]).toEqual([400, 'MalformedRequest'])
    expect(r.json.ResponseMetadata.Error?.Message).toBe('The request could not be read: a header line is malformed.')
  })
})
