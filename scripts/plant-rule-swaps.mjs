// Plants, one at a time, every swap of two adjacent rules in the engine's rule lists (every
// `rules: [` list and every `export const …Rules … = [` list of src/engine/*.ts: AssociateHaVip,
// DisassociateHaVip, CreateHaVip, DeleteHaVip, ModifyHaVipAttributes …), runs the differential properties against the executable specification (both files for a binding list, the lifecycle's for the others)
// with the CI seed, and says whether they caught it. The source is restored after each run, and on
// any exit.  Usage: npm run plant-swaps [file-name-part]   (e.g. `npm run plant-swaps create`)
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'

const only = process.argv[2] ?? ''
/** A line that opens a list of rules, one rule a line. */
function opens(line) {
  return line.trim() === 'rules: [' || /^export const \w+Rules\b.*= \[$/.test(line)
}
const files = readdirSync('src/engine')
  .filter((name) => name.endsWith('.ts') && name.includes(only))
  .map((name) => `src/engine/${name}`)
  .filter((f) => readFileSync(f, 'utf8').split('\n').some(opens))
const originals = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]))
const restore = () => { for (const [f, text] of originals) writeFileSync(f, text) }
process.on('exit', restore)
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))

// Binding rules are held by both specifications (the lifecycle's sequences bind too); the
// lifecycle's rules only by its own.
const testsOf = (file) => (/associate/.test(file)
  ? ['test/specification.test.ts', 'test/lifecycle-specification.test.ts']
  : ['test/lifecycle-specification.test.ts'])

/** The line ranges [start, end) of each list of rules of a file, one rule a line. */
const lists = (lines) => {
  const found = []
  for (let start = 0; start < lines.length; start++) {
    if (!opens(lines[start])) continue
    const end = lines.findIndex((l, i) => i > start && (l.trim() === '],' || l.trim() === ']'))
    found.push([start + 1, end])
  }
  return found
}

let caught = 0
let planted = 0
for (const file of files) {
  const text = originals.get(file)
  const lines = text.split('\n')
  for (const [start, end] of lists(lines)) {
    for (let i = start; i + 1 < end; i++) {
      const swapped = [...lines]
      ;[swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]]
      writeFileSync(file, swapped.join('\n'))
      const run = spawnSync('npx', ['vitest', 'run', ...testsOf(file)], { encoding: 'utf8', env: { ...process.env, CI: '1' } })
      const failed = run.status !== 0
      planted += 1
      if (failed) caught += 1
      console.log(`${failed ? 'caught ' : 'MISSED '} ${file.replace('src/engine/', '')}: ${lines[i].trim().replace(',', '')} ⇄ ${lines[i + 1].trim().replace(',', '')}`)
      writeFileSync(file, text)
    }
  }
}
console.log(`\n${caught} of ${planted} swaps caught`)
