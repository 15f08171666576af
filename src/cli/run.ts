import { UsageError } from '../io/usage-error.js'
import { packageVersion } from '../io/version.js'
import { callCommand, callUsage } from './call-command.js'
import { checkCommand, checkUsage } from './check-command.js'
import type { CliIo } from './io.js'
import { planCommand, planUsage } from './plan-command.js'
import { serveCommand, serveUsage } from './serve-command.js'
import { snapshotCommand, snapshotUsage } from './snapshot-command.js'

interface Command {
  readonly usage: string
  readonly run: (argv: ReadonlyArray<string>, io: CliIo) => number | Promise<number>
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

const dispatch = (argv: ReadonlyArray<string>, io: CliIo): number | Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(`${topUsage}\n`)
    return 2
  }
  if (name === '--help' || name === '-h') {
    io.out(`${topUsage}\n`)
    return 0
  }
  if (name === '--version' || name === '-V') {
    io.out(`${packageVersion()}\n`)
    return 0
  }
  const command = commands.get(name)
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)} (see havip --help)`)
  if (wantsHelp(rest)) {
    io.out(`${command.usage}\n`)
    return 0
  }
  return command.run(rest, io)
}

/** Every failure ends as one line on stderr and exit code 2; a stack trace only with HAVIP_DEBUG. */
const failed = (io: CliIo, e: unknown): number => {
  if (e instanceof UsageError) {
    io.err(`havip: ${e.message}\n`)
    return 2
  }
  io.err(`havip: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`)
  if (io.env.HAVIP_DEBUG !== undefined && e instanceof Error && e.stack !== undefined) io.err(`${e.stack}\n`)
  return 2
}

/** `havip ARGV…`: runs the command and answers its exit code; never fails. */
export const runCli = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  try {
    return await dispatch(argv, io)
  } catch (e) {
    return failed(io, e)
  }
}
