// npm run mutation [SET...]: one Stryker run per set of folders (test/support/mutation-sets.json),
// then the scores into docs/testing.md. Each run is incremental.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const mutationSets = JSON.parse(readFileSync(new URL('../test/support/mutation-sets.json', import.meta.url), 'utf8')).sets

const sets = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(mutationSets)
for (const set of sets) {
  if (!(set in mutationSets)) throw new Error(`no mutation set ${set}: ${Object.keys(mutationSets).join(', ')}`)
  console.log(`\n== mutation set ${set}: ${mutationSets[set].mutate.join(', ')}`)
  const run = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, MUTATION_SET: set } })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
spawnSync(process.execPath, ['scripts/mutation-scores.mjs'], { stdio: 'inherit' })
