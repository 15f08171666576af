#!/usr/bin/env node
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { call, check } from './commands.js'
import { readSnapshotFile, UsageError, writeSnapshotFile } from '../io/snapshot-file.js'
import { startServer } from './serve-command.js'
import { usage } from './usage.js'

const readQueries = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.flatMap((arg) =>
    arg === '-'
      ? readFileSync(0, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
      : [arg])

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
