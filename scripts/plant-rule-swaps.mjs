// Plants, one at a time, every swap of two adjacent rules in the engine's rule lists
// (src/engine/associate.ts, disassociate.ts, create.ts, delete.ts, modify.ts), runs the differential properties against
// the executable specification with the CI seed, and says whether they caught it. The source is
// restored after each run, and on any exit.  Usage: npm run plant-swaps
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

const files = ['src/engine/associate.ts', 'src/engine/disassociate.ts', 'src/engine/create.ts', 'src/engine/delete.ts', 'src/engine/modify.ts']
// A rule list opens with `rules: [` or `…Rules: ReadonlyArray<…> = [` and closes with `],` or `]`.
const opens = (l) => l.trim() === 'rules: [' || /Rules: ReadonlyArray<.*> = \[$/.test(l.trim())
const closes = (l) => l.trim() === '],' || l.trim() === ']'
const originals = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]))
const restore = () => { for (const [f, text] of originals) writeFileSync(f, text) }
process.on('exit', restore)
process.on('SIGINT', () => process.exit(130))

let caught = 0
let planted = 0
for (const file of files) {
  const text = originals.get(file)
  const lines = text.split('\n')
  const start = lines.findIndex(opens) + 1
  const end = lines.findIndex((l, i) => i >= start && closes(l))
  for (let i = start; i + 1 < end; i++) {
    const swapped = [...lines]
    ;[swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]]
    writeFileSync(file, swapped.join('\n'))
    const run = spawnSync('npx', ['vitest', 'run', 'test/specification.test.ts'], { encoding: 'utf8', env: { ...process.env, CI: '1' } })
    const failed = run.status !== 0
    planted += 1
    if (failed) caught += 1
    console.log(`${failed ? 'caught ' : 'MISSED '} ${file.replace('src/engine/', '')}: ${lines[i].trim().replace(',', '')} ⇄ ${lines[i + 1].trim().replace(',', '')}`)
    writeFileSync(file, text)
  }
}
console.log(`\n${caught} of ${planted} swaps caught`)
