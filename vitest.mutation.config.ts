import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// What `npm run mutation` runs against each mutant: the tests that exercise src/ in this process.
// Left out: the ones that drive the built package in child processes or over sockets (a mutant of
// src/ is not in dist/, and they take most of the suite's time), and the ones that read src/ as
// text (Stryker's instrumented copy differs from it). MUTATION_SUITE=io picks the file tests.
const suites = {
  core: [
    'test/vectors.test.ts', 'test/errors.test.ts', 'test/properties.test.ts', 'test/specification.test.ts', 'test/harness.test.ts',
    'test/describe.test.ts', 'test/snapshot.test.ts', 'test/arbitraries.test.ts', 'test/signature.test.ts', 'test/params.test.ts',
    'test/plan-properties.test.ts', 'test/files.test.ts',
  ],
  io: ['test/files.test.ts', 'test/durability.test.ts', 'test/snapshot-build.test.ts', 'test/io.test.ts'],
}

// Spread, not mergeConfig: that would append these lists to the base's `include`.
export default defineConfig({
  ...base,
  test: { ...base.test, include: suites[process.env.MUTATION_SUITE === 'io' ? 'io' : 'core'], reporters: ['default'] },
})
