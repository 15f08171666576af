// Mutation testing: how many small changes to src/ the test suite notices. One run per set of
// folders (MUTATION_SET, test/support/mutation-sets.json); `npm run mutation` runs them all.
// Incremental: a rerun only tests the mutants of code (or tests) that changed since the last run,
// from reports/mutation/SET.incremental.json. docs/testing.md has the scores and the survivors.
import { readFileSync } from 'node:fs'

const mutationSets = JSON.parse(readFileSync(new URL('./test/support/mutation-sets.json', import.meta.url), 'utf8')).sets

const name = process.env.MUTATION_SET ?? 'logic'
// A fifth of each property's cases (test/support/runs.ts) unless the set says otherwise: thousands
// of mutants each run them.
process.env.FC_SCALE ??= String(mutationSets[name].fcScale ?? 0.2)
// The CI seed, so that a score is reproducible.
process.env.CI ??= '1'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: mutationSets[name].mutate,
  coverageAnalysis: 'perTest',
  // A static mutant (code run once, as its module loads) cannot be switched on under the vitest
  // runner (stryker-js issues 6144, 6209): it would count as survived whatever the tests. Left out of
  // the score; docs/testing.md says how they were checked by hand.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  concurrency: 2,
  // Generous: on a loaded machine a slow run would otherwise pass for a mutant that loops forever.
  timeoutMS: 60_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Only the mutated files get Stryker's // @ts-nocheck; examples are compared with the README byte for byte.
  disableTypeChecks: 'src/**/*.ts',
}
