import { readSnapshotFile } from '../io/snapshot-file.js'
import { checkJsonLines, checkText } from '../report/check.js'
import { style } from '../report/style.js'
import type { CliIo } from './io.js'
import { wantsColour } from './io.js'
import { parseCommandArgs, readQueries, required } from './args.js'
import { checkQueries } from './queries.js'

export const checkUsage = `usage: havip check --snapshot FILE [--independent] [--json] QUERY...

Says, for each query, whether it would succeed and every reason it would not: the error id, code,
HTTP status, English and Chinese messages, and the facts behind it; the reason the API would
answer with is marked. Then a summary line. Saves nothing.

A journal beside the snapshot (left by a havip serve that was killed) is replayed first.

Queries are chained by default: each is judged on the state the queries before it would leave (the
second binding of one target fails because the first took it), as havip call would apply them.

  --snapshot FILE  the snapshot to check against
  --independent    judge each query on the snapshot as loaded, not on what the others would leave
  --json           one JSON object per query and line instead of text (keys as the library's:
                   id, code, status, message, messageZh, facts; "answered" marks the API's answer)

Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR on.
Exit: 0 every query would succeed, 1 one would not, 2 a usage error or an input that cannot be used.`

/** `havip check`. */
export const checkCommand = (argv: ReadonlyArray<string>, io: CliIo): number => {
  const { values, positionals } = parseCommandArgs('check', {
    snapshot: { type: 'string' },
    independent: { type: 'boolean' },
    json: { type: 'boolean' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'check')
  const queries = readQueries(positionals, 'check', io.stdin)
  const checks = checkQueries(readSnapshotFile(snapshotPath).snapshot, queries, values.independent === true)
  io.out(values.json === true ? checkJsonLines(checks) : checkText(checks, style(wantsColour(io.stdoutIsTTY, io.env))))
  return checks.every((c) => c.violations.length === 0) ? 0 : 1
}
