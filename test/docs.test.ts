import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempFolder } from './support/temp.js'

const root = resolve(new URL('..', import.meta.url).pathname)

const filesUnder = (folder: string): ReadonlyArray<string> =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    return entry.isDirectory() ? filesUnder(path) : [path]
  })

const userDocs = (): ReadonlyArray<string> => [join(root, 'README.md'), join(root, 'CHANGELOG.md'), ...filesUnder(join(root, 'docs'))]

describe('what a user of the package reads', () => {
  it('points nowhere outside the project: README, docs, source comments, type definitions, tests and benchmarks', () => {
    const outside = /\.\.\/shared|CONTRACT|spec\/TERRAFORM|reference\/(AssociateHaVip|volcengine)/
    // The fixtures are copies kept byte for byte; everything written here is checked.
    const ours = [...filesUnder(join(root, 'test')).filter((f) => !f.includes('/fixtures/') && !f.endsWith('docs.test.ts')), ...filesUnder(join(root, 'bench'))]
    const files = [...userDocs(), ...filesUnder(join(root, 'src')), ...filesUnder(join(root, 'dist')).filter((f) => f.endsWith('.d.ts')), ...ours]
    const offending = files.filter((f) => outside.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f))
    expect(offending).toEqual([])
  })

  it('has every relative link of README and docs resolve to a file of the package', () => {
    const broken: Array<string> = []
    for (const file of userDocs().filter((f) => f.endsWith('.md'))) {
      for (const [, target = ''] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue
        const path = resolve(dirname(file), target)
        if (!existsSync(path) || relative(root, path).startsWith('..')) broken.push(`${relative(root, file)} → ${target}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('has docs/errors.md list the catalogue exactly as the code holds it', async () => {
    const { withCatalogue } = await import('../scripts/errors-doc.mjs')
    const text = readFileSync(join(root, 'docs/errors.md'), 'utf8')
    expect(withCatalogue(text), 'docs/errors.md is stale: run npm run docs').toBe(text)
  })

  it('has an API reference in docs/api that is what TypeDoc makes of the code now', () => {
    const out = tempFolder('havip-typedoc-')
    const typedoc = join(root, 'node_modules/typedoc/bin/typedoc')
    const r = spawnSync(process.execPath, [typedoc, '--out', out, '--logLevel', 'Error'], { cwd: root, encoding: 'utf8' })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const tree = (folder: string) => new Map(filesUnder(folder).filter((f) => statSync(f).isFile()).map((f) => [relative(folder, f), readFileSync(f, 'utf8')]))
    const fresh = tree(out)
    const committed = tree(join(root, 'docs/api'))
    expect([...committed.keys()].sort(), 'docs/api is stale: run npm run docs').toEqual([...fresh.keys()].sort())
    for (const [file, text] of fresh) expect(committed.get(file), `docs/api/${file} is stale: run npm run docs`).toBe(text)
  }, 120_000)
})
