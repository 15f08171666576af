import { readSnapshotFile } from '../io/snapshot-file.js'
import { UsageError } from '../io/usage-error.js'
import { serve } from '../server/app.js'
import type { Output } from './output.js'
import { parseCommandArgs, required } from './args.js'

export const serveUsage = `usage: havip serve --snapshot FILE [--host HOST] [--port PORT] [--access-key AK --secret-key SK]

Serves AssociateHaVip, DisassociateHaVip and DescribeHaVips over HTTP as the Volcengine OpenAPI
does (GET /?Action=...&Version=2020-04-01&..., or POST with a form or JSON body). Every change is
saved to the snapshot file, atomically, before its response is sent. One line a request on stderr.

  --snapshot FILE    the state to serve, and where its changes go
  --host HOST        the address to listen on (default 127.0.0.1)
  --port PORT        the port (default 8080; 0 picks a free one); the address is printed on stdout
  --access-key AK    with --secret-key (or VOLC_ACCESSKEY and VOLC_SECRETKEY): every request must
  --secret-key SK    carry the vendor's HMAC-SHA256 signature; without them, none is checked

SIGINT or SIGTERM: stop accepting, finish the request in flight, exit 0.`

/** `havip serve`: listens until SIGINT or SIGTERM, then resolves with the exit code. */
export const serveCommand = (argv: ReadonlyArray<string>, output: Output): Promise<number> => {
  const { values, positionals } = parseCommandArgs('serve', {
    snapshot: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'serve')
  if (positionals.length > 0) throw new UsageError('havip serve takes no QUERY (see havip serve --help)')
  const accessKey = values['access-key'] ?? process.env.VOLC_ACCESSKEY
  const secretKey = values['secret-key'] ?? process.env.VOLC_SECRETKEY
  if ((accessKey === undefined) !== (secretKey === undefined)) throw new UsageError('give both --access-key and --secret-key, or neither (see havip serve --help)')
  const port = Number(values.port ?? '8080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${String(values.port)} is not a port number`)
  const host = values.host ?? '127.0.0.1'
  const app = serve({
    snapshotPath,
    snapshot: readSnapshotFile(snapshotPath),
    ...(accessKey === undefined || secretKey === undefined ? {} : { credentials: new Map([[accessKey, secretKey]]) }),
    log: (line) => { output.err(`${line}\n`) },
  })
  return new Promise((resolve, reject) => {
    app.server.once('error', (e) => { reject(new UsageError(`cannot listen on ${host}:${String(port)}: ${e.message}`)) })
    app.server.listen(port, host, () => {
      const address = app.server.address()
      const bound = typeof address === 'object' && address !== null ? address.port : port
      // Before the address is printed: whoever reads it may signal at once.
      const stop = (): void => {
        void app.close().then(() => { resolve(0) })
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      output.out(`havip serve: listening on http://${host.includes(':') ? `[${host}]` : host}:${String(bound)}\n`)
      if (accessKey === undefined) output.err('havip serve: no credentials given: unsigned requests are accepted\n')
    })
  })
}
