// The second mutation run (see stryker.config.mjs): src/io against the file tests.
import { common } from './stryker.config.mjs'

process.env.MUTATION_SUITE = 'io'

export default {
  ...common,
  mutate: ['src/io/**/*.ts'],
  incrementalFile: 'reports/mutation/io.incremental.json',
  jsonReporter: { fileName: 'reports/mutation/io.json' },
  htmlReporter: { fileName: 'reports/mutation/io.html' },
}
