// Reads the mutation reports of `npm run mutation` (reports/mutation/SET.json, in the
// mutation-testing-report schema), writes the score of each folder into docs/testing.md between
// its mutation markers, and prints the table and every surviving mutant (also written to
// reports/mutation/survivors.md), for the survivors section of docs/testing.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { replaceSection } from '../bench/report.js'

const mutationSets = JSON.parse(readFileSync(new URL('../test/support/mutation-sets.json', import.meta.url), 'utf8')).sets

const reports = Object.keys(mutationSets).map((set) => `reports/mutation/${set}.json`).filter((f) => existsSync(f))
/** The mutated code itself (Stryker's columns are 1-based), not its whole line. */
const excerpt = (lines, { start, end }) => lines.slice(start.line - 1, end.line).map((l, i, all) =>
  l.slice(i === 0 ? start.column - 1 : 0, i === all.length - 1 ? (all.length === 1 ? end.column - 1 : end.column - 1) : undefined)).join(' ').replace(/\s+/g, ' ').trim()
const zero = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 })
const add = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]]))
const folders = new Map()
const survivors = []
for (const report of reports) {
  const { files } = JSON.parse(readFileSync(report, 'utf8'))
  for (const [file, { mutants, source }] of Object.entries(files)) {
    const folder = file.split('/').slice(0, 2).join('/')
    // The signature check is scored on its own as well: the endpoint's trust rests on it.
    const rows = file.endsWith('/signature.ts') ? [folder, file] : [folder]
    const counts = zero()
    const lines = source.split('\n')
    for (const m of mutants) {
      if (m.status === 'Killed') counts.killed += 1
      else if (m.status === 'Timeout') counts.timeout += 1
      else if (m.status === 'Survived') counts.survived += 1
      else if (m.status === 'NoCoverage') counts.noCoverage += 1
      else if (m.status === 'Ignored') counts.ignored += 1
      else counts.errors += 1
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement ?? '', original: excerpt(lines, m.location), status: m.status })
      }
    }
    for (const key of rows) folders.set(key, add(folders.get(key) ?? zero(), counts))
  }
}

const score = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid
}
const total = [...folders].filter(([key]) => !key.endsWith('.ts')).map(([, c]) => c).reduce(add, zero())
const row = (name, c) => `| ${name} | ${c.killed + c.timeout + c.survived + c.noCoverage} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${score(c).toFixed(1)} % |`
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run mutation\` (Stryker, CI seed).`,
  '',
  '| Folder | Mutants | Killed | Timed out | Survived | Not covered | Score |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...[...folders.keys()].sort().map((f) => row(f, folders.get(f))),
  row('**all**', total),
].join('\n')
console.log(table)
const list = survivors.length === 0 ? 'None.' : survivors
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
  .map((s) => `- \`${s.file}:${s.line}\` ${s.mutator}${s.status === 'NoCoverage' ? ' (not covered)' : ''}: \`${s.original.slice(0, 90).replaceAll('`', "'")}\` → \`${s.replacement.replace(/\s+/g, ' ').slice(0, 60).replaceAll('`', "'")}\``)
  .join('\n')
replaceSection(new URL('../docs/testing.md', import.meta.url), 'mutation', table)
writeFileSync('reports/mutation/survivors.md', `${list}\n`)
console.log(`\n${list}\n\n${survivors.length} survivors (reports/mutation/survivors.md)`)
