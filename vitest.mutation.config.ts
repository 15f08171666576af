import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// What `npm run mutation` runs against each mutant: the suite without the tests that only drive
// the built package in child processes (they cannot see a mutant of src/, and take most of the
// time), nor the ones that read src/ as text (Stryker's instrumented copy differs from it).
export default mergeConfig(base, defineConfig({
  test: {
    exclude: ['test/package.test.ts', 'test/docs.test.ts', 'test/readme.test.ts', 'test/cli.test.ts', 'node_modules/**'],
    reporters: ['default'],
  },
}))
