import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'

const ours = (): ReadonlyArray<string> => readdirSync(tmpdir()).filter((name) => name.startsWith('havip-'))

/** The suite must leave the temporary folder as it found it: every test removes what it creates. */
export default function setup(): () => void {
  const before = new Set(ours())
  return () => {
    const left = ours().filter((name) => !before.has(name))
    if (left.length === 0) return
    // A teardown's exception does not fail the run; an exit code does.
    console.error(`The tests left ${String(left.length)} entries in ${tmpdir()}: ${left.slice(0, 5).join(', ')}`)
    process.exitCode = 1
  }
}
