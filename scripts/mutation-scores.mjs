// Reads the mutation reports of `npm run mutation` (reports/mutation/SET.json, in the
// mutation-testing-report schema), records each set's counts per folder and the day it ran in
// test/support/mutation-results.json (committed: the reports are not, and a run of one set must
// not drop the others' scores), writes the table of every folder into docs/testing.md between its
// mutation markers, and prints the table and every surviving mutant of the reports present (also
// written to reports/mutation/survivors.md), for the survivors section of docs/testing.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { replaceSection } from '../bench/report.js'

const setsUrl = new URL('../test/support/mutation-sets.json', import.meta.url)
const resultsUrl = new URL('../test/support/mutation-results.json', import.meta.url)
const mutationSets = JSON.parse(readFileSync(setsUrl, 'utf8')).sets
const results = existsSync(resultsUrl) ? JSON.parse(readFileSync(resultsUrl, 'utf8')) : { sets: {} }

/** The mutated code itself (Stryker's columns are 1-based), not its whole line. */
const excerpt = (lines, { start, end }) => lines.slice(start.line - 1, end.line).map((l, i, all) =>
  l.slice(i === 0 ? start.column - 1 : 0, i === all.length - 1 ? end.column - 1 : undefined)).join(' ').replace(/\s+/g, ' ').trim()
const zero = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0 })
const add = (a, b) => Object.fromEntries(Object.keys(zero()).map((k) => [k, a[k] + b[k]]))
const statusKey = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage' }

const survivors = []
for (const set of Object.keys(mutationSets)) {
  const report = `reports/mutation/${set}.json`
  if (!existsSync(report)) continue
  const folders = {}
  for (const [file, { mutants, source }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
    const folder = file.split('/').slice(0, 2).join('/')
    // The signature check is scored on its own as well: the endpoint's trust rests on it.
    const rows = file.endsWith('/signature.ts') ? [folder, file] : [folder]
    const counts = zero()
    const lines = source.split('\n')
    for (const m of mutants) {
      // Ignored, compile and runtime errors are not mutants a test could tell apart.
      if (m.status in statusKey) counts[statusKey[m.status]] += 1
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement ?? '', original: excerpt(lines, m.location), status: m.status })
      }
    }
    for (const key of rows) folders[key] = add(folders[key] ?? zero(), counts)
  }
  results.sets[set] = { measured: statSync(report).mtime.toISOString().slice(0, 10), folders }
}
// A set no longer defined has no place in the table.
results.sets = Object.fromEntries(Object.entries(results.sets).filter(([set]) => set in mutationSets))
writeFileSync(resultsUrl, `${JSON.stringify(results, null, 2)}\n`)

const byFolder = new Map()
for (const [set, { measured, folders }] of Object.entries(results.sets)) {
  for (const [folder, counts] of Object.entries(folders)) {
    const row = byFolder.get(folder) ?? { counts: zero(), sets: [] }
    byFolder.set(folder, { counts: add(row.counts, counts), sets: [...row.sets, `${set} (${measured})`] })
  }
}
const score = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid
}
// Every folder of src/ has a row, measured or not.
const unmeasured = readdirSync('src', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`).filter((f) => !byFolder.has(f))
const total = [...byFolder].filter(([key]) => !key.endsWith('.ts')).map(([, r]) => r.counts).reduce(add, zero())
const row = (name, c, sets) => `| ${name} | ${c.killed + c.timeout + c.survived + c.noCoverage} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${score(c).toFixed(1)} % | ${sets} |`
const table = [
  'Written by `npm run mutation` (Stryker, CI seed) from `test/support/mutation-results.json`; each row says which sets measured it, and when.',
  '',
  '| Folder | Mutants | Killed | Timed out | Survived | Not covered | Score | Set (measured) |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...[...byFolder.keys(), ...unmeasured].sort().map((f) => (byFolder.has(f) ? row(f, byFolder.get(f).counts, byFolder.get(f).sets.join(', ')) : `| ${f} | | | | | | | not measured yet |`)),
  row('**all**', total, ''),
].join('\n')
console.log(table)
const list = survivors.length === 0 ? 'None.' : survivors
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
  .map((s) => `- \`${s.file}:${s.line}\` ${s.mutator}${s.status === 'NoCoverage' ? ' (not covered)' : ''}: \`${s.original.slice(0, 90).replaceAll('`', "'")}\` → \`${s.replacement.replace(/\s+/g, ' ').slice(0, 60).replaceAll('`', "'")}\``)
  .join('\n')
replaceSection(new URL('../docs/testing.md', import.meta.url), 'mutation', table)
mkdirSync('reports/mutation', { recursive: true })
writeFileSync('reports/mutation/survivors.md', `${list}\n`)
console.log(`\n${list}\n\n${survivors.length} survivors of the reports present (reports/mutation/survivors.md)`)
