import { randomUUID } from 'node:crypto'
import { lockSnapshot } from '../io/lock.js'
import { readSnapshotFile, saveOver } from '../io/snapshot-file.js'
import { resolveTarget } from '../io/target.js'
import { UsageError } from '../io/usage-error.js'
import { isSnapshot } from '../model/snapshot.js'
import type { CliIo } from './io.js'
import { parseCommandArgs, readQueries, required } from './args.js'
import { callQueries } from './queries.js'

export const callUsage = `usage: havip call --snapshot FILE [--out FILE | --write] QUERY...

Applies each query (Action=AssociateHaVip&Version=2020-04-01&...) to the state the previous one
left and prints one Volcengine response body per line (JSON Lines). A QUERY may start with ?, /?
or be a whole URL; - reads queries from standard input, one a line (# starts a comment). A journal
beside the snapshot (left by a havip serve that was killed) is replayed first.

  --snapshot FILE  the snapshot to start from (docs/snapshot.md)
  --out FILE       save the final snapshot to FILE, only if every request succeeded
  --write          save it back to the --snapshot file, likewise (holding its lock meanwhile)

Exit: 0 every request succeeded, 1 an API error (nothing saved), 2 a usage error or an input or
output that cannot be used (another writer holds the file, a full disk: nothing saved).`

/** `havip call`. */
export const callCommand = (argv: ReadonlyArray<string>, io: CliIo): number => {
  const { values, positionals } = parseCommandArgs('call', {
    snapshot: { type: 'string' },
    out: { type: 'string' },
    write: { type: 'boolean' },
  }, argv)
  const snapshotPath = required(values.snapshot, 'snapshot', 'call')
  if (values.out !== undefined && values.write === true) throw new UsageError('give --out FILE or --write, not both')
  const target = values.write === true ? snapshotPath : values.out
  const queries = readQueries(positionals, 'call', io.stdin)
  // One writer per snapshot: take the lock before reading what will be written back.
  const lock = target === undefined ? undefined : lockSnapshot(resolveTarget(target), 'havip call')
  try {
    const result = callQueries(readSnapshotFile(snapshotPath).snapshot, queries, () => randomUUID().toUpperCase())
    io.out(result.bodies.map((body) => `${JSON.stringify(body)}\n`).join(''))
    if (target !== undefined) {
      if (result.allSucceeded && isSnapshot(result.final)) saveOver(target, result.final)
      else io.err(`havip: not saved: a request failed, ${target} is unchanged\n`)
    }
    return result.allSucceeded ? 0 : 1
  } finally {
    lock?.release()
  }
}
