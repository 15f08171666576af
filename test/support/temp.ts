import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const made: Array<string> = []

// Each test file removes what it made once its tests are done (this module is loaded per file).
afterAll(() => {
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** A new, empty folder in the system's temporary folder, removed after the test file. */
export const tempFolder = (prefix = 'havip-test-'): string => {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  made.push(folder)
  return folder
}
