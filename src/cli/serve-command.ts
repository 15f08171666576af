import { UsageError } from '../io/usage-error.js'
import { readSnapshotFile } from '../io/snapshot-file.js'
import { serve } from '../server/app.js'
import { requestLog } from '../server/log.js'
import { listen } from '../server/emulator.js'
import { durableStore, memoryStore } from '../server/store.js'
import type { Output } from './output.js'
import { parseCommandArgs, required } from './args.js'

export const serveUsage = `usage: havip serve --snapshot FILE [--in-memory] [--host HOST] [--port PORT] [--access-key AK --secret-key SK]
                   [--compact-after BYTES]

Serves AssociateHaVip, DisassociateHaVip and DescribeHaVips over HTTP as the Volcengine OpenAPI
does (GET /?Action=...&Version=2020-04-01&..., or POST with a form or JSON body). Every change is
appended to FILE.journal and flushed before its response is sent; on SIGINT or SIGTERM the journal
is folded into FILE, which then holds the whole state. One writer per file: a second one exits 2.
One line a request on stderr.

  --snapshot FILE    the state to serve, and where its changes go
  --in-memory        keep the state in memory only: FILE is read, never written
  --host HOST        the address to listen on (default 127.0.0.1)
  --port PORT        the port (default 8080; 0 picks a free one); the address is printed on stdout
  --access-key AK    with --secret-key (or VOLC_ACCESSKEY and VOLC_SECRETKEY): every request must
  --secret-key SK    carry the vendor's HMAC-SHA256 signature; without them, none is checked
  --compact-after BYTES  fold the journal into FILE, in the background, once it is larger than this
                     (default: 16 MiB or a quarter of FILE, whichever is larger)

SIGINT or SIGTERM: stop accepting, finish the requests in flight, save, exit 0.
Exit 2: a usage error, a snapshot that cannot be used, another writer holding it, or a final save that failed.`

/** `havip serve`: listens until SIGINT or SIGTERM, then resolves with the exit code. */
export const serveCommand = async (argv: ReadonlyArray<string>, output: Output): Promise<number> => {
  const { values, positionals } = parseCommandArgs('serve', {
    snapshot: { type: 'string' },
    'in-memory': { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    'compact-after': { type: 'string' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'serve')
  if (positionals.length > 0) throw new UsageError('havip serve takes no QUERY (see havip serve --help)')
  const accessKey = values['access-key'] ?? process.env.VOLC_ACCESSKEY
  const secretKey = values['secret-key'] ?? process.env.VOLC_SECRETKEY
  if ((accessKey === undefined) !== (secretKey === undefined)) throw new UsageError('give both --access-key and --secret-key, or neither (see havip serve --help)')
  const port = Number(values.port ?? '8080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${String(values.port)} is not a port number`)
  const host = values.host ?? '127.0.0.1'
  const compactAfter = values['compact-after']
  if (compactAfter !== undefined && !/^[1-9]\d{0,15}$/.test(compactAfter)) throw new UsageError(`--compact-after ${compactAfter} is not a number of bytes`)
  const log = requestLog(output.err)
  const store = values['in-memory'] === true
    ? memoryStore(readSnapshotFile(snapshotPath).snapshot)
    : durableStore(snapshotPath, {
        log: log.note,
        ...(compactAfter === undefined ? {} : { compactAfterBytes: Number(compactAfter) }),
      })
  const app = serve({
    store,
    ...(accessKey === undefined || secretKey === undefined ? {} : { credentials: new Map([[accessKey, secretKey]]) }),
    log,
  })
  // Before the address is printed: whoever reads it may signal at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  let url: string
  try {
    url = await listen(app, port, host)
  } catch (e) {
    await store.close()
    throw new UsageError(`cannot listen on ${host}:${String(port)}: ${e instanceof Error ? e.message : String(e)}`)
  }
  output.out(`havip serve: listening on ${url}\n`)
  if (accessKey === undefined) output.err('havip serve: no credentials given: unsigned requests are accepted\n')
  await stopped
  await app.close()
  return 0
}
