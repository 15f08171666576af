import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempFolder } from './support/temp.js'

const root = resolve(new URL('..', import.meta.url).pathname)
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }

// As a user gets it: the packed tarball installed into an empty project, nothing of the repository beside it.
describe('the package, packed and installed into a new project', () => {
  let project = ''
  let files: ReadonlyArray<string> = []

  beforeAll(() => {
    const packs = tempFolder('havip-pack-')
    // The build is `npm test`'s pretest; packing must not run it again.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packs], { cwd: root, encoding: 'utf8' })) as ReadonlyArray<{ filename: string; files: ReadonlyArray<{ path: string }> }>
    const [tarball] = packed
    if (tarball === undefined) throw new Error('npm pack made nothing')
    files = tarball.files.map((f) => f.path)
    project = tempFolder('havip-user-')
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user', private: true, type: 'module' }))
    const devTools = ['fp-ts', 'fast-check', 'typescript', '@types/node', 'vitest', '@volcengine/openapi'].map((name) => {
      const { version: v } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
      return `${name}@${v}`
    })
    // The versions this repository holds, so that the npm cache that installed it serves them.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(packs, tarball.filename), ...devTools], { cwd: project, stdio: 'pipe' })
  }, 300_000)

  it('ships the README, the licence, the changelog, the documents, the examples and the conformance vectors', () => {
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'docs/snapshot.md', 'docs/rules.md', 'docs/errors.md', 'docs/cli.md',
      'docs/endpoint.md', 'docs/testing-against-havip-rules.md', 'docs/api/README.md', 'dist/index.d.ts', 'dist/index.d.ts.map',
      'examples/snapshot.json', 'examples/queries.txt', 'examples/emulator-client.mjs', 'test/fixtures/associate-havip.json']) {
      expect(files, file).toContain(file)
    }
    expect(readFileSync(join(project, 'node_modules/havip-rules/LICENSE'), 'utf8')).toMatch(/^MIT License/)
  })

  // The project holds a test runner now: many files, removed with time to spare.
  afterAll(() => { rmSync(project, { recursive: true, force: true }) }, 120_000)

  it('compiles the README example with strict tsc and runs it', () => {
    copyFileSync(join(root, 'examples/readme-example.ts'), join(project, 'example.ts'))
    const tsc = join(project, 'node_modules/typescript/bin/tsc')
    const compiled = spawnSync(process.execPath, [tsc, '--strict', '--target', 'es2023', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--types', 'node', '--outDir', 'out', 'example.ts'], { cwd: project, encoding: 'utf8' })
    expect(compiled.status, compiled.stdout).toBe(0)
    const ran = spawnSync(process.execPath, ['out/example.js'], { cwd: project, encoding: 'utf8' })
    const promised = readFileSync(join(root, 'examples/readme-example.ts'), 'utf8').trim().split('\n').at(-1)?.replace(/^\/\/ /, '')
    expect(ran.stdout).toBe(`${String(promised)}\n`)
  }, 180_000)

  it('loads from CommonJS with require', () => {
    const r = spawnSync(process.execPath, ['--input-type=commonjs', '-e', "const h = require('havip-rules'); console.log(typeof h.loadSnapshot, typeof require('havip-rules/testing').checkConformance, typeof require('havip-rules/server').startEmulator)"], { cwd: project, encoding: 'utf8' })
    expect(r.stdout).toBe('function function function\n')
  })

  it('runs its command line from the installed bin, printing the package version', () => {
    const bin = join(project, 'node_modules/.bin/havip')
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toBe(`${version}\n`)
  })

  it('exposes nothing of the snapshot\'s insides in its types', () => {
    const types = readFileSync(join(project, 'node_modules/havip-rules/dist/model/snapshot.d.ts'), 'utf8')
    const snapshotType = /export interface Snapshot \{[^}]*\}/.exec(types)?.[0] ?? ''
    expect(snapshotType).not.toMatch(/base|overlay|OrderedMap|haVips|ledger/)
  })

  it('runs a vitest suite that shares one emulator, reset between tests, through the vendor SDK', () => {
    writeFileSync(join(project, 'emulator.test.mjs'), emulatorSuite)
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')))
    const r = spawnSync(process.execPath, [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=verbose'], { cwd: project, encoding: 'utf8', env })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/3 passed/)
  }, 120_000)

  it('has fp-ts as a peer dependency, not a dependency', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/havip-rules/package.json'), 'utf8')) as { dependencies: object; peerDependencies: object }
    expect(Object.keys(manifest.peerDependencies)).toContain('fp-ts')
    expect(Object.keys(manifest.dependencies)).not.toContain('fp-ts')
  })
})

// A user's suite: one emulator for the file, reset before each test, a throttle in one, the trace in another.
const emulatorSuite = `import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { Service } from '@volcengine/openapi'
import { startEmulator } from 'havip-rules/server'

const snapshot = {
  HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
  Instances: [{ InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Type: 'primary' }] }],
}
let emulator
let associate
let describe

beforeAll(async () => {
  emulator = await startEmulator({ snapshot })
  const vpc = new Service({ serviceName: 'vpc', host: new URL(emulator.url).host, protocol: 'http:', region: 'cn-beijing', accessKeyId: 'AK', secretKey: 'SK' })
  associate = vpc.createAPI('AssociateHaVip', { Version: '2020-04-01' })
  describe = vpc.createAPI('DescribeHaVips', { Version: '2020-04-01' })
})
afterAll(() => emulator.close())
beforeEach(() => emulator.reset())

const bound = async () => (await describe({ 'HaVipIds.1': 'havip-1' })).Result.HaVips[0].AssociatedInstanceIds

it('binds', async () => {
  await associate({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'first' })
  expect(await bound()).toEqual(['i-1'])
})

it('starts from the snapshot again, and is throttled once', async () => {
  expect(await bound()).toEqual([])
  emulator.faults.add({ action: 'AssociateHaVip', effect: 'error', code: 'Throttling' })
  const throttled = await associate({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'second' })
  expect(throttled.ResponseMetadata.Error.Code).toBe('Throttling')
  await associate({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'second' })
  expect(await bound()).toEqual(['i-1'])
})

it('shows what the client sent in the trace', async () => {
  await associate({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'third' })
  expect(emulator.trace.list().map((x) => [x.action, x.params.ClientToken, x.status])).toEqual([['AssociateHaVip', 'third', 200]])
})
`
