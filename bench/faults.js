// The fault-rule benchmark (npm run bench:faults): acknowledged changes per second through
// havip serve --in-memory (no disk, so that the request path's own cost shows) with the control
// routes off, on with no fault rules, and on with 10,000 rules that never match — for other HaVips
// of the same actions, or for another action — all in the same run, alternating, with the same
// client. Writes its section of docs/performance.md. Not a test: timings depend on the machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { checkRule, FaultRules } from '../dist/server/faults.js'
import { buildJson } from './account.js'
import { replaceSection } from './report.js'
import { compare, start, stop } from './servers.js'

const n = 1000
const rules = Number(process.env.BENCH_RULES ?? 10_000)
const seconds = Number(process.env.BENCH_SECONDS ?? 12)
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

/** Nanoseconds a request's rule lookup takes, over a million lookups, with these rules held. */
const lookupNs = (faults) => {
  const held = new FaultRules()
  const context = { actions: ['AssociateHaVip', 'DisassociateHaVip', 'DescribeInstances'], failTask: () => undefined }
  for (const u of faults) held.add(checkRule(u, '', context))
  const params = new Map([['Action', 'AssociateHaVip'], ['Version', '2020-04-01'], ['HaVipId', 'havip-1'], ['InstanceId', 'i-1']])
  const count = 1_000_000
  let fired = 0
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) if (held.fire(params) !== undefined) fired++
  if (fired !== 0) throw new Error('a rule fired')
  return Number(process.hrtime.bigint() - started) / count
}

const put = async (url, faults) => {
  const res = await globalThis.fetch(`${url}/_havip/faults`, { method: 'PUT', body: JSON.stringify({ faults }) })
  if (res.status !== 200) throw new Error(`PUT /_havip/faults: ${res.status} ${await res.text()}`)
}

const folder = mkdtempSync(join(tmpdir(), 'havip-bench-faults-'))
try {
  const path = join(folder, 'snapshot.json')
  writeFileSync(path, JSON.stringify(buildJson(n)))
  const serve = (...flags) => start([cli, 'serve', '--snapshot', path, '--in-memory', '--port', '0', ...flags])
  const configs = [
    { name: 'control routes off (`--no-control`)', server: await serve('--no-control') },
    { name: 'control routes on, no fault rules', server: await serve() },
    { name: `${rules.toLocaleString('en')} rules on the same actions, other HaVips`, server: await serve(), faults: Array.from({ length: rules }, (_, i) => ({ action: i % 2 === 0 ? 'AssociateHaVip' : 'DisassociateHaVip', match: { HaVipId: `havip-other-${i}` }, effect: 'error', code: 'Throttling' })) },
    { name: `${rules.toLocaleString('en')} rules on another action`, server: await serve(), faults: Array.from({ length: rules }, (_, i) => ({ action: 'DescribeInstances', match: { 'InstanceIds.1': `i-${i}` }, effect: 'error', code: 'Throttling' })) },
  ]
  for (const c of configs) if (c.faults) await put(c.server.url, c.faults)
  const lookups = configs.slice(1).map((c) => lookupNs(c.faults ?? []))
  const results = await compare(configs.map((c) => c.server.url), n, 4, { slices: 40, seconds })
  for (const c of configs) await stop(c.server.child)
  const base = results[1]
  // The median of slice-by-slice ratios: a drift of the machine's speed moves both sides of each.
  const medianRatio = (r) => {
    const ratios = r.perSlice.map((x, i) => x / base.perSlice[i]).sort((a, b) => a - b)
    return ratios[Math.floor(ratios.length / 2)]
  }
  const f = (x, d = 0) => x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d })
  const rows = configs.map((c, i) => {
    const r = results[i]
    const lookup = i === 0 ? '—' : f(lookups[i - 1] ?? 0)
    return `| ${c.name} | ${f(r.perSecond)} | ${f(r.perSecond / base.perSecond, 3)} | ${f(medianRatio(r), 3)} | ${f(r.p50, 2)} / ${f(r.p99, 2)} | ${lookup} |`
  })
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${f(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
  const section = `Measured by \`npm run bench:faults\` (\`bench/faults.js\`) on ${new Date().toISOString().slice(0, 10)}; ${machine}.
Four \`havip serve --in-memory\` processes on a 1,000-resource account, 4 clients each binding and
unbinding its own instance (every request a change, none written to disk, so that the request
path's own cost shows), ${seconds} s each, alternating in 40 slices (each slice starting with the
next server); "median of slice ratios" compares each slice with the same slice of the server with
no rules, which a drift of the shared machine's speed moves alike. "Rule lookup" is what finding the rule for one such request costs, timed alone over a
million lookups in this process. Load average at the start: ${loadavg().map((x) => f(x, 1)).join(', ')}
(other work on the machine).

| server | changes/s | ÷ control on, no rules | median of slice ratios | latency ms (p50 / p99) | rule lookup ns |
|---|---|---|---|---|---|
${rows.join('\n')}`
  console.log(section)
  if (process.env.BENCH_RULES === undefined) replaceSection(new URL('../docs/performance.md', import.meta.url), 'faults', section)
} finally {
  rmSync(folder, { recursive: true, force: true })
}
