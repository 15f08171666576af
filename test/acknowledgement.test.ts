import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { JournalIo } from '../src/journal/writer.js'
import { nodeJournalIo } from '../src/journal/writer.js'
import type { HavipServer } from '../src/server/app.js'
import { serve } from '../src/server/app.js'
import type { Store } from '../src/server/store.js'
import { durableStore } from '../src/server/store.js'
import { savedJson, snapshotFile } from './support/server.js'
import { oneHaVipAccount } from './support/snapshots.js'

// docs/endpoint.md, "State and durability": a change is flushed before its answer is sent; an answer
// that saw a change waits for that change to be durable, and fails with it. The journal's flushes
// are held here, so that what is answered meanwhile can be seen, without timing anything.

/** Journal calls that write down each flush, and hold the ones made off the event loop until released. */
const holdingIo = (events: Array<string>) => {
  const held: Array<(e: NodeJS.ErrnoException | null) => void> = []
  const io: JournalIo = {
    ...nodeJournalIo,
    fdatasyncSync: (fd) => {
      events.push('flush in place')
      nodeJournalIo.fdatasyncSync(fd)
    },
    fdatasync: (fd, done) => {
      events.push('flush held')
      held.push((e) => { if (e === null) nodeJournalIo.fdatasync(fd, done); else done(e) })
    },
  }
  /** Lets the oldest held flush go on: done, or failed with `e`. */
  const release = (e: NodeJS.ErrnoException | null = null): void => {
    const next = held.shift()
    if (next === undefined) throw new Error('no flush is held')
    events.push(e === null ? 'flush released' : 'flush failed')
    next(e)
  }
  stillHeld.push(held)
  return { io, release, heldCount: () => held.length }
}

// Flushes a failed test left held: let go before the server is closed, which waits for them.
const stillHeld: Array<Array<(e: NodeJS.ErrnoException | null) => void>> = []

interface Answer {
  readonly status: number
  readonly body: { readonly ResponseMetadata: { readonly Error?: { readonly Code: string } }; readonly Result?: Record<string, unknown> }
}

/** One request on its own connection. */
const get = (port: number, params: Readonly<Record<string, string>>): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const query = new URLSearchParams({ Version: '2020-04-01', ...params }).toString()
    const req = request({ host: '127.0.0.1', port, path: `/?${query}`, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'] }) })
    })
    req.on('error', reject)
    req.end()
  })

/** The next turn of the event loop: every promise reaction of this one has run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const associate = (instance: string) => ({ Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: instance })
const describeHaVip = { Action: 'DescribeHaVips', 'HaVipIds.1': 'havip-1' }
const boundIn = (a: Answer): unknown => (a.body.Result?.HaVips as ReadonlyArray<{ AssociatedInstanceIds: unknown }> | undefined)?.[0]?.AssociatedInstanceIds

/** A request's parameters, as the server reads them. */
const paramsOf = (params: Readonly<Record<string, string>>) => new Map(Object.entries({ Version: '2020-04-01', ...params }))

/** Binds i-0 and i-1 in one turn, as two requests that arrive together: one flush for both, off the event loop (held). */
const twoInOneTurn = async (store: Store) => {
  const first = store.submit(paramsOf(associate('i-0')), 'first')
  const second = store.submit(paramsOf(associate('i-1')), 'second')
  await nextTurn()
  return { first, second }
}

let running: HavipServer | undefined
afterEach(async () => {
  for (const held of stillHeld.splice(0)) for (const go of held.splice(0)) go(null)
  await running?.close()
  running = undefined
})

/**
 * A server on a snapshot file whose journal flushes through `io`; `events` gets a line when a
 * request is applied (`applied ACTION INSTANCE`) and when an answer leaves (`answer ACTION INSTANCE`).
 */
const start = async (io: JournalIo, events: Array<string>) => {
  const snapshotPath = snapshotFile(oneHaVipAccount(6))
  const store = durableStore(snapshotPath, { journalIo: io })
  const noted = new Map<string, () => void>()
  const nameOf = (action: string | undefined, instance: string | undefined): string => `${action ?? '-'}${instance === undefined ? '' : ` ${instance}`}`
  const watched: Store = {
    ...store,
    submit: (params, requestId, options) => {
      const submitted = store.submit(params, requestId, options)
      const name = nameOf(params.get('Action'), params.get('InstanceId'))
      events.push(`applied ${name}`)
      noted.get(name)?.()
      return submitted
    },
  }
  const app = serve({ store: watched, control: false })
  // Before the server's own listener: the answer's headers are seen whenever they are written.
  app.server.prependListener('request', (req, res) => {
    const params = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
    const writeHead = res.writeHead.bind(res) as (...args: Array<unknown>) => typeof res
    res.writeHead = ((...args: Array<unknown>) => {
      events.push(`answer ${nameOf(params.get('Action') ?? undefined, params.get('InstanceId') ?? undefined)}`)
      return writeHead(...args)
    })
  })
  running = app
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  const port = (app.server.address() as AddressInfo).port
  /** Sends a request; resolves once the server has applied it, with the answer still to come. */
  const send = async (params: Readonly<Record<string, string>>): Promise<{ readonly answer: Promise<Answer> }> => {
    const name = nameOf(params.Action, params.InstanceId)
    const applied = new Promise<void>((resolve) => noted.set(name, resolve))
    const answer = get(port, params)
    await applied
    return { answer }
  }
  return { store, send, snapshotPath, port }
}

describe('an answer waits for the flush of every change it saw', () => {
  it('a lone change is flushed in place, then answered', async () => {
    const events: Array<string> = []
    const { io } = holdingIo(events)
    const { send, snapshotPath } = await start(io, events)
    const answered = await (await send(associate('i-0'))).answer
    expect(answered.status).toBe(200)
    expect(events).toEqual(['applied AssociateHaVip i-0', 'flush in place', 'answer AssociateHaVip i-0'])
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0'])
  })

  it('a lone change whose flush fails is answered InternalError and undone; a read after it does not see it', async () => {
    const events: Array<string> = []
    let failing = true
    const io: JournalIo = {
      ...nodeJournalIo,
      fdatasyncSync: (fd) => {
        if (failing) {
          failing = false
          throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
        }
        nodeJournalIo.fdatasyncSync(fd)
      },
    }
    const { send, snapshotPath } = await start(io, events)
    const refused = await (await send(associate('i-0'))).answer
    expect(refused.status).toBe(500)
    expect(refused.body.ResponseMetadata.Error?.Code).toBe('InternalError')
    const read = await (await send(describeHaVip)).answer
    expect(boundIn(read)).toEqual([])
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual([])
  })

  it('changes applied while a group flush is on its way are answered only after their own flush, a read among them too', async () => {
    const events: Array<string> = []
    const { io, release, heldCount } = holdingIo(events)
    const { store, send, snapshotPath } = await start(io, events)
    // Two changes applied in one turn, as two requests that arrive together are: one flush, off the loop.
    const { first, second } = await twoInOneTurn(store)
    expect(heldCount()).toBe(1)
    // Meanwhile two clients change, one reads: applied at once, in order, each to the state the previous one left.
    const c2 = await send(associate('i-2'))
    const c3 = await send(associate('i-3'))
    const read = await send(describeHaVip)
    await nextTurn()
    expect(events.filter((e) => e.startsWith('answer'))).toEqual([])
    // The first flush done: the two waiting changes go out together, in a flush of their own, held too.
    release()
    await Promise.all([first.durable, second.durable])
    await nextTurn()
    expect(heldCount()).toBe(1)
    expect(events.filter((e) => e.startsWith('answer'))).toEqual([])
    release()
    const answers = await Promise.all([c2.answer, c3.answer, read.answer])
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    // The read saw both changes, and was answered once they were on the disk.
    expect(boundIn(answers[2])).toEqual(['i-0', 'i-1', 'i-2', 'i-3'])
    expect(events).toEqual([
      'flush held',
      'applied AssociateHaVip i-2', 'applied AssociateHaVip i-3', 'applied DescribeHaVips',
      'flush released', 'flush held', 'flush released',
      'answer AssociateHaVip i-2', 'answer AssociateHaVip i-3', 'answer DescribeHaVips',
    ])
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1', 'i-2', 'i-3'])
  })

  it('a read that saw a change waits for its single flush, in place, and then answers with it', async () => {
    const events: Array<string> = []
    const { io, release } = holdingIo(events)
    const { store, send } = await start(io, events)
    const { first } = await twoInOneTurn(store)
    const c2 = await send(associate('i-2'))
    const read = await send(describeHaVip)
    await nextTurn()
    expect(events.filter((e) => e.startsWith('answer'))).toEqual([])
    release()
    await first.durable
    const [change, seen] = await Promise.all([c2.answer, read.answer])
    expect(change.status).toBe(200)
    expect(boundIn(seen)).toEqual(['i-0', 'i-1', 'i-2'])
    expect(events.slice(3)).toEqual(['flush released', 'flush in place', 'answer AssociateHaVip i-2', 'answer DescribeHaVips'])
  })

  it('a group flush that fails: every change in it, a read that saw them and a change queued behind, answered InternalError; the state as it was, numbers without a gap', async () => {
    const events: Array<string> = []
    const { io, release } = holdingIo(events)
    const { store, send, snapshotPath } = await start(io, events)
    const { first } = await twoInOneTurn(store)
    const c2 = await send(associate('i-2'))
    const c3 = await send(associate('i-3'))
    const read = await send(describeHaVip)
    release()
    await first.durable
    await nextTurn()
    // The flush of i-2 and i-3 is on its way; i-4 waits behind it, and saw them.
    const c4 = await send(associate('i-4'))
    release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    const answers = await Promise.all([c2.answer, c3.answer, read.answer, c4.answer])
    expect(answers.map((a) => [a.status, a.body.ResponseMetadata.Error?.Code])).toEqual(Array(4).fill([500, 'InternalError']))
    expect(answers.every((a) => a.body.Result === undefined)).toBe(true)
    // Back to the last durable state, and the server goes on: a read now answers at once, without the lost changes.
    const after = await (await send(describeHaVip)).answer
    expect(boundIn(after)).toEqual(['i-0', 'i-1'])
    const retried = await (await send(associate('i-2'))).answer
    expect(retried.status).toBe(200)
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('a read when nothing is on its way is answered without waiting for any flush', async () => {
    const events: Array<string> = []
    const { io, release, heldCount } = holdingIo(events)
    const { store, send } = await start(io, events)
    const { first } = await twoInOneTurn(store)
    release()
    await first.durable
    const read = await (await send(describeHaVip)).answer
    expect(boundIn(read)).toEqual(['i-0', 'i-1'])
    expect(heldCount()).toBe(0)
    expect(events).toEqual(['flush held', 'flush released', 'applied DescribeHaVips', 'answer DescribeHaVips'])
  })
})

describe('what changes nothing is not journaled', () => {
  it('a reset to the state it holds, advance 0, a read and a refused change add no record and need no flush', async () => {
    const events: Array<string> = []
    const { io } = holdingIo(events)
    const snapshotPath = snapshotFile(oneHaVipAccount(2))
    const store = durableStore(snapshotPath, { journalIo: io })
    const app = serve({ store })
    running = app
    const control = app.control
    if (control === undefined) throw new Error('no control plane')
    await control.reset()
    expect(await control.advance(0)).toEqual([])
    const read = store.submit(paramsOf(describeHaVip), 'read')
    const refused = store.submit(paramsOf(associate('i-9')), 'refused')
    expect([read.durable, refused.durable]).toEqual([undefined, undefined])
    expect(refused.handled.status).toBe(404)
    expect(store.file?.records()).toBe(0)
    expect(control.health().journal).toEqual({ records: 0 })
    expect(events).toEqual([])
  })
})

describe('a close', () => {
  it('a close waits for a flush on its way, and the file holds what it acknowledged', async () => {
    const events: Array<string> = []
    const { io, release } = holdingIo(events)
    const snapshotPath = snapshotFile(oneHaVipAccount(3))
    const store = durableStore(snapshotPath, { journalIo: io })
    const durable = ['i-0', 'i-1'].map((i) => store.submit(paramsOf(associate(i)), i).durable)
    await nextTurn()
    let closed = false
    const closing = store.close().then(() => { closed = true })
    await nextTurn()
    expect(closed).toBe(false)
    release()
    await Promise.all([...durable, closing])
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1'])
  })
})

describe('the journal\'s writes', () => {
  it('a write that takes only part of a line is continued where it stopped', async () => {
    const events: Array<string> = []
    const io: JournalIo = { ...nodeJournalIo, writeSync: (fd, data, offset, length, position) => nodeJournalIo.writeSync(fd, data, offset, Math.min(length, 7), position) }
    const { send, snapshotPath } = await start(io, events)
    expect((await (await send(associate('i-0'))).answer).status).toBe(200)
    expect((await (await send(associate('i-1'))).answer).status).toBe(200)
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-0', 'i-1'])
  })

  it('a write that makes no progress is a full disk: refused, and the next change that fits succeeds', async () => {
    const events: Array<string> = []
    let full = true
    const io: JournalIo = { ...nodeJournalIo, writeSync: (...args) => (full ? 0 : nodeJournalIo.writeSync(...args)) }
    const { send, snapshotPath } = await start(io, events)
    const refused = await (await send(associate('i-0'))).answer
    expect([refused.status, refused.body.ResponseMetadata.Error?.Code]).toEqual([500, 'InternalError'])
    full = false
    expect((await (await send(associate('i-1'))).answer).status).toBe(200)
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).toEqual(['i-1'])
  })

  it('a failed flush that cannot even be cut back refuses every later change, even once the disk is well again', async () => {
    const events: Array<string> = []
    let sick = true
    const eio = (call: string): Error => Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO' })
    const io: JournalIo = {
      ...nodeJournalIo,
      fdatasyncSync: (fd) => { if (sick) throw eio('fdatasync'); nodeJournalIo.fdatasyncSync(fd) },
      ftruncateSync: (fd, length) => { if (sick) throw eio('ftruncate'); nodeJournalIo.ftruncateSync(fd, length) },
    }
    const { send, snapshotPath } = await start(io, events)
    expect((await (await send(associate('i-0'))).answer).status).toBe(500)
    sick = false
    // What reached the file may be there still: nothing more is written after it.
    expect((await (await send(associate('i-1'))).answer).status).toBe(500)
    expect(boundIn(await (await send(describeHaVip)).answer)).toEqual([])
    expect(savedJson(snapshotPath).HaVips?.[0]?.AssociatedInstanceIds).not.toContain('i-1')
  })
})
