import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'
import LoadFailuresAsTests from './test/support/load-failures-reporter.js'

// What a mutation run (MUTATION_SET, see test/support/mutation-sets.json) tests each mutant against.
// Left out everywhere: the tests that drive the built package in child processes (a mutant of
// src/ is not in dist/) and the ones that read src/ as text (Stryker's instrumented copy differs).
const { sets } = JSON.parse(readFileSync(new URL('./test/support/mutation-sets.json', import.meta.url), 'utf8')) as { sets: Record<string, { tests: ReadonlyArray<string>; testTimeout?: number; isolate?: boolean } | undefined> }
const set = sets[process.env.MUTATION_SET ?? 'logic']
if (set === undefined) throw new Error(`no mutation set ${String(process.env.MUTATION_SET)}`)

// Spread, not mergeConfig: that would append this list to the base's `include`.
// A set may lower the time limit (in the server set a mutant that leaves a request unanswered holds
// its test until the limit), and may share modules between test files (each file importing the
// server afresh was a third of each mutant's run).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: set.tests.map((name) => `test/${name}.test.ts`),
    reporters: ['default', new LoadFailuresAsTests()],
    testTimeout: set.testTimeout ?? base.test?.testTimeout,
    isolate: set.isolate ?? true,
  },
})
