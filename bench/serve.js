// The endpoint benchmark (npm run bench:serve): acknowledged changes per second through havip serve
// against a bare server that appends and fdatasyncs each request (the floor for "durable before
// acknowledged"), in the same run with the same client, at 1,000 and 1,000,000 resources; restart
// time with a long journal against a cold start; resident memory. Writes its section of
// docs/performance.md. Not a test: timings depend on the machine.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { headerRecord, journalLine } from '../dist/journal/format.js'
import { buildJson, freeTarget } from './account.js'
import { compare, start, stop } from './servers.js'
import { replaceSection } from './report.js'

const sizes = (process.env.BENCH_SIZES ?? '1000,1000000').split(',').map(Number)
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const journalRecords = Number(process.env.BENCH_JOURNAL ?? 100_000)
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
const bare = new URL('./bare-server.js', import.meta.url).pathname

/** Peak resident memory of a process, in MiB (Linux). */
const peakRssMiB = (pid) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

/** A journal of `count` changes (16 a line, as group commit writes them) for the snapshot file at `path`. */
const writeJournal = (path, n, count) => {
  const haVipCount = Math.max(1, Math.floor(n / 100))
  const targets = Math.min(haVipCount, 5000)
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
  const lines = [journalLine(headerRecord({ sha256, seq: 0 }))]
  for (let first = 1; first <= count; first += 16) {
    const changes = []
    for (let k = first - 1; k < Math.min(first + 15, count); k++) {
      const t = k % targets
      const action = Math.floor(k / targets) % 2 === 0 ? 'AssociateHaVip' : 'DisassociateHaVip'
      changes.push({ requestId: `bench-${k}`, params: { Action: action, Version: '2020-04-01', HaVipId: `havip-${t}`, InstanceId: freeTarget(n, t, 0) } })
    }
    lines.push(journalLine({ seq: first, changes }))
  }
  writeFileSync(`${path}.journal`, Buffer.concat(lines))
}

const results = []
for (const n of sizes) {
  const folder = mkdtempSync(join(tmpdir(), 'havip-bench-'))
  try {
    const path = join(folder, 'snapshot.json')
    const text = JSON.stringify(buildJson(n))
    writeFileSync(path, text)
    const bytes = Buffer.byteLength(text)

    const cold = await start([cli, 'serve', '--snapshot', path, '--port', '0'])
    const floor = await start([bare, join(folder, 'bare.log')])
    const [bareOne, havipOne] = await compare([floor.url, cold.url], n, 1)
    const [bareSixteen, havipSixteen] = await compare([floor.url, cold.url], n, 16)
    const rss = peakRssMiB(cold.child.pid)
    const stopMs = await stop(cold.child)

    // Compaction under load: the journal folded away every 1/64 of the snapshot while 16 clients go on.
    const compacting = await start([cli, 'serve', '--snapshot', path, '--port', '0', '--compact-after', String(Math.max(256 * 1024, Math.floor(bytes / 64)))])
    const [, havipCompacting] = await compare([floor.url, compacting.url], n, 16)
    const rssCompacting = peakRssMiB(compacting.child.pid)
    await stop(compacting.child)
    await stop(floor.child)

    // The load runs left bindings behind: the journal continues the account as generated.
    writeFileSync(path, text)
    writeJournal(path, n, journalRecords)
    const restarted = await start([cli, 'serve', '--snapshot', path, '--port', '0'])
    await stop(restarted.child, 'SIGKILL')

    results.push({ n, mib: bytes / 2 ** 20, coldMs: cold.ms, restartMs: restarted.ms, stopMs, rss, rssCompacting, havipOne, havipSixteen, havipCompacting, bareOne, bareSixteen })
    console.error(`N=${n} done`)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

const f = (x, d = 0) => x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d })
const lat = (r) => `${f(r.p50, 1)} / ${f(r.p99, 1)} / ${f(r.max, 1)}`
const table = [
  '| N resources | snapshot MiB | clients | bare server changes/s | havip serve changes/s | havip ÷ bare | havip latency ms (p50 / p99 / max) |',
  '|---|---|---|---|---|---|---|',
  ...results.flatMap((r) => [
    `| ${f(r.n)} | ${f(r.mib, 1)} | 1 | ${f(r.bareOne.perSecond)} | ${f(r.havipOne.perSecond)} | ${f(r.havipOne.perSecond / r.bareOne.perSecond, 2)} | ${lat(r.havipOne)} |`,
    `| ${f(r.n)} | ${f(r.mib, 1)} | 16 | ${f(r.bareSixteen.perSecond)} | ${f(r.havipSixteen.perSecond)} | ${f(r.havipSixteen.perSecond / r.bareSixteen.perSecond, 2)} | ${lat(r.havipSixteen)} |`,
    `| ${f(r.n)} | ${f(r.mib, 1)} | 16, compacting | ${f(r.bareSixteen.perSecond)} | ${f(r.havipCompacting.perSecond)} | ${f(r.havipCompacting.perSecond / r.bareSixteen.perSecond, 2)} | ${lat(r.havipCompacting)} |`,
  ]),
].join('\n')
const startTable = [
  `| N resources | cold start ms | restart with ${f(journalRecords)} journal records ms | restart ÷ cold | graceful stop (fold the journal) ms | peak RSS MiB | peak RSS while compacting MiB |`,
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${f(r.n)} | ${f(r.coldMs)} | ${f(r.restartMs)} | ${f(r.restartMs / r.coldMs, 2)} | ${f(r.stopMs)} | ${f(r.rss)} | ${f(r.rssCompacting)} |`),
].join('\n')
const small = results.find((r) => r.n === 1000)
const large = results.find((r) => r.n === 1_000_000)
const summary = small && large ? [
  `- One client: havip serve ÷ bare server ${f(small.havipOne.perSecond / small.bareOne.perSecond, 2)}× at 1,000 and ${f(large.havipOne.perSecond / large.bareOne.perSecond, 2)}× at 1,000,000 resources (target: at least 0.7×); 1,000,000 ÷ 1,000: ${f(large.havipOne.perSecond / small.havipOne.perSecond, 2)}× (target: at least 0.66×).`,
  `- 16 clients: havip serve ÷ bare server ${f(small.havipSixteen.perSecond / small.bareSixteen.perSecond, 2)}× at 1,000 and ${f(large.havipSixteen.perSecond / large.bareSixteen.perSecond, 2)}× at 1,000,000 (target: above 1×, by grouping flushes).`,
  `- Restart with ${f(journalRecords)} journal records ÷ cold start at 1,000,000: ${f(large.restartMs / large.coldMs, 2)}× (target: at most 2×); peak resident memory at 1,000,000: ${f(large.rss)} MiB (target: at most 1,536).`,
].join('\n') : ''
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${f(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const section = `Measured by \`npm run bench:serve\` (\`bench/serve.js\`) on ${new Date().toISOString().slice(0, 10)}; ${machine}.
Each row is ${seconds} s of load from one client process (\`bench/client.js\`, a lean keep-alive
client, so that the servers are the bottleneck), alternating between the two servers in ten slices
so that both see the same machine: every request a change (each client binds and unbinds its own
instance). The bare server (\`bench/bare-server.js\`)
appends each request to a file and \`fdatasync\`s it before answering, one flush per request: the
floor for "durable before acknowledged". "Compacting" folds the journal into the snapshot file every
1/64 of the snapshot's size while the clients go on.

${table}

${startTable}

${summary}`
console.log(section)
if (sizes.join(',') === '1000,1000000') replaceSection(new URL('../docs/performance.md', import.meta.url), 'endpoint', section)
