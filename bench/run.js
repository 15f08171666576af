// The performance benchmark (npm run bench): per-request cost against snapshots of 10 to
// 1,000,000 resources, and load/save cost. Prints a table and writes docs/performance.md.
// Not a test: timings depend on the machine, so nothing here passes or fails.
import { cpus, totalmem } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { associateHaVip, createHaVip, explain, handle, loadSnapshot, snapshotToJson } from '../dist/index.js'
import { buildJson, requestsFor } from './account.js'
import { replaceSection } from './report.js'
import { lifecycleCalls, lifecycleRequests, loadLifecycle, slash16 } from './lifecycle.js'

const sizes = (process.env.BENCH_SIZES ?? '10,1000,100000,1000000').split(',').map(Number)
const query = (r) =>
  `Action=${r.action}&Version=2020-04-01&HaVipId=${r.haVipId}&InstanceId=${r.instanceId}&InstanceType=${r.instanceType}&ClientToken=${r.clientToken}`

/** Median and mean of per-call times in µs, after a warm-up. */
const measure = (items, fn) => {
  for (const item of items.slice(0, Math.min(2000, items.length))) fn(item)
  const times = new Float64Array(items.length)
  for (let i = 0; i < items.length; i++) {
    const t = process.hrtime.bigint()
    fn(items[i])
    times[i] = Number(process.hrtime.bigint() - t) / 1000
  }
  times.sort()
  const mean = times.reduce((a, b) => a + b, 0) / times.length
  return { median: times[Math.floor(times.length / 2)], mean }
}

const timeOnce = (fn) => {
  const t = process.hrtime.bigint()
  const value = fn()
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value }
}

const heapMiB = () => {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

// Warm the loader's code, so that the smallest N measures loading, not compiling.
for (let i = 0; i < 50; i++) loadSnapshot(JSON.parse(JSON.stringify(buildJson(100))))

/** The median time of `fn` over `runs` runs (one run for large inputs). */
const medianOnce = (runs, fn) => {
  const results = Array.from({ length: runs }, () => timeOnce(fn)).sort((a, b) => a.ms - b.ms)
  return results[Math.floor(runs / 2)]
}

/**
 * The floor that no layout avoids: three lookups of random keys in native Maps as large as the
 * snapshot's (the ledger, the instances, the ENIs), as a request makes. Their cost grows with N
 * only through cache and TLB misses.
 */
const mapFloor = (json, requests) => {
  const ledger = new Map(json.ClientTokens.map((e) => [`${e.Action}${e.ClientToken}`, e]))
  const instances = new Map(json.Instances.map((i) => [i.InstanceId, i]))
  const enis = new Map(json.NetworkInterfaces.map((e) => [e.NetworkInterfaceId, e]))
  return measure(requests, (r) => ledger.get(`AssociateHaVip${r.clientToken}`) ?? instances.get(r.instanceId) ?? enis.get(r.haVipId))
}

const rows = []
for (const n of sizes) {
  const json = buildJson(n)
  const text = JSON.stringify(json)
  const runs = n <= 1000 ? 21 : 1
  const before = heapMiB()
  const parse = medianOnce(runs, () => JSON.parse(text))
  const load = medianOnce(runs, () => loadSnapshot(parse.value))
  if (E.isLeft(load.value)) throw new Error(load.value.left.message)
  const s = load.value.right
  const heap = heapMiB() - before
  const save = timeOnce(() => JSON.stringify(snapshotToJson(associateHaVip(s, requestsFor(n, 1)[0]).right)))

  const requests = requestsFor(n, 20000)
  const ok = requests.filter((r) => E.isRight(associateHaVip(s, r)))
  if (ok.length !== requests.length) throw new Error(`${requests.length - ok.length} bench requests failed at N=${n}`)
  const queries = requests.map(query)
  const associate = measure(requests, (r) => associateHaVip(s, r))
  const pre = measure(requests, (r) => explain(s, r))
  const endToEnd = measure(queries, (q) => handle(s, q, { requestId: 'bench' }))
  // 1,000 tokened requests in a row: each on the state the previous left, so the ledger grows.
  const floor = mapFloor(json, requests)
  let state = s
  const sequence = measure(queries.slice(0, 1000), (q) => { state = handle(state, q, { requestId: 'bench' }).snapshot })

  // The HaVip's life, at 1,000 and 1,000,000 only: its own account, with subnets and free HaVips.
  let life
  if (n === 1000 || n === 1_000_000) {
    const ls = loadLifecycle(n)
    const lrs = lifecycleRequests(n, 20000)
    for (const [kind, call] of Object.entries(lifecycleCalls)) {
      const failed = lrs.filter((r) => E.isLeft(call(ls, r)))
      if (failed.length > 0) throw new Error(`${failed.length} ${kind} bench requests failed at N=${n}: ${call(ls, failed[0]).left.message}`)
    }
    life = Object.fromEntries(Object.entries(lifecycleCalls).map(([kind, call]) => [kind, measure(lrs, (r) => call(ls, r))]))
  }

  rows.push({
    life,
    n, haVips: json.HaVips.length, ledger: json.ClientTokens.length, mb: text.length / 2 ** 20,
    associate, explain: pre, handle: endToEnd, sequence, floor,
    parseMs: parse.ms, loadMs: load.ms, saveMs: save.ms, heap,
  })
  console.error(`N=${n} done`)
}

const f = (x, d = 1) => x.toFixed(d)
const header = '| N resources | HaVips | ledger | JSON MiB | associate µs (median / mean) | explain µs | handle µs | 1,000-request sequence µs | floor: 3 random Map.get µs | JSON.parse ms | loadSnapshot ms | load ÷ parse | save ms | heap after parse + load MiB |'
const us = (x) => `${f(x.median, 2)} / ${f(x.mean, 2)}`
const table = [header, `|${'---|'.repeat(14)}`, ...rows.map((r) =>
  `| ${r.n.toLocaleString('en')} | ${r.haVips.toLocaleString('en')} | ${r.ledger.toLocaleString('en')} | ${f(r.mb)} | ${us(r.associate)} | ${us(r.explain)} | ${us(r.handle)} | ${us(r.sequence)} | ${us(r.floor)} | ${f(r.parseMs)} | ${f(r.loadMs)} | ${f(r.loadMs / r.parseMs, 2)} | ${f(r.saveMs)} | ${f(Math.max(r.heap, 0), 0)} |`)].join('\n')

const first = rows.find((r) => r.n === 1000)
const last = rows.find((r) => r.n === 1_000_000)
const hundredK = rows.find((r) => r.n === 100_000)
const ratio = (k) => (first && last ? f(last[k].median / first[k].median, 2) : 'n/a')
const perSecond = (x) => Math.round(1e6 / x.mean).toLocaleString('en')
const summary = [
  `- Per-request cost at N = 1,000,000 ÷ at N = 1,000 (medians): associate ${ratio('associate')}×, explain ${ratio('explain')}×, handle ${ratio('handle')}×, 1,000-request sequence ${ratio('sequence')}× (target: at most 2×); the floor of three native Map lookups: ${ratio('floor')}×.`,
  hundredK ? `- At N = 100,000 on one core: associateHaVip ${perSecond(hundredK.associate)} requests/s (target 100,000), explain ${perSecond(hundredK.explain)} /s (target 300,000), handle ${perSecond(hundredK.handle)} /s.` : '',
  `- loadSnapshot ÷ JSON.parse: ${rows.map((r) => `${f(r.loadMs / r.parseMs, 2)}× at ${r.n.toLocaleString('en')}`).join(', ')} (target: at most 2.5×).`,
].filter(Boolean).join('\n')

// CreateHaVip in a /16 whose 60,000 lowest addresses are in use, against an empty /16.
const slashRows = [0, 60_000].map((used) => {
  const s = slash16(used)
  const creates = Array.from({ length: 20000 }, (_, k) => ({ action: 'CreateHaVip', subnetId: 'subnet-big', clientToken: `b-${k}` }))
  const first = createHaVip(s, creates[0])
  if (E.isLeft(first)) throw new Error(first.left.message)
  return { used, address: first.right.result.IpAddress, create: measure(creates, (r) => createHaVip(s, r)) }
})

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${f(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`
console.log(`${table}\n\n${summary}\n\nMachine: ${machine}`)

if (sizes.join(',') === '10,1000,100000,1000000') {
  replaceSection(new URL('../docs/performance.md', import.meta.url), 'library', `Measured by \`npm run bench\` (\`bench/run.js\`) on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.

Each snapshot holds N resources (N/2 instances, N/2 ENIs), N/100 HaVips each bound to two
instances, and an idempotency ledger of N tokens. Per-request times are over 20,000 different
AssociateHaVip requests that succeed, each with a new ClientToken, each against the same loaded
snapshot (the new snapshot is made and dropped); "sequence" applies 1,000 tokened requests in a
row (a bind and its unbind, 500 times), each to the state the previous one left, so the ledger
and the overlay grow. "Floor" is three lookups of the same random keys in bare native Maps as
large as the snapshot's: what any layout pays for touching memory at random. Times in µs are
median / mean; requests per second are 1 / mean. Load and parse times are medians of 21 runs
up to N = 1,000, single runs above; "save" is one change, then \`snapshotToJson\` and
\`JSON.stringify\` of the result.

${table}

${summary}`)
}

const lifeRows = rows.filter((r) => r.life !== undefined)
if (lifeRows.length > 0) {
  const lifeTable = [
    '| N resources | CreateHaVip µs (median / mean) | DeleteHaVip µs | ModifyHaVipAttributes µs | GetAsyncTaskStatus µs | floor: 3 random Map.get µs |',
    `|${'---|'.repeat(6)}`,
    ...lifeRows.map((r) => `| ${r.n.toLocaleString('en')} | ${us(r.life.create)} | ${us(r.life.delete)} | ${us(r.life.modify)} | ${us(r.life.status)} | ${us(r.floor)} |`),
  ].join('\n')
  const a = lifeRows.find((r) => r.n === 1000)
  const b = lifeRows.find((r) => r.n === 1_000_000)
  const lifeRatio = (k) => (a && b ? f(b.life[k].median / a.life[k].median, 2) : 'n/a')
  const slashTable = [
    '| /16 10.0.0.0/16 | lowest free address | CreateHaVip µs (median / mean) |',
    '|---|---|---|',
    ...slashRows.map((r) => `| ${r.used.toLocaleString('en')} addresses in use | ${r.address} | ${us(r.create)} |`),
  ].join('\n')
  const lifeSummary = [
    `- Per-request cost at N = 1,000,000 ÷ at N = 1,000 (medians): CreateHaVip ${lifeRatio('create')}×, DeleteHaVip ${lifeRatio('delete')}×, ModifyHaVipAttributes ${lifeRatio('modify')}×, GetAsyncTaskStatus ${lifeRatio('status')}× (target: at most 2×); the floor: ${a && b ? f(b.floor.median / a.floor.median, 2) : 'n/a'}×.`,
    `- CreateHaVip in a /16 with 60,000 addresses in use ÷ in an empty /16 (medians): ${f(slashRows[1].create.median / slashRows[0].create.median, 2)}× (target: at most 2×).`,
  ].join('\n')
  console.log(`\n${lifeTable}\n\n${slashTable}\n\n${lifeSummary}`)
  if (a && b) {
    replaceSection(new URL('../docs/performance.md', import.meta.url), 'lifecycle', `Measured by \`npm run bench\` (\`bench/run.js\`, \`bench/lifecycle.js\`) on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.

The account of the library benchmark with, for each of its N/100 HaVips, a /24 subnet and a free
HaVip besides (so N/50 HaVips), a task ledger of 10,000 tasks, and quotas out of the way. Each
column is 20,000 different requests that succeed, each against the same loaded snapshot (the new
snapshot is made and dropped): CreateHaVip in a random subnet with a new ClientToken, DeleteHaVip
of a random free HaVip, ModifyHaVipAttributes renaming a random HaVip (with \`now\`), and
GetAsyncTaskStatus of a random task of the ledger. The /16 rows create a HaVip without an address
in one 10.0.0.0/16 whose lowest 60,000 assignable addresses are ENIs' (the first free one is then
10.0.234.98), and in an empty one.

${lifeTable}

${slashTable}

${lifeSummary}`)
  }
}
