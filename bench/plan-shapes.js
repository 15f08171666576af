// The plan-shape benchmark (npm run bench:plan-shapes): plans whose cost once grew with the square of
// their size — N bindings of an unknown instance type, or to a HaVip known only after apply,
// followed by N that pass; N HaVips created by the plan — each checked at N and 4N. Linear work
// gives a ratio near 4 in time and in output; the check is that each ratio stays under 8.
// Prints a table and writes the plan-shapes section of docs/performance.md.
// Timings depend on the machine; the ratio compares two sizes in the same run.
import { cpus } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { checkPlan, loadSnapshot } from '../dist/index.js'
import { planJson, planText } from '../dist/report/plan.js'
import { style } from '../dist/report/style.js'
import { replaceSection } from './report.js'

const RUNS = 3
const provider = 'registry.terraform.io/volcengine/volcengine'

const change = (type, name, index, actions, after, afterUnknown) => ({
  address: `${type}.${name}[${index}]`, mode: 'managed', type, name, index, provider_name: provider,
  change: { actions, before: null, after, after_unknown: afterUnknown },
})
const planOf = (changes, resources) => ({
  format_version: '1.2', terraform_version: '1.9.8', planned_values: { root_module: {} }, resource_changes: changes,
  configuration: { root_module: { resources } },
})
const config = (type, name, expressions) => ({ address: `${type}.${name}`, mode: 'managed', type, name, expressions, schema_version: 0 })

// An account of n HaVips, free, and 2n instances in their subnet; the default quotas.
const accountOf = (n) => ({
  Region: 'cn-beijing',
  HaVips: Array.from({ length: n }, (_, i) => ({ HaVipId: `havip-${i}`, SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] })),
  Instances: Array.from({ length: 2 * n }, (_, i) => ({ InstanceId: `i-${i}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${i}`, SubnetId: 'subnet-a', Type: 'primary' }] })),
})

const associate = 'volcengine_ha_vip_associate'
const shapes = {
  // N bindings whose instance_type comes from a variable, then N known ones.
  'unknown instance_type, then passing': (n) => planOf([
    ...Array.from({ length: n }, (_, i) => change(associate, 'maybe', i, ['create'], { ha_vip_id: `havip-${i}`, instance_id: `i-${i}` }, { id: true, instance_type: true })),
    ...Array.from({ length: n }, (_, i) => change(associate, 'sure', i, ['create'], { ha_vip_id: `havip-${i}`, instance_id: `i-${n + i}`, instance_type: 'EcsInstance' }, { id: true })),
  ], [config(associate, 'maybe', { instance_type: { references: ['var.type'] } }), config(associate, 'sure', {})]),
  // N bindings to a HaVip read at apply time, then N known ones.
  'unknown HaVip id, then passing': (n) => planOf([
    ...Array.from({ length: n }, (_, i) => change(associate, 'maybe', i, ['create'], { instance_id: `i-${i}`, instance_type: 'EcsInstance' }, { id: true, ha_vip_id: true })),
    ...Array.from({ length: n }, (_, i) => change(associate, 'sure', i, ['create'], { ha_vip_id: `havip-${i}`, instance_id: `i-${n + i}`, instance_type: 'EcsInstance' }, { id: true })),
  ], [config(associate, 'maybe', { ha_vip_id: { references: ['var.havip'] } }), config(associate, 'sure', {})]),
  // N HaVips created by the plan, each bound to an instance.
  'created HaVips, each bound': (n) => planOf([
    ...Array.from({ length: n }, (_, i) => change('volcengine_ha_vip', 'h', i, ['create'], { subnet_id: 'subnet-a' }, { id: true })),
    ...Array.from({ length: n }, (_, i) => change(associate, 'b', i, ['create'], { instance_id: `i-${i}`, instance_type: 'EcsInstance' }, { id: true, ha_vip_id: true })),
  ], [config('volcengine_ha_vip', 'h', { subnet_id: { constant_value: 'subnet-a' } }), config(associate, 'b', { ha_vip_id: { references: ['volcengine_ha_vip.h[count.index].id', 'volcengine_ha_vip.h', 'count.index'] } })]),
}

// BENCH_SCALE=0.1 runs a tenth of the sizes (the code before the fix ran out of memory at full size).
const scale = Number(process.env.BENCH_SCALE ?? 1)
const sizes = Object.fromEntries(Object.entries({ 'unknown instance_type, then passing': 2000, 'unknown HaVip id, then passing': 2000, 'created HaVips, each bound': 12500 }).map(([k, v]) => [k, Math.round(v * scale)]))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const measure = (shape, n) => {
  const loaded = loadSnapshot(accountOf(4 * sizes[shape]))
  if (E.isLeft(loaded)) throw new Error(loaded.left.message)
  const plan = shapes[shape](n)
  const times = []
  let bytes = 0
  let summary
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint()
    const checked = checkPlan(loaded.right, plan)
    if (E.isLeft(checked)) throw new Error(checked.left.message)
    const text = planText(checked.right, style(false))
    const json = planJson(checked.right)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    bytes = Buffer.byteLength(text) + Buffer.byteLength(json)
    summary = checked.right.summary
  }
  return { ms: median(times), bytes, summary }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const rows = []
let worst = 0
for (const shape of Object.keys(shapes)) {
  const n = sizes[shape]
  const small = measure(shape, n)
  const large = measure(shape, 4 * n)
  const timeRatio = large.ms / small.ms
  const sizeRatio = large.bytes / small.bytes
  worst = Math.max(worst, timeRatio, sizeRatio)
  const s = large.summary
  rows.push(`| ${shape} | ${fmt(n)} | ${fmt(small.ms, 1)} | ${fmt(small.bytes / 1024)} | ${fmt(4 * n)} | ${fmt(large.ms, 1)} | ${fmt(large.bytes / 1024)} | ${fmt(timeRatio, 2)} | ${fmt(sizeRatio, 2)} | ${fmt(s.pass)} / ${fmt(s.fail)} / ${fmt(s.unknown)} |`)
  console.log(rows.at(-1))
}

const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model.trim() ?? 'an unknown CPU'}, Node ${process.version}; median of ${RUNS} runs, the text and JSON reports included.`,
  '',
  '| Plan shape | N | time at N (ms) | output at N (KiB) | 4N | time at 4N (ms) | output at 4N (KiB) | time ratio | output ratio | verdicts at 4N (pass / fail / unknown) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows,
].join('\n')
replaceSection(new URL('../docs/performance.md', import.meta.url), 'plan-shapes', table)
console.log(`\nworst ratio ${worst.toFixed(2)} (linear: about 4; the bound: 8)`)
console.log('wrote the plan-shapes section of docs/performance.md')
if (worst >= 8) process.exitCode = 1
