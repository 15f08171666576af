import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunningHavip } from './support/cli.js'
import { runHavip as havip, startHavip } from './support/cli.js'
import { accessKeyId, call, sdk, secretKey } from './support/server.js'
import { baseJson, query } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

// `havip serve` in the test process, for what test/cli-commands.test.ts leaves unasked: which hosts
// get the warning, the grace a busy request gets, the store's notes, compaction while serving,
// signed requests, and who may use the control routes.

const snapshotFile = (): string => {
  const path = join(tempFolder('havip-serve-survivors-'), 'snapshot.json')
  writeFileSync(path, JSON.stringify(baseJson()))
  return path
}

const serveArgs = (path: string, ...flags: ReadonlyArray<string>) => ['serve', '--snapshot', path, '--port', '0', ...flags]
const ok = query({ HaVipId: 'havip-1', InstanceId: 'i-1' })
const listening = /listening on (http:\/\/\S+:(\d+))\n/

/** Started, its address printed, then stopped at once: what it wrote to stderr, and its exit code. */
const startAndStop = async (running: RunningHavip): Promise<{ code: number; stderr: string; url: string }> => {
  const [, url = ''] = await running.printed(listening)
  running.stop()
  const done = await running.done
  return { code: done.code, stderr: done.stderr, url }
}

/** A GET of the server, sent from `localAddress` (this machine's own address on another interface, say). */
const getFrom = (url: string, path: string, localAddress?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { ...(localAddress === undefined ? {} : { localAddress }) }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.on('error', reject)
    req.end()
  })

describe('havip serve: the flags test/cli-commands.test.ts leaves unasked', () => {
  it('names serve in the refusal of a flag it does not take', async () => {
    const r = await havip(['serve', '--snapshot', snapshotFile(), '--bogus'])
    expect([r.code, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toMatch(/^havip: Unknown option '--bogus'\.[^\n]* \(see havip serve --help\)\n$/)
  })

  it('gives no warning for a loopback address, by the address it binds: ::1, localhost, 127/8 and 127.1', async () => {
    // By the address it binds: 127.1 is 127.0.0.1 written short.
    for (const host of ['::1', 'localhost', '127.0.0.2', '127.1']) {
      const r = await startAndStop(startHavip(serveArgs(snapshotFile(), '--in-memory', '--host', host)))
      expect(r.code, host).toBe(0)
      expect(r.stderr, host).not.toContain('warning')
    }
  })

  it('accepts a request signed with the keys of the flags', async () => {
    const running = startHavip(serveArgs(snapshotFile(), '--in-memory', '--access-key', accessKeyId, '--secret-key', secretKey))
    const [, , port = ''] = await running.printed(listening)
    try {
      const signed = await call(sdk(Number(port)), { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1' })
      expect(signed.status).toBe(200)
      expect(signed.body.ResponseMetadata.Error).toBeUndefined()
      const otherKey = await call(sdk(Number(port), { accessKeyId: 'AKLTother', secretKey }), { Action: 'DescribeHaVips' })
      expect(otherKey.status).toBe(401)
    } finally {
      running.stop()
      expect((await running.done).code).toBe(0)
    }
  })

  // This machine's own address on another interface: a client from there is not on loopback, though
  // the server listens on 127.0.0.1 only.
  const external = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address

  it.runIf(external !== undefined)('lets clients of other addresses use the control routes only with --control-from-anywhere', async () => {
    for (const [flags, status] of [[[], 403], [['--control-from-anywhere'], 200]] as const) {
      const running = startHavip(serveArgs(snapshotFile(), '--in-memory', ...flags))
      const [, url = ''] = await running.printed(listening)
      try {
        const state = await getFrom(url, '/_havip/state', external)
        expect(state.status, flags.join(' ')).toBe(status)
        if (status === 403) expect(JSON.parse(state.body)).toEqual({ error: { code: 'Forbidden', message: 'the control routes answer only clients on this machine (start the server with --control-from-anywhere to allow others)' } })
        else expect(state.body).toContain('"HaVips"')
        // Clients on this machine may, either way.
        expect((await getFrom(url, '/_havip/state')).status).toBe(200)
      } finally {
        running.stop()
        expect((await running.done).code).toBe(0)
      }
    }
  })

  it('says on stderr that changes are refused once its journal is deleted', async () => {
    const path = snapshotFile()
    const running = startHavip(serveArgs(path))
    const [, url = ''] = await running.printed(listening)
    try {
      rmSync(`${path}.journal`)
      const refused = await getFrom(url, `/?${ok}`)
      expect(refused.status).toBe(500)
      expect(refused.body).toContain('InternalError')
    } finally {
      running.stop()
      const done = await running.done
      expect(done.stderr).toContain(`havip serve: ${path}.journal was deleted: changes are refused from now on, since they could not be found again; restart the server\n`)
    }
  })

  it('--compact-after folds the journal into the file while it serves: the file alone holds the change', async () => {
    const path = snapshotFile()
    const running = startHavip(serveArgs(path, '--compact-after', '0'))
    const [, url = ''] = await running.printed(listening)
    const associated = (): ReadonlyArray<string> | undefined =>
      (JSON.parse(readFileSync(path, 'utf8')) as { HaVips: ReadonlyArray<{ HaVipId: string; AssociatedInstanceIds: ReadonlyArray<string> }> })
        .HaVips.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds
    try {
      expect(associated()).toEqual([])
      expect((await getFrom(url, `/?${ok}`)).status).toBe(200)
      // Folded in the background: wait for the file to hold it (without the flag, only at the stop).
      while (associated()?.includes('i-1') !== true) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(associated()).toEqual(['i-1'])
    } finally {
      running.stop()
      expect((await running.done).code).toBe(0)
    }
  })
})

describe('havip serve --grace', () => {
  afterEach(() => { vi.useRealTimers() })

  /** A POST whose body is not all sent yet: the server has it in hand once it answers 100 Continue. */
  const busyRequest = async (port: number) => {
    const body = ok
    const socket: Socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    let received = ''
    const waiting: Array<() => void> = []
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      for (const check of waiting.splice(0)) check()
    })
    const closed = new Promise<void>((resolve) => socket.on('close', () => { resolve() }))
    const until = (done: (text: string) => boolean): Promise<string> => new Promise((resolve) => {
      const check = (): void => { if (done(received)) resolve(received); else waiting.push(check) }
      check()
    })
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${String(body.length)}\r\n\r\n`)
    await until((text) => text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'))
    /** Sends the rest of the body; the whole answer, once all of it (Content-Length) arrived — or what came before the socket closed. */
    const finish = async (): Promise<string> => {
      socket.write(body)
      const complete = (text: string): boolean => {
        const m = /\r\n\r\nHTTP\/1\.1 (?:.|\r\n)*?Content-Length: (\d+)\r\n(?:.|\r\n)*?\r\n\r\n([^]*)$/.exec(text)
        return m !== null && Buffer.byteLength(m[2] ?? '', 'latin1') >= Number(m[1])
      }
      await Promise.race([until(complete), closed])
      return received
    }
    return { finish, closed, received: () => received, destroy: () => socket.destroy() }
  }

  /** Resolves once the port refuses connections: the server has stopped accepting. */
  const refused = (port: number): Promise<void> => new Promise((resolve) => {
    const attempt = (): void => {
      const probe = connect(port, '127.0.0.1')
      probe.on('connect', () => { probe.destroy(); setImmediate(attempt) })
      probe.on('error', () => { resolve() })
    }
    attempt()
  })

  it('gives a request still busy at the stop the whole grace in seconds, and closes it when the grace ends', async () => {
    // The grace's timer on a clock of the test's: 999 ms in, then 1 ms more.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const running = startHavip(serveArgs(snapshotFile(), '--in-memory', '--grace', '1'))
    const [, , port = ''] = await running.printed(listening)
    const early = await busyRequest(Number(port))
    const late = await busyRequest(Number(port))
    try {
      running.stop()
      await refused(Number(port))
      vi.advanceTimersByTime(999)
      const answered = await early.finish()
      expect(answered).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
      expect(answered).toContain('"AssociateHaVip"')
      vi.advanceTimersByTime(1)
      await late.closed
      // Closed by the grace, not answered.
      expect(late.received()).toBe('HTTP/1.1 100 Continue\r\n\r\n')
      expect((await running.done).code).toBe(0)
    } finally {
      early.destroy()
      late.destroy()
      running.stop()
      await running.done
    }
  })
})
