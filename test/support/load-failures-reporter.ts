import type { RunnerTestCase, RunnerTestFile } from 'vitest'
import type { Reporter, Vitest } from 'vitest/node'

/**
 * For mutation runs only. Stryker's vitest runner scores a mutant by the tests it collected, and a
 * test file whose import throws collects none: a mutant that stops a module from loading (a
 * top-level arbitrary built wrongly, say) was scored as survived, though every test of the file
 * fails on it (stryker-js issue 6150). This reporter gives each such file one failed test that
 * carries its load error, so that the mutant counts as killed.
 */
export default class LoadFailuresAsTests implements Reporter {
  private vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(): void {
    for (const file of this.vitest?.state.getFiles() ?? []) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) file.tasks.push(loadFailure(file))
    }
  }
}

// Only what the runner reads of a test: its type, name, file, suite, mode and result.
const loadFailure = (file: RunnerTestFile): RunnerTestCase =>
  ({ type: 'test', id: `${file.id}_load`, name: 'loads', mode: 'run', file, suite: file, meta: {}, result: { state: 'fail', errors: file.result?.errors ?? [] } }) as unknown as RunnerTestCase
