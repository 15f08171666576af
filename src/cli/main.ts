#!/usr/bin/env node
import { UsageError } from '../io/usage-error.js'
import { packageVersion } from '../io/version.js'
import { callCommand, callUsage } from './call-command.js'
import { checkCommand, checkUsage } from './check-command.js'
import type { Output } from './output.js'
import { processOutput } from './output.js'
import { planCommand, planUsage } from './plan-command.js'
import { serveCommand, serveUsage } from './serve-command.js'
import { snapshotCommand, snapshotUsage } from './snapshot-command.js'

interface Command {
  readonly usage: string
  readonly run: (argv: ReadonlyArray<string>, output: Output) => number | Promise<number>
}

const commands: ReadonlyMap<string, Command> = new Map([
  ['call', { usage: callUsage, run: callCommand }],
  ['check', { usage: checkUsage, run: checkCommand }],
  ['plan', { usage: planUsage, run: planCommand }],
  ['serve', { usage: serveUsage, run: serveCommand }],
  ['snapshot', { usage: snapshotUsage, run: snapshotCommand }],
])

const topUsage = `usage: havip call  --snapshot FILE [--out FILE | --write] QUERY...
       havip check --snapshot FILE [--independent] [--json] QUERY...
       havip plan  --snapshot FILE [--config DIR] [--baseline FILE] [--format text|json|sarif|junit] PLAN
       havip serve --snapshot FILE [--in-memory] [--host HOST] [--port PORT] [--access-key AK --secret-key SK] ...
       havip snapshot build [--havips FILE...]... [--instances FILE...]... [--enis FILE...]... [--subnets FILE...]... [--route-entries FILE...]... [--region R] [--out FILE]
       havip snapshot pull --region R [--endpoint URL] [--vpc-id ID] [--max-pages N] [--out FILE]
       havip COMMAND --help
       havip --version`

const wantsHelp = (argv: ReadonlyArray<string>): boolean => {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')
}

const run = (argv: ReadonlyArray<string>, output: Output): number | Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    output.err(`${topUsage}\n`)
    return 2
  }
  if (name === '--help' || name === '-h') {
    output.out(`${topUsage}\n`)
    return 0
  }
  if (name === '--version' || name === '-V') {
    output.out(`${packageVersion()}\n`)
    return 0
  }
  const command = commands.get(name)
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)} (see havip --help)`)
  if (wantsHelp(rest)) {
    output.out(`${command.usage}\n`)
    return 0
  }
  return command.run(rest, output)
}

/** Every failure ends as one line on stderr and an exit code; a stack trace only with HAVIP_DEBUG. */
const failed = (output: Output) => (e: unknown): number => {
  if (e instanceof UsageError) {
    output.err(`havip: ${e.message}\n`)
    return 2
  }
  output.err(`havip: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`)
  if (process.env.HAVIP_DEBUG !== undefined && e instanceof Error && e.stack !== undefined) output.err(`${e.stack}\n`)
  return 2
}

const output = processOutput()
const report = failed(output)
try {
  const code = run(process.argv.slice(2), output)
  if (typeof code === 'number') process.exitCode = code
  else code.then((c) => { process.exitCode = c }, (e: unknown) => { process.exitCode = report(e) })
} catch (e) {
  process.exitCode = report(e)
}
