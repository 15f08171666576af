// Mutation testing (npm run mutation): how many small changes to src/ the test suite notices.
// Incremental: a rerun only tests the mutants of code (or tests) that changed since the last run,
// reusing reports/mutation/incremental.json. docs/testing.md has the scores and the survivors.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/rules/**/*.ts',
    'src/engine/**/*.ts',
    'src/codec/**/*.ts',
    'src/wire/**/*.ts',
    'src/io/**/*.ts',
    'src/testing/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  concurrency: 2,
  timeoutMS: 30_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Only the mutated files get Stryker's // @ts-nocheck; examples are compared with the README byte for byte.
  disableTypeChecks: 'src/**/*.ts',
}
