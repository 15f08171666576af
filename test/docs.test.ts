import { execFileSync, spawnSync } from 'node:child_process'
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

  it('has every link to a heading of README and docs land on a heading that exists', () => {
    // GitHub's anchors: the heading in lower case, punctuation dropped, spaces made hyphens.
    const anchors = (file: string) => new Set([...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map(([, h = '']) => h.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replaceAll(' ', '-')))
    const broken: Array<string> = []
    for (const file of userDocs().filter((f) => f.endsWith('.md') && !f.includes('/docs/api/'))) {
      for (const [, target = '', anchor = ''] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue
        const path = target === '' ? file : resolve(dirname(file), target)
        if (existsSync(path) && path.endsWith('.md') && !anchors(path).has(anchor)) broken.push(`${relative(root, file)} → ${target}#${anchor}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('names only files the package ships, but in the pages that say they are about the source repository', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf8' })) as ReadonlyArray<{ files: ReadonlyArray<{ path: string }> }>
    const shipped = (packed?.files ?? []).map((f) => f.path)
    const ships = (name: string) => shipped.includes(name) || shipped.some((path) => path.startsWith(`${name}/`))
    const missing: Array<string> = []
    for (const file of userDocs().filter((f) => f.endsWith('.md'))) {
      const doc = relative(root, file)
      expect(ships(doc), doc).toBe(true)
      const text = readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '')
      const aboutTheRepository = text.includes('are in the project\'s source repository; the package does not ship them')
      const named = [
        ...[...text.matchAll(/(?<![\w/.-])((?:examples|test|src|dist|docs|bench|scripts)\/[\w./*-]*[\w*])/g)].map(([, name = '']) => name),
        ...[...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].filter(([, target = '']) => !/^[a-z]+:/.test(target)).map(([, target = '']) => relative(root, resolve(dirname(file), target))),
      ]
      for (const name of named) {
        if (aboutTheRepository && /^(test|bench|scripts)\//.test(name)) continue
        if (!ships(name)) missing.push(`${doc} → ${name}`)
      }
    }
    expect(missing).toEqual([])
  }, 60_000)

  it('has the README\'s command summary name every command of havip --help', () => {
    const help = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), '--help'], { encoding: 'utf8' }).stdout
    const commands = [...help.matchAll(/^(?:usage:)?\s+havip ((?:snapshot )?[a-z]+)/gm)].map(([, c = '']) => c).filter((c) => c !== 'COMMAND')
    expect(commands).toContain('snapshot build')
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const summary = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Run as an emulator'))
    expect(commands.filter((c) => !summary.includes(`havip ${c} `))).toEqual([])
  })

  it('has docs/rules.md name every action it serves where it lists them', async () => {
    const { describeSpecs } = await import('../src/model/request.js')
    const rules = readFileSync(join(root, 'docs/rules.md'), 'utf8')
    const sentence = rules.slice(rules.indexOf('The served actions are'), rules.indexOf('.', rules.indexOf('(Describe')) + 1)
    expect(['AssociateHaVip', 'DisassociateHaVip', ...Object.keys(describeSpecs)].filter((a) => !sentence.includes(a))).toEqual([])
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
