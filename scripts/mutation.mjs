// npm run mutation [SET...] [-- --force]: one Stryker run per set of folders
// (test/support/mutation-sets.json), then the scores into docs/testing.md. Each run is incremental;
// --force tests every mutant again (Stryker cannot tell which test of a changed file is new, so a
// survivor killed by a test added to an existing file shows only then).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const mutationSets = JSON.parse(readFileSync(new URL('../test/support/mutation-sets.json', import.meta.url), 'utf8')).sets

const args = process.argv.slice(2)
const flags = args.filter((a) => a.startsWith('--'))
const named = args.filter((a) => !a.startsWith('--'))
const sets = named.length > 0 ? named : Object.keys(mutationSets)
for (const set of sets) {
  if (!(set in mutationSets)) throw new Error(`no mutation set ${set}: ${Object.keys(mutationSets).join(', ')}`)
  console.log(`\n== mutation set ${set}: ${mutationSets[set].mutate.join(', ')}`)
  const run = spawnSync('npx', ['stryker', 'run', ...flags], { stdio: 'inherit', env: { ...process.env, MUTATION_SET: set } })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
spawnSync(process.execPath, ['scripts/mutation-scores.mjs'], { stdio: 'inherit' })
