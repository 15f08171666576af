import { readSnapshotFile } from '../io/snapshot-file.js'
import { UsageError } from '../io/usage-error.js'
import { serve } from '../server/app.js'
import { maxSteps } from '../server/control.js'
import { isLoopbackAddress } from '../server/control-routes.js'
import { listen } from '../server/emulator.js'
import type { LogFormat } from '../server/log.js'
import { requestLog } from '../server/log.js'
import { durableStore, memoryStore } from '../server/store.js'
import type { CliIo } from './io.js'
import { parseCommandArgs, required } from './args.js'

export const serveUsage = `usage: havip serve --snapshot FILE [--in-memory] [--host HOST] [--port PORT]
                   [--access-key AK --secret-key SK] [--grace SECONDS] [--compact-after BYTES]
                   [--log-format text|json] [--async-steps N] [--no-control | --control-from-anywhere]

Serves the Volcengine OpenAPI over HTTP (GET /?Action=...&Version=2020-04-01&..., or POST with a
form or JSON body): AssociateHaVip, DisassociateHaVip, CreateHaVip, DeleteHaVip,
ModifyHaVipAttributes, GetAsyncTaskStatus, DescribeHaVips, DescribeNetworkInterfaces, DescribeSubnets,
DescribeRouteTableList and DescribeRouteEntryList (service vpc), DescribeInstances (service ecs).
Control routes for tests under /_havip/ (loopback only). Every change is appended to FILE.journal and flushed
before its response is sent; on SIGINT or SIGTERM the journal is folded into FILE, which then holds
the whole state. One writer per file: a second one exits 2. One log line a request on stderr.

  --snapshot FILE        the state to serve, and where its changes go
  --in-memory            keep the state in memory only: FILE is read, never written
  --host HOST            the address to listen on (default 127.0.0.1; a warning when not loopback)
  --port PORT            0 to 65535 (default 8080; 0 picks a free one); the address is printed on stdout
  --access-key AK        with --secret-key (or VOLC_ACCESSKEY and VOLC_SECRETKEY): every request must
  --secret-key SK        carry the vendor's HMAC-SHA256 signature; without them, none is checked
  --grace SECONDS        on SIGINT/SIGTERM, how long connections still busy get (default 10)
  --compact-after BYTES  fold the journal into FILE, in the background, once it is larger than this
                         (default: 16 MiB or a quarter of FILE, whichever is larger)
  --log-format FORMAT    text (default) or json, one object a line
  --async-steps N        the asynchronous mode for every state served (saved with it): a created HaVip
                         is Creating, a deleted one Deleting, until N reads (DescribeHaVips,
                         GetAsyncTaskStatus) or control-route steps have passed; 0 = synchronous
  --no-control           turn off the control routes under /_havip/ (reset, state, faults, trace):
                         they answer 404 like any unknown path
  --control-from-anywhere  let clients on other machines use the control routes (by default only
                         clients on this machine may; anyone who reaches them can change the state)

Exit: 0 stopped by SIGINT or SIGTERM with the state saved; 2 a usage error, a snapshot or journal
that cannot be used, another writer holding FILE, a port that cannot be had, or a final save that
failed (the journal then keeps every change).`

const decimal = (value: string, flag: string, max: number): number => {
  if (!/^(0|[1-9]\d{0,15})$/.test(value) || Number(value) > max) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)} is not a whole number from 0 to ${String(max)}`)
  }
  return Number(value)
}

/** `havip serve`: listens until SIGINT or SIGTERM, then resolves with the exit code. */
export const serveCommand = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommandArgs('serve', {
    snapshot: { type: 'string' },
    'in-memory': { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    grace: { type: 'string' },
    'compact-after': { type: 'string' },
    'log-format': { type: 'string' },
    'no-control': { type: 'boolean' },
    'async-steps': { type: 'string' },
    'control-from-anywhere': { type: 'boolean' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'serve')
  if (positionals.length > 0) throw new UsageError('havip serve takes no QUERY (see havip serve --help)')
  const accessKey = values['access-key'] ?? io.env.VOLC_ACCESSKEY
  const secretKey = values['secret-key'] ?? io.env.VOLC_SECRETKEY
  if ((accessKey === undefined) !== (secretKey === undefined)) throw new UsageError('give both --access-key and --secret-key, or neither (see havip serve --help)')
  // An empty key would make every request signed with it pass: signing off while it looks on.
  if (accessKey === '') throw new UsageError(`${values['access-key'] === undefined ? 'VOLC_ACCESSKEY' : '--access-key'} is empty; give the access key, or neither key to accept unsigned requests`)
  if (secretKey === '') throw new UsageError(`${values['secret-key'] === undefined ? 'VOLC_SECRETKEY' : '--secret-key'} is empty; give the secret key, or neither key to accept unsigned requests`)
  const port = decimal(values.port ?? '8080', 'port', 65535)
  const host = values.host ?? '127.0.0.1'
  // An empty host would listen on every interface: an unset shell variable must not expose the server.
  if (host.trim() === '') throw new UsageError('--host is empty; give an address (127.0.0.1 to stay on this machine)')
  const asyncSteps = values['async-steps'] === undefined ? undefined : decimal(values['async-steps'], 'async-steps', maxSteps)
  const graceMs = decimal(values.grace ?? '10', 'grace', 3600) * 1000
  const compactAfter = values['compact-after'] === undefined ? undefined : decimal(values['compact-after'], 'compact-after', Number.MAX_SAFE_INTEGER)
  const format = values['log-format'] ?? 'text'
  if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format ${JSON.stringify(format)} is neither text nor json`)
  if (values['no-control'] === true && values['control-from-anywhere'] === true) throw new UsageError('give --no-control or --control-from-anywhere, not both')
  const log = requestLog(io.err, format satisfies LogFormat)
  const store = values['in-memory'] === true
    ? memoryStore(readSnapshotFile(snapshotPath).snapshot)
    : durableStore(snapshotPath, { log: log.note, compactAfterBytes: compactAfter })
  const app = serve({
    store,
    ...(accessKey === undefined || secretKey === undefined ? {} : { credentials: new Map([[accessKey, secretKey]]) }),
    log,
    control: values['no-control'] === true ? false : { fromAnywhere: values['control-from-anywhere'] === true },
    asyncSteps,
  })
  // Before the address is printed: whoever reads it may signal at once.
  const stopped = io.stopRequested()
  let url: string
  try {
    url = await listen(app, port, host)
  } catch (e) {
    await store.close()
    throw new UsageError(`cannot listen on ${host}:${String(port)}: ${e instanceof Error ? e.message : String(e)}`)
  }
  io.out(`havip serve: listening on ${url}\n`)
  // By the address bound, not as written: 127.1 or a name that resolves to 127.0.0.1 is loopback too.
  const bound = app.server.address()
  if (!isLoopbackAddress(typeof bound === 'object' && bound !== null ? bound.address : undefined)) log.note(`havip serve: warning: listening on ${host}, reachable from other machines; there is no TLS (docs/security.md)`)
  if (values['control-from-anywhere'] === true) log.note('havip serve: warning: --control-from-anywhere: any client that reaches this port can reset the state and inject faults (docs/security.md)')
  if (accessKey === undefined) log.note('havip serve: no credentials given: unsigned requests are accepted')
  await stopped
  try {
    await app.close(graceMs)
  } catch (e) {
    throw new UsageError(`stopped, but the state could not be saved: ${e instanceof Error ? e.message : String(e)}; the journal keeps every change`)
  }
  return 0
}
