import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { Service } from '@volcengine/openapi'
import type { ServeOptions } from '../../src/server/app.js'
import type { SnapshotJson } from 'havip-rules'
import { snapshotToJson } from 'havip-rules'
import { readSnapshotFile } from '../../src/io/snapshot-file.js'
import { serve } from '../../src/server/app.js'
import type { DurableOptions } from '../../src/server/store.js'
import { durableStore } from '../../src/server/store.js'
import { tempFolder } from './temp.js'
import { writeSync } from 'node:fs'
import type { JournalIo } from '../../src/journal/writer.js'
import { nodeJournalIo } from '../../src/journal/writer.js'
import { afterEach } from 'vitest'
import type { HavipServer } from '../../src/server/app.js'
import type { Emulator } from 'havip-rules/server'
import { startEmulator } from 'havip-rules/server'

export const accessKeyId = 'AKLTtestkey'
export const secretKey = 'c2VjcmV0LWtleS1mb3ItdGVzdHM='

/** Writes a snapshot to a file of its own folder; its path. */
export const snapshotFile = (json: unknown): string => {
  const path = join(tempFolder('havip-serve-'), 'snapshot.json')
  writeFileSync(path, JSON.stringify(json))
  return path
}

/** An in-process server on a free port, its state in a snapshot file and journal, with the test credentials unless told otherwise. */
export const startServer = async (json: unknown, options: Partial<ServeOptions> = {}, storeOptions: DurableOptions = {}) => {
  const snapshotPath = snapshotFile(json)
  const app = serve({ store: durableStore(snapshotPath, storeOptions), credentials: new Map([[accessKeyId, secretKey]]), ...options })
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve))
  const port = (app.server.address() as AddressInfo).port
  return { app, port, snapshotPath }
}

/** The vendor's SDK, as a user would set it up, pointed at a local port. */
export const sdk = (port: number, credentials: { accessKeyId: string; secretKey: string } = { accessKeyId, secretKey }) =>
  new Service({ serviceName: 'vpc', host: `127.0.0.1:${String(port)}`, protocol: 'http:', region: 'cn-beijing', ...credentials })

// The SDK returns bodies only; the status it got is read off the axios instance it uses.
const axios = createRequire(import.meta.url)('axios') as {
  interceptors: { response: { use: (f: (r: { status: number; data: unknown }) => unknown) => void } }
}
const statusOf = new WeakMap<object, number>()
axios.interceptors.response.use((r) => {
  if (typeof r.data === 'object' && r.data !== null) statusOf.set(r.data, r.status)
  return r
})

export interface SdkReply {
  readonly status: number | undefined
  readonly body: {
    ResponseMetadata: { RequestId: string; Action: string; Error?: { Code: string; Message: string; CodeN?: number } }
    Result?: Record<string, unknown>
  }
}

/** One call through the SDK: `createAPI(Action, { Version, method })` with the other parameters. */
export const call = async (service: Service, params: Readonly<Record<string, string>>, method: 'GET' | 'POST' = 'GET', contentType?: 'json' | 'urlencode'): Promise<SdkReply> => {
  const { Action = '', Version = '2020-04-01', ...rest } = params
  const api = service.createAPI(Action, { Version, method, ...(contentType === undefined ? {} : { contentType }) })
  const body = (await api(rest)) as SdkReply['body']
  return { status: statusOf.get(body), body }
}

/** What a snapshot file holds now, its journal replayed: what a restarted server would serve. */
export const savedJson = (path: string): SnapshotJson => snapshotToJson(readSnapshotFile(path).snapshot)

/** `start` (a server on a snapshot file) and `emulator` for a test file: what a test starts is closed after it. */
export const closedAfterEach = () => {
  const running: Array<HavipServer> = []
  const emulators: Array<Emulator> = []
  afterEach(async () => {
    await Promise.all([...running.splice(0).map((app) => app.close(100)), ...emulators.splice(0).map((e) => e.close())])
  })
  return {
    start: async (...args: Parameters<typeof startServer>) => {
      const started = await startServer(...args)
      running.push(started.app)
      return { ...started, url: `http://127.0.0.1:${String(started.port)}` }
    },
    emulator: async (...args: Parameters<typeof startEmulator>) => {
      const e = await startEmulator(...args)
      emulators.push(e)
      return e
    },
  }
}

/** The journal's file operations on a disk that is full while `isFull()` says so: half a line reaches it, then ENOSPC. */
export const fillingDisk = (isFull: () => boolean): JournalIo => ({
  ...nodeJournalIo,
  writeSync: (fd, data, offset, length, position) => {
    if (!isFull()) return nodeJournalIo.writeSync(fd, data, offset, length, position)
    writeSync(fd, data, offset, Math.floor(length / 2), position)
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  },
})
