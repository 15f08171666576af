// The plan benchmark (npm run bench:plan): checkPlan on plans of 100 to 10,000 binding changes
// against accounts of about 13,000 to 1,000,000 resources, beside JSON.parse of the same plan as a
// baseline. Prints a table and writes the plan section of docs/performance.md.
// Not a test: timings depend on the machine, so nothing here passes or fails.
import { cpus } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { checkPlan, loadSnapshot } from '../dist/index.js'
import { buildJson } from './account.js'
import { replaceSection } from './report.js'

const sizes = (process.env.BENCH_ACCOUNTS ?? '1000,100000,1000000').split(',').map(Number)
const plans = (process.env.BENCH_PLANS ?? '100,1000,10000').split(',').map(Number)
const RUNS = 5

// Every plan works on the same part of the account, whatever its size, so that the verdicts (and
// the work behind them) are the same and only the account's size differs: AREA HaVips, each in its
// own subnet with PER_HAVIP instances of that subnet, the first two of them bound.
const AREA = 100
const PER_HAVIP = 120
const area = () => ({
  HaVips: Array.from({ length: AREA }, (_, h) => ({
    HaVipId: `pv-${h}`, SubnetId: `ps-${h}`, VpcId: 'vpc-1', IpAddress: '192.168.1.9', Status: 'InUse',
    AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: [`pi-${h}`, `pi-${h + AREA}`],
  })),
  Instances: Array.from({ length: AREA * PER_HAVIP }, (_, i) => ({
    InstanceId: `pi-${i}`, Status: 'RUNNING', VpcId: 'vpc-1',
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-pp${i}`, SubnetId: `ps-${i % AREA}`, Type: 'primary' }],
  })),
})
const accountOf = (n) => {
  const json = buildJson(n)
  const extra = area()
  return { ...json, HaVips: [...json.HaVips, ...extra.HaVips], Instances: [...json.Instances, ...extra.Instances], Quotas: { InstancesPerHaVip: 100, HaVipsPerInstance: 5 } }
}
/** The k-th instance of HaVip h's subnet that is not bound at the start. */
const free = (h, k) => `pi-${h + (2 + (k % (PER_HAVIP - 2))) * AREA}`

const provider = 'registry.terraform.io/volcengine/volcengine'
const binding = (haVip, instance) => ({ ha_vip_id: haVip, instance_id: instance, instance_type: 'EcsInstance' })

/**
 * A plan of `size` binding changes, as terraform show -json prints it: mostly new bindings of free
 * instances to existing HaVips, some deletes and replaces (both orders) of existing bindings, and
 * new HaVips in a module, bound to instances by reference. Past the quota (100 targets a HaVip),
 * new bindings fail.
 */
const planFor = (size) => {
  const changes = []
  const add = (address, type, name, index, actions, before, after, afterUnknown, moduleAddress) => {
    changes.push({
      address, ...(moduleAddress === undefined ? {} : { module_address: moduleAddress }), mode: 'managed', type, name,
      ...(index === undefined ? {} : { index }), provider_name: provider,
      change: { actions, before, after, after_unknown: afterUnknown, before_sensitive: false, after_sensitive: {} },
    })
  }
  let made = 0
  for (let k = 0; made < size; k++) {
    const h = k % AREA
    const round = Math.floor(k / AREA)
    const kind = k % 10
    if (kind < 6 || round > 1) {
      add(`volcengine_ha_vip_associate.bind[${k}]`, 'volcengine_ha_vip_associate', 'bind', k, ['create'], null, binding(`pv-${h}`, free(h, round)), { id: true })
      made += 1
    } else if (kind === 6) {
      add(`volcengine_ha_vip_associate.old[${k}]`, 'volcengine_ha_vip_associate', 'old', k, ['delete'], { id: 'x', ...binding(`pv-${h}`, `pi-${h}`) }, null, {})
      made += 1
    } else if (kind === 7 || kind === 8) {
      const actions = kind === 7 ? ['delete', 'create'] : ['create', 'delete']
      add(`volcengine_ha_vip_associate.swap[${k}]`, 'volcengine_ha_vip_associate', 'swap', k, actions,
        { id: 'x', ...binding(`pv-${h}`, `pi-${h + AREA}`) }, binding(`pv-${h}`, free(h, 100 + round)), { id: true })
      made += 2
    } else {
      const m = `module.vip["${k}"]`
      add(`${m}.volcengine_ha_vip.this`, 'volcengine_ha_vip', 'this', undefined, ['create'], null, { subnet_id: `ps-${h}` }, { id: true, ip_address: true }, m)
      add(`${m}.volcengine_ha_vip_associate.this`, 'volcengine_ha_vip_associate', 'this', undefined, ['create'], null,
        { instance_id: free(h, 110 + round), instance_type: 'EcsInstance' }, { id: true, ha_vip_id: true }, m)
      made += 1
    }
  }
  const module = [
    { address: 'volcengine_ha_vip.this', mode: 'managed', type: 'volcengine_ha_vip', name: 'this', expressions: { subnet_id: { references: ['var.subnet_id'] } } },
    { address: 'volcengine_ha_vip_associate.this', mode: 'managed', type: 'volcengine_ha_vip_associate', name: 'this', expressions: { ha_vip_id: { references: ['volcengine_ha_vip.this.id', 'volcengine_ha_vip.this'] } } },
  ]
  return {
    format_version: '1.2', terraform_version: '1.9.8', resource_changes: changes,
    configuration: { root_module: { module_calls: { vip: { source: './modules/vip', module: { resources: module } } } } },
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const timed = (fn) => {
  const times = []
  let value
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint()
    value = fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return { ms: median(times), value }
}

const rows = []
const texts = new Map(plans.map((size) => [size, JSON.stringify(planFor(size))]))
for (const n of sizes) {
  const json = accountOf(n)
  const resources = json.HaVips.length + json.Instances.length + json.NetworkInterfaces.length
  const loaded = loadSnapshot(json)
  if (E.isLeft(loaded)) throw new Error(loaded.left.message)
  for (const size of plans) {
    const text = texts.get(size)
    const parse = timed(() => JSON.parse(text))
    const check = timed(() => checkPlan(loaded.right, JSON.parse(text)))
    if (E.isLeft(check.value)) throw new Error(check.value.left.message)
    const { summary, findings } = check.value.right
    rows.push({ n: resources, size, findings: findings.length, summary, parseMs: parse.ms, checkMs: check.ms })
    console.log(`${String(resources).padStart(7)} resources, ${String(size).padStart(6)} changes: checkPlan ${check.ms.toFixed(1)} ms (JSON.parse ${parse.ms.toFixed(1)} ms); ${summary.pass} pass, ${summary.fail} fail, ${summary.unknown} unknown`)
  }
}

const fmt = (x) => x.toLocaleString('en-US')
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'an unknown CPU'}, Node ${process.version}; median of ${RUNS} runs.`,
  '',
  '| Account (resources) | Planned binding changes | `checkPlan` (ms, JSON.parse included) | `JSON.parse` of the plan (ms) | Verdicts (pass / fail / unknown) |',
  '|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${fmt(r.n)} | ${fmt(r.findings)} | ${r.checkMs.toFixed(1)} | ${r.parseMs.toFixed(1)} | ${fmt(r.summary.pass)} / ${fmt(r.summary.fail)} / ${fmt(r.summary.unknown)} |`),
].join('\n')
replaceSection(new URL('../docs/performance.md', import.meta.url), 'plan', table)
console.log('\nwrote the plan section of docs/performance.md')
