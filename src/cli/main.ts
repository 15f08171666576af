#!/usr/bin/env node
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { call, check } from './commands.js'
import { readSnapshotFile, UsageError, writeSnapshotFile } from '../io/snapshot-file.js'
import { serve } from '../server/app.js'

const usage = {
  call: `usage: havip call --snapshot FILE [--out FILE | --write] QUERY...

Applies each query (Action=AssociateHaVip&Version=2020-04-01&...) to the state the previous one
left and prints one Volcengine response body per line. A QUERY may start with ? or /?; - reads
queries from standard input, one a line.

  --snapshot FILE  the snapshot to start from (JSON, CONTRACT §2)
  --out FILE       save the final snapshot to FILE, only if every request succeeded
  --write          save it back to the --snapshot file, likewise

Exit: 0 every request succeeded, 1 an API error, 2 a usage error or a snapshot that does not load.`,
  check: `usage: havip check --snapshot FILE [--json] QUERY...

Says, for each query in order, whether it would succeed and every reason it would not: the error
id, code, HTTP status, English and Chinese messages, and the facts behind it. Saves nothing.

  --snapshot FILE  the snapshot to check against
  --json           one JSON object per query and line instead of text

Exit: 0 every query would succeed, 1 one would not, 2 a usage error or a snapshot that does not load.`,
  serve: `usage: havip serve --snapshot FILE [--host HOST] [--port PORT] [--access-key AK --secret-key SK]

Serves AssociateHaVip, DisassociateHaVip and DescribeHaVips over HTTP as the Volcengine OpenAPI
does (GET /?Action=...&Version=2020-04-01&..., or POST with a form or JSON body). Every change is
saved to the snapshot file, atomically, before its response is sent. One line a request on stderr.

  --snapshot FILE    the state to serve, and where its changes go
  --host HOST        the address to listen on (default 127.0.0.1)
  --port PORT        the port (default 8080; 0 picks a free one); the address is printed on stdout
  --access-key AK    with --secret-key (or VOLC_ACCESSKEY and VOLC_SECRETKEY): every request must
  --secret-key SK    carry the vendor's HMAC-SHA256 signature; without them, none is checked

SIGINT or SIGTERM: stop accepting, finish the request in flight, exit 0.`,
  top: `usage: havip call  --snapshot FILE [--out FILE | --write] QUERY...
       havip check --snapshot FILE [--json] QUERY...
       havip serve --snapshot FILE [--host HOST] [--port PORT] [--access-key AK --secret-key SK]
       havip COMMAND --help`,
} as const

const readQueries = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.flatMap((arg) =>
    arg === '-'
      ? readFileSync(0, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
      : [arg])

const startServer = (snapshotPath: string, values: { host?: string; port?: string; 'access-key'?: string; 'secret-key'?: string }): Promise<number> => {
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

const run = (argv: ReadonlyArray<string>): number | Promise<number> => {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${usage.top}\n`)
    return command === undefined ? 2 : 0
  }
  if (command !== 'call' && command !== 'check' && command !== 'serve') throw new UsageError(`unknown command ${JSON.stringify(command)} (see havip --help)`)
  let parsed
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        snapshot: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        out: { type: 'string' },
        write: { type: 'boolean' },
        json: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'access-key': { type: 'string' },
        'secret-key': { type: 'string' },
      },
    })
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)} (see havip ${command} --help)`)
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(`${usage[command]}\n`)
    return 0
  }
  if (typeof values.snapshot !== 'string') throw new UsageError(`--snapshot FILE is required (see havip ${command} --help)`)
  const given = (Object.keys(values) as ReadonlyArray<keyof typeof values>).filter((name) => values[name] !== undefined)
  const allowed: Readonly<Record<typeof command, ReadonlyArray<string>>> = {
    call: ['snapshot', 'help', 'out', 'write'],
    check: ['snapshot', 'help', 'json'],
    serve: ['snapshot', 'help', 'host', 'port', 'access-key', 'secret-key'],
  }
  const misplaced = given.find((name) => !allowed[command].includes(name))
  if (misplaced !== undefined) throw new UsageError(`--${misplaced} is not an option of havip ${command} (see havip ${command} --help)`)
  if (values.out !== undefined && values.write === true) throw new UsageError('give --out FILE or --write, not both')
  if (command === 'serve') {
    if (positionals.length > 0) throw new UsageError(`havip serve takes no QUERY (see havip serve --help)`)
    return startServer(values.snapshot, values)
  }
  const queries = readQueries(positionals)
  if (queries.length === 0) throw new UsageError(`no QUERY given (see havip ${command} --help)`)
  const snapshot = readSnapshotFile(values.snapshot)

  const result = command === 'call'
    ? call(snapshot, queries, () => randomUUID().toUpperCase())
    : check(snapshot, queries, values.json === true, () => randomUUID().toUpperCase())
  process.stdout.write(result.lines.map((line) => `${line}\n`).join(''))
  const target = typeof values.out === 'string' ? values.out : values.write === true ? values.snapshot : undefined
  if (command === 'call' && target !== undefined) {
    if (result.allSucceeded) writeSnapshotFile(target, result.final)
    else process.stderr.write(`havip: not saved: a request failed, ${target} is unchanged\n`)
  }
  return result.allSucceeded ? 0 : 1
}

const usageFailure = (e: unknown): void => {
  if (!(e instanceof UsageError)) throw e
  process.stderr.write(`havip: ${e.message}\n`)
  process.exitCode = 2
}

try {
  const code = run(process.argv.slice(2))
  if (typeof code === 'number') process.exitCode = code
  else code.then((c) => { process.exitCode = c }, usageFailure)
} catch (e) {
  usageFailure(e)
}
