// Where a lone client's change goes (npm run bench:one-client): four servers side by side, one
// client, in alternating slices (bench/servers.js): the bare server with and without its flush, and
// havip serve with its journal and in memory. The differences say what the flush costs each server
// and what havip's own work costs beside node:http's. Not a test: timings depend on the machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildJson } from './account.js'
import { compare, start, stop } from './servers.js'

const n = Number(process.env.BENCH_SIZE ?? 1000)
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
const bare = new URL('./bare-server.js', import.meta.url).pathname
const folder = mkdtempSync(join(tmpdir(), 'havip-bench-'))
try {
  const text = JSON.stringify(buildJson(n))
  for (const name of ['journal', 'memory']) writeFileSync(join(folder, `${name}.json`), text)
  const servers = [
    ['bare server, fdatasync a request', await start([bare, join(folder, 'bare.log')])],
    ['bare server, nothing written', await start([bare, join(folder, 'none.log'), '--no-flush'])],
    ['havip serve', await start([cli, 'serve', '--snapshot', join(folder, 'journal.json'), '--port', '0'])],
    ['havip serve --in-memory', await start([cli, 'serve', '--snapshot', join(folder, 'memory.json'), '--port', '0', '--in-memory'])],
  ]
  const results = await compare(servers.map(([, s]) => s.url), n, 1)
  for (const [, s] of servers) await stop(s.child)
  const us = results.map((r) => 1e6 / r.perSecond)
  const [bareFlushed, bareBare, havip, memory] = us
  const f = (x) => x.toFixed(0).padStart(5)
  console.log(`One client, ${n.toLocaleString('en')} resources: microseconds a change (round trip)`)
  for (const [i, [name]] of servers.entries()) console.log(`${f(us[i])}  ${name}`)
  console.log(`${f(bareFlushed - bareBare)}  the bare server's flush (write + fdatasync)`)
  console.log(`${f(havip - memory)}  havip serve's durability (journal line, length line, identity check, fdatasync)`)
  console.log(`${f(memory - bareBare)}  havip serve's own work beside node:http (parameters, rules, answer, trace, log)`)
  console.log(`havip ÷ bare: ${(bareFlushed / havip).toFixed(2)}`)
} finally {
  rmSync(folder, { recursive: true, force: true })
}
