// What the endpoint benchmarks share: server processes, and a load that alternates between them.
import { spawn } from 'node:child_process'
import { freeTarget } from './account.js'
import { run } from './client.js'

const defaultSeconds = Number(process.env.BENCH_SECONDS ?? 5)

/** Starts a server process; resolves with its URL and how long it took to listen. */
export const start = (args) => new Promise((resolve, reject) => {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (c) => { if (err.length < 10_000) err += c })
  child.stdout.on('data', (c) => {
    out += c
    const m = /listening on (http:\/\/\S+)/.exec(out)
    if (m) resolve({ child, url: m[1], ms: Number(process.hrtime.bigint() - started) / 1e6 })
  })
  child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)))
})

export const stop = (child, signal = 'SIGTERM') => new Promise((resolve) => {
  const started = process.hrtime.bigint()
  child.removeAllListeners('exit')
  child.on('exit', () => resolve(Number(process.hrtime.bigint() - started) / 1e6))
  child.kill(signal)
})

/**
 * `clients` clients, each toggling its own instance on a HaVip of its subnet (bind, unbind, …):
 * every request is a change. Runs against each server in turn, in short alternating slices, so
 * that both see the same machine (a shared VM's speed drifts by tens of percent within a minute):
 * acknowledged changes per second and latency percentiles, per server.
 */
export const compare = async (servers, n, clients, { slices = 10, seconds = defaultSeconds } = {}) => {
  const haVipCount = Math.max(1, Math.floor(n / 100))
  const results = servers.map(() => ({ statuses: [], latencies: [], slices: [] }))
  for (let slice = 0; slice < slices; slice++) {
    // Each slice starts with the next server, so that none is always first (or last) after a pause.
    for (let k = 0; k < servers.length; k++) {
      const s = (slice + k) % servers.length
      const url = servers[s]
      const until = Date.now() + (seconds * 1000) / slices
      const runs = await Promise.all(Array.from({ length: clients }, (_, c) => {
        const h = c % haVipCount
        const target = freeTarget(n, h, Math.floor(c / haVipCount))
        // Bind, unbind, …: each slice ends on an unbind, leaving the account as it found it.
        const path = (action) => `/?Action=${action}&Version=2020-04-01&HaVipId=havip-${h}&InstanceId=${target}`
        return run(url, [path('AssociateHaVip'), path('DisassociateHaVip')], until)
      }))
      for (const r of runs) {
        results[s].statuses.push(...r.statuses)
        results[s].latencies.push(...r.latencies)
      }
      results[s].slices[slice] = runs.reduce((sum, r) => sum + r.statuses.filter((status) => status === 200).length, 0)
    }
  }
  return results.map((r) => {
    r.latencies.sort((a, b) => a - b)
    const at = (q) => r.latencies[Math.min(r.latencies.length - 1, Math.floor(q * r.latencies.length))]
    const acknowledged = r.statuses.filter((status) => status === 200).length
    // Per slice too: neighbouring slices of two servers saw nearly the same machine.
    return { perSecond: acknowledged / seconds, perSlice: r.slices, refused: r.statuses.length - acknowledged, p50: at(0.5), p99: at(0.99), max: r.latencies.at(-1) }
  })
}

