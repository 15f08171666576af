// Mutation testing (npm run mutation): how many small changes to src/ the test suite notices.
// Two runs: the rules, engine, codecs, wire and oracle kit against the in-process tests; then the
// file code (src/io) against the file tests (MUTATION_SUITE=io, stryker.io.config.mjs).
// Incremental: a rerun only tests the mutants of code (or tests) that changed since the last run,
// from reports/mutation/*.incremental.json. docs/testing.md has the scores and the survivors.
// A fifth of each property's cases (test/support/runs.ts): thousands of mutants each run them.
process.env.FC_SCALE ??= '0.2'
// The CI seed, so that a score is reproducible.
process.env.CI ??= '1'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export const common = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  incremental: true,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  concurrency: 2,
  timeoutMS: 30_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Only the mutated files get Stryker's // @ts-nocheck; examples are compared with the README byte for byte.
  disableTypeChecks: 'src/**/*.ts',
}

export default {
  ...common,
  mutate: ['src/rules/**/*.ts', 'src/engine/**/*.ts', 'src/codec/**/*.ts', 'src/wire/**/*.ts', 'src/testing/**/*.ts'],
  incrementalFile: 'reports/mutation/core.incremental.json',
  jsonReporter: { fileName: 'reports/mutation/core.json' },
  htmlReporter: { fileName: 'reports/mutation/core.html' },
}
