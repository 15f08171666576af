import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The suite must leave the temporary folder as it found it: every test removes what it creates.
 * Each run gets a temporary folder of its own (TMPDIR, inherited by the test workers and by every
 * process a test starts), so another run or tool on the machine never makes this run fail.
 */
export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'havip-run-'))
  const previous = process.env.TMPDIR
  process.env.TMPDIR = folder
  return () => {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    const left = readdirSync(folder)
    rmSync(folder, { recursive: true, force: true })
    if (left.length === 0) return
    // A teardown's exception does not fail the run; an exit code does.
    console.error(`The tests left ${String(left.length)} entries in their temporary folder: ${left.slice(0, 5).join(', ')}`)
    process.exitCode = 1
  }
}
