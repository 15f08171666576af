import { readSnapshotFile, UsageError } from '../io/snapshot-file.js'
import { serve } from '../server/app.js'

export interface ServeFlags {
  readonly host?: string
  readonly port?: string
  readonly 'access-key'?: string
  readonly 'secret-key'?: string
}

/** `havip serve`: listens until SIGINT or SIGTERM, then resolves with the exit code. */
export const startServer = (snapshotPath: string, values: ServeFlags): Promise<number> => {
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
    log: (line) => process.stderr.write(`${line}\n`),
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
      process.stdout.write(`havip serve: listening on http://${host.includes(':') ? `[${host}]` : host}:${String(bound)}\n`)
      if (accessKey === undefined) process.stderr.write('havip serve: no credentials given: unsigned requests are accepted\n')
    })
  })
}
