import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot, snapshotToJson } from '../codec/snapshot.js'
import { lockSnapshot } from '../io/lock.js'
import { saveOver } from '../io/snapshot-file.js'
import { resolveTarget } from '../io/target.js'
import type { AsyncTaskJson, SnapshotJson } from '../model/json.js'
import type { Snapshot } from '../model/snapshot.js'
import { isSnapshot } from '../model/snapshot.js'
import type { HavipServer } from './app.js'
import type { FaultControl, Health, TraceControl } from './control.js'
import { maxSteps } from './control.js'
import { serve } from './app.js'
import { requestLog } from './log.js'
import type { Credentials } from '../wire/signature.js'
import type { Store } from './store.js'
import { durableStore, memoryStore } from './store.js'

export interface EmulatorOptions {
  /**
   * The state to start from: a snapshot's JSON, or a snapshot already loaded. With `snapshotPath`
   * too, it is first saved to that file (replacing what is there). Default: an empty account.
   */
  readonly snapshot?: SnapshotJson | Snapshot
  /**
   * Keep the state in this snapshot file and the journal beside it: every change is durable before
   * it is acknowledged, and `close` leaves the whole state in the file. Without it, the state is in
   * memory only and nothing is written.
   */
  readonly snapshotPath?: string
  /** Default 0: a free port. */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** With credentials, every request must carry the vendor's signature made with them. */
  readonly credentials?: Credentials | ReadonlyArray<Credentials>
  /** Where the request log goes, a line a request (each ending in a newline); none by default. */
  readonly log?: (text: string) => void
  /**
   * The asynchronous mode: a created HaVip is `Creating` and a deleted one `Deleting` until this
   * many reads (or `advance` steps) have passed. Overrides the snapshot's `AsyncSteps`, for every
   * state the emulator holds (those given to `reset` and `setState` too), and is saved with it.
   */
  readonly asyncSteps?: number
}

/** A running emulator. */
export interface Emulator {
  /** Where it listens: `http://127.0.0.1:PORT`. Point the vendor SDK's `host` at its host and port. */
  readonly url: string
  /** The state now. `snapshotToJson` turns it into JSON. */
  readonly snapshot: () => Snapshot
  /**
   * Back to the state it started with (or to `snapshot`, checked as `loadSnapshot` checks it: one
   * that does not load rejects with a `ControlError` listing every problem, and changes nothing);
   * the fault rules and the trace are cleared. Resolves once the new state is durable.
   */
  readonly reset: (snapshot?: SnapshotJson | Snapshot) => Promise<void>
  /** The state now, as JSON (what `snapshotToJson` writes). */
  readonly state: () => SnapshotJson
  /** Puts this state in place (checked as `reset` checks it); resolves once it is durable. */
  readonly setState: (snapshot: SnapshotJson | Snapshot) => Promise<void>
  /** Takes `steps` asynchronous steps (default 1), as that many reads would; resolves with the tasks still in progress, once durable. */
  readonly advance: (steps?: number) => Promise<ReadonlyArray<AsyncTaskJson>>
  /** The fault rules: `list`, `set`, `add`, `clear` (docs/control.md). */
  readonly faults: FaultControl
  /** The last API exchanges: `list`, `clear`. */
  readonly trace: TraceControl
  /** What it is and holds: version, actions, snapshot file, journal, fault rules. */
  readonly health: () => Health
  /**
   * Stops accepting, finishes what is in flight, saves, and resolves when all is done. Calling it
   * again returns the same promise: nothing is closed or saved twice.
   */
  readonly close: () => Promise<void>
}

/**
 * The snapshot to start from, copied: the caller's objects are theirs to change afterwards, and a
 * change to them must not reach what the server lists or what its rules decide.
 */
const loaded = (snapshot: SnapshotJson | Snapshot | undefined): Snapshot => {
  let copy: unknown
  try {
    copy = JSON.parse(JSON.stringify(isSnapshot(snapshot) ? snapshotToJson(snapshot) : snapshot ?? {})) as unknown
  } catch (e) {
    throw new Error(`the snapshot cannot be copied as JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
  const result = loadSnapshot(copy)
  if (E.isLeft(result)) throw new Error(`the snapshot does not load:\n${result.left.message}`)
  return result.right
}

const isList = (given: Credentials | ReadonlyArray<Credentials>): given is ReadonlyArray<Credentials> => Array.isArray(given)

/** Credentials with an empty key would make signing pass for anyone who signs with it. */
const checkedCredentials = (given: EmulatorOptions['credentials']): ReadonlyArray<Credentials> => {
  // A pair without its key id (a JavaScript caller) is still one pair, refused below, not a list.
  const pairs: ReadonlyArray<Credentials> = given === undefined ? [] : isList(given) ? given : [given]
  for (const pair of pairs) {
    if (typeof pair.accessKeyId !== 'string' || pair.accessKeyId === '') throw new Error('startEmulator: credentials: accessKeyId is empty')
    if (typeof pair.secretKey !== 'string' || pair.secretKey === '') {
      throw new Error(`startEmulator: credentials: the secretKey of ${pair.accessKeyId} is empty: any request signed with it would pass`)
    }
  }
  return pairs
}

const storeFor = (options: EmulatorOptions): Store => {
  const path = options.snapshotPath
  if (path === undefined) return memoryStore(loaded(options.snapshot))
  if (options.snapshot !== undefined) {
    const target = resolveTarget(path)
    const lock = lockSnapshot(target, 'startEmulator')
    try {
      // A journal already there may hold acknowledged changes: one that cannot be read (damaged,
      // another snapshot's) is refused before anything is overwritten.
      const initial = loaded(options.snapshot)
      if (!isSnapshot(initial)) throw new Error('the snapshot does not load')
      saveOver(path, initial)
    } finally {
      lock.release()
    }
  }
  return durableStore(path)
}

const checkedSteps = (n: number): number => {
  if (!Number.isSafeInteger(n) || n < 0 || n > maxSteps) throw new Error(`asyncSteps must be a whole number from 0 to ${String(maxSteps)}; got ${String(n)}`)
  return n
}

/** Listens, and resolves once the address is known. */
export const listen = (app: HavipServer, port: number, host: string): Promise<string> =>
  new Promise((resolve, reject) => {
    app.server.once('error', reject)
    app.server.listen(port, host, () => {
      app.server.off('error', reject)
      const { port: bound } = app.server.address() as AddressInfo
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${String(bound)}`)
    })
  })

/**
 * Starts havip serve inside this process, for a test suite: the vendor SDK (or any HTTP client)
 * talks to `url` as to the real API.
 *
 * ```ts
 * const emulator = await startEmulator({ snapshot: { HaVips: [...], Instances: [...] } })
 * const vpc = new Service({ serviceName: 'vpc', host: new URL(emulator.url).host, protocol: 'http:', region: 'cn-beijing', accessKeyId: 'x', secretKey: 'y' })
 * // …
 * await emulator.close()
 * ```
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const pairs = checkedCredentials(options.credentials)
  const host = options.host ?? '127.0.0.1'
  // An empty host would listen on every interface, as `havip serve --host ''` is refused for.
  if (host.trim() === '') throw new Error('startEmulator: host is empty; give an address (127.0.0.1 to stay on this machine)')
  // Checked before the store takes the file's lock.
  const asyncSteps = options.asyncSteps === undefined ? undefined : checkedSteps(options.asyncSteps)
  const store = storeFor(options)
  const app = serve({
    store,
    ...(pairs.length === 0 ? {} : { credentials: new Map(pairs.map((c) => [c.accessKeyId, c.secretKey])) }),
    ...(options.log === undefined ? {} : { log: requestLog(options.log) }),
    ...(asyncSteps === undefined ? {} : { asyncSteps }),
  })
  try {
    await app.ready
    const url = await listen(app, options.port ?? 0, host)
    const control = app.control as NonNullable<HavipServer['control']>
    return {
      url,
      snapshot: app.snapshot,
      reset: control.reset,
      state: control.state,
      setState: control.setState,
      advance: control.advance,
      faults: control.faults,
      trace: control.trace,
      health: control.health,
      close: app.close,
    }
  } catch (e) {
    await store.close()
    throw e
  }
}
