#!/usr/bin/env node
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { call, check } from './commands.js'
import { readSnapshotFile, UsageError, writeSnapshotFile } from './files.js'

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
  top: `usage: havip call  --snapshot FILE [--out FILE | --write] QUERY...
       havip check --snapshot FILE [--json] QUERY...
       havip COMMAND --help`,
} as const

const readQueries = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.flatMap((arg) =>
    arg === '-'
      ? readFileSync(0, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
      : [arg])

const run = (argv: ReadonlyArray<string>): number => {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${usage.top}\n`)
    return command === undefined ? 2 : 0
  }
  if (command !== 'call' && command !== 'check') throw new UsageError(`unknown command ${JSON.stringify(command)} (see havip --help)`)
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
  const misplaced = command === 'call' ? (values.json === true ? '--json' : undefined)
    : values.out !== undefined ? '--out' : values.write === true ? '--write' : undefined
  if (misplaced !== undefined) throw new UsageError(`${misplaced} is not an option of havip ${command} (see havip ${command} --help)`)
  if (values.out !== undefined && values.write === true) throw new UsageError('give --out FILE or --write, not both')
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

try {
  process.exitCode = run(process.argv.slice(2))
} catch (e) {
  if (!(e instanceof UsageError)) throw e
  process.stderr.write(`havip: ${e.message}\n`)
  process.exitCode = 2
}
