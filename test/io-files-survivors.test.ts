import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../src/io/atomic-file.js'
import { readBaseline, writeBaseline } from '../src/io/baseline-file.js'
import { readJsonFile } from '../src/io/json-file.js'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import { readConfiguration, sourceRoot } from '../src/io/tf-files.js'
import { UsageError } from '../src/io/usage-error.js'
import { unknownId, waivableIds } from '../src/plan/waivers.js'
import { openFiles } from './support/recording-ops.js'
import { tempFolder } from './support/temp.js'

/** What a call throws: its class and message (a usage error is what the CLI prints, in one line). */
const thrown = (action: () => unknown): { readonly usage: boolean; readonly message: string } => {
  try {
    action()
  } catch (e) {
    return { usage: e instanceof UsageError, message: e instanceof Error ? e.message : String(e) }
  }
  throw new Error('expected a throw')
}

const usageError = (message: string): { readonly usage: boolean; readonly message: string } => ({ usage: true, message })

const anError = waivableIds.find((id) => id !== unknownId) ?? unknownId

describe('baselines (--baseline FILE, --write-baseline FILE)', () => {
  const baselineFile = (content: unknown): string => {
    const path = join(tempFolder('havip-baseline-'), 'baseline.json')
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  it('a written baseline is two-space JSON ending in a newline, and reads back as instance waivers naming their entry', () => {
    const path = join(tempFolder('havip-baseline-'), 'baseline.json')
    const entries = [
      { address: 'volcengine_ha_vip_associate.web[0]', id: anError, reason: 'reviewed: the web tier moves next week' },
      { address: 'module.db.volcengine_ha_vip_associate.primary', id: unknownId, reason: 'the instance id is known after apply' },
    ]
    writeBaseline(path, entries)
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify({ havipBaseline: 1, waivers: entries }, null, 2)}\n`)
    expect(readBaseline(path)).toEqual([
      { ...entries[0], scope: 'instance', kind: 'baseline', where: `${path} waivers[0]` },
      { ...entries[1], scope: 'instance', kind: 'baseline', where: `${path} waivers[1]` },
    ])
  })

  it('an entry whose address, id or reason is missing, not a string, empty or blank is refused, each problem named by its JSON path', () => {
    const path = baselineFile({
      havipBaseline: 1,
      waivers: [
        { address: 'a.b', id: anError, reason: '' },
        { address: 'a.b', id: anError, reason: ' \t ' },
        { address: 'a.b', id: anError, reason: 7 },
        { id: anError, reason: 'why' },
        { address: 'a.b', id: '', reason: 'why' },
      ],
    })
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: not a havip plan baseline:\n` + [
      '  waivers[0].reason: expected a non-empty string, got string ""',
      '  waivers[1].reason: expected a non-empty string, got string " \\t "',
      '  waivers[2].reason: expected a non-empty string, got number 7',
      '  waivers[3].address: required a non-empty string is missing',
      '  waivers[4].id: expected a non-empty string, got string ""',
    ].join('\n')))
  })

  it('a file that is not a baseline names what it should be: the version 1, an array of waivers, a baseline object', () => {
    const wrongVersion = baselineFile({ havipBaseline: 2, waivers: {} })
    expect(thrown(() => readBaseline(wrongVersion))).toEqual(usageError(`${wrongVersion}: not a havip plan baseline:\n` +
      '  havipBaseline: expected the number 1, got number 2\n  waivers: expected an array of waivers, got an object'))
    const notAnEntry = baselineFile({ havipBaseline: 1, waivers: ['volcengine_ha_vip_associate.web'] })
    expect(thrown(() => readBaseline(notAnEntry))).toEqual(usageError(`${notAnEntry}: not a havip plan baseline:\n  waivers[0]: expected a waiver, got string "volcengine_ha_vip_associate.web"`))
    const notAnObject = baselineFile([])
    expect(thrown(() => readBaseline(notAnObject))).toEqual(usageError(`${notAnObject}: not a havip plan baseline:\n  (root): expected a baseline, got an array`))
  })

  it('a baseline that is not JSON is refused naming the file and what writes one', () => {
    const text = '{"havipBaseline": 1,'
    const path = baselineFile(text)
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: not JSON: ${thrown(() => JSON.parse(text)).message} (havip plan --write-baseline writes a baseline)`))
  })

  it('an entry naming an id havip plan never reports is refused with its JSON path', () => {
    const path = baselineFile({ havipBaseline: 1, waivers: [{ address: 'a.b', id: anError, reason: 'fine' }, { address: 'a.b', id: 'NoSuchError', reason: 'why' }] })
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: waivers[1].id: "NoSuchError" is not an error id havip plan reports (see docs/errors.md)`))
  })
})

describe('Terraform configuration folders (--config DIR)', () => {
  const folderWith = (files: Readonly<Record<string, string>>, root = tempFolder('havip-tf-')): string => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true })
      writeFileSync(join(root, name), text)
    }
    return root
  }
  const block = (name: string, ...inside: ReadonlyArray<string>): string =>
    [`resource "volcengine_ha_vip_associate" "${name}" {`, ...inside, '  ha_vip_id = "havip-1"', '}', ''].join('\n')

  it('waivers are read from comments inside resource blocks: the id, then the reason with its words single-spaced', () => {
    const root = folderWith({ 'main.tf': block('web', `  # havip:ignore ${anError}   reviewed  by\tops,  ticket 7`, `  // havip:ignore ${unknownId} known after apply`) })
    const { locations, waivers } = readConfiguration(root, [], root)
    expect([...locations]).toEqual([['volcengine_ha_vip_associate.web', { file: 'main.tf', line: 1 }]])
    expect(waivers).toEqual([
      { id: anError, reason: 'reviewed by ops, ticket 7', address: 'volcengine_ha_vip_associate.web', scope: 'block', kind: 'inline', where: 'main.tf:2' },
      { id: unknownId, reason: 'known after apply', address: 'volcengine_ha_vip_associate.web', scope: 'block', kind: 'inline', where: 'main.tf:3' },
    ])
  })

  it('a havip:ignore comment without an id, with an unknown id, without a reason, or outside a block is refused naming file and line', () => {
    const refusal = (tf: string): { readonly usage: boolean; readonly message: string } => {
      const root = folderWith({ 'main.tf': tf })
      return thrown(() => readConfiguration(root, [], root))
    }
    expect(refusal(block('web', '  # havip:ignore'))).toEqual(usageError('main.tf:2: havip:ignore needs an error id and a reason: # havip:ignore ERROR_ID REASON'))
    expect(refusal(block('web', '  # havip:ignore   '))).toEqual(usageError('main.tf:2: havip:ignore needs an error id and a reason: # havip:ignore ERROR_ID REASON'))
    expect(refusal(block('web', '  # havip:ignore NoSuchError because'))).toEqual(usageError(`main.tf:2: havip:ignore "NoSuchError": not an error id havip plan reports (see docs/errors.md), nor ${unknownId}`))
    expect(refusal(block('web', `  # havip:ignore ${anError}`))).toEqual(usageError(`main.tf:2: havip:ignore ${anError} needs a reason after the error id: say why the finding is accepted`))
    expect(refusal(`# havip:ignore ${anError} before any block\n${block('web')}`)).toEqual(usageError('main.tf:1: havip:ignore is outside a resource block: put it inside the block it waives'))
    // After a block's closing brace, a comment is in no block any more.
    expect(refusal(`${block('web')}# havip:ignore ${anError} after the block\n`)).toEqual(usageError('main.tf:4: havip:ignore is outside a resource block: put it inside the block it waives'))
  })

  it('the .tf files are read in name order, whatever order the folder lists them in', () => {
    const names = ['m', 'c', 'x', 'a', 'q', 'f', 'z', 'b', 'k', 'h', 'u', 'e'].map((n) => `${n}.tf`)
    const root = folderWith(Object.fromEntries(names.map((name) => [name, block(name.slice(0, 1), `  # havip:ignore ${anError} in ${name}`)])))
    const { locations, waivers } = readConfiguration(root, [], root)
    const sorted = [...names].sort()
    expect(waivers.map((w) => w.where)).toEqual(sorted.map((name) => `${name}:2`))
    expect([...locations.values()].map((l) => l.file)).toEqual(sorted)
  })

  it('name order is JavaScript string order on every system, not the byte order a Unix folder listing comes in', () => {
    // U+FF01 sorts after an emoji's surrogates in JavaScript but before its UTF-8 bytes.
    const names = ['\uff01.tf', '\u{1f600}.tf']
    const root = folderWith(Object.fromEntries(names.map((name, i) => [name, block(`b${String(i)}`, `  # havip:ignore ${anError} in ${name}`)])))
    expect(readConfiguration(root, [], root).waivers.map((w) => w.where)).toEqual(['\u{1f600}.tf:2', '\uff01.tf:2'])
  })

  it('a folder named like a .tf file is skipped; a .tf link to nothing is a usage error naming it', () => {
    const root = folderWith({ 'main.tf': block('web'), 'extra.tf/inner.tf': block('hidden') })
    expect([...readConfiguration(root, [], root).locations.keys()]).toEqual(['volcengine_ha_vip_associate.web'])
    symlinkSync(join(root, 'missing'), join(root, 'broken.tf'))
    const refused = thrown(() => readConfiguration(root, [], root))
    expect(refused.usage).toBe(true)
    expect(refused.message).toContain(join(root, 'broken.tf'))
  })

  it('local modules three deep are each found relative to the module that calls them', () => {
    const root = folderWith({
      'main.tf': block('root'),
      'a/main.tf': block('in_a'),
      'a/b/main.tf': block('in_b'),
      'a/b/c/main.tf': block('in_c'),
      'c/main.tf': block('decoy'),
    })
    const modules = [{ path: 'module.a', source: './a' }, { path: 'module.a.module.b', source: './b' }, { path: 'module.a.module.b.module.c', source: './c' }]
    expect(Object.fromEntries(readConfiguration(root, modules, root).locations)).toEqual({
      'volcengine_ha_vip_associate.root': { file: 'main.tf', line: 1 },
      'module.a.volcengine_ha_vip_associate.in_a': { file: 'a/main.tf', line: 1 },
      'module.a.module.b.volcengine_ha_vip_associate.in_b': { file: 'a/b/main.tf', line: 1 },
      'module.a.module.b.module.c.volcengine_ha_vip_associate.in_c': { file: 'a/b/c/main.tf', line: 1 },
    })
  })

  it('files are named from the repository holding the configuration, or from the configuration folder outside one', () => {
    const repo = tempFolder('havip-repo-')
    mkdirSync(join(repo, '.git'))
    const config = join(repo, 'infra', 'prod')
    folderWith({ 'main.tf': block('web') }, config)
    expect(sourceRoot(config)).toBe(repo)
    expect(sourceRoot(repo)).toBe(repo)
    expect(readConfiguration(config, []).locations.get('volcengine_ha_vip_associate.web')).toEqual({ file: 'infra/prod/main.tf', line: 1 })
    const outside = folderWith({ 'main.tf': block('web') }, join(tempFolder('havip-no-repo-'), 'infra'))
    expect(sourceRoot(outside)).toBe(outside)
    expect(readConfiguration(outside, []).locations.get('volcengine_ha_vip_associate.web')).toEqual({ file: 'main.tf', line: 1 })
  })
})

describe('JSON input files (snapshot build --*-page FILE)', () => {
  it('a Describe page file of any ordinary size is read and parsed', () => {
    const path = join(tempFolder('havip-json-'), 'page.json')
    const page = { RequestId: 'R1', Instances: Array.from({ length: 40 }, (_, i) => ({ InstanceId: `i-${String(i)}`, Status: 'RUNNING' })) }
    writeFileSync(path, JSON.stringify(page))
    expect(readJsonFile(path)).toEqual(page)
  })

  it('a file that is not JSON is a usage error naming it and the parser\'s complaint', () => {
    const text = '{"Instances": [}'
    const path = join(tempFolder('havip-json-'), 'page.json')
    writeFileSync(path, text)
    expect(thrown(() => readJsonFile(path))).toEqual(usageError(`${path}: not JSON: ${thrown(() => JSON.parse(text)).message}`))
  })
})

describe('atomic writes where the process has no user or group id (as on Windows)', () => {
  const without = (names: ReadonlyArray<'getuid' | 'getgid'>, action: () => void): void => {
    const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(process, name)] as const)
    try {
      for (const name of names) Object.defineProperty(process, name, { value: undefined, configurable: true, writable: true })
      action()
    } finally {
      for (const [name, descriptor] of saved) if (descriptor !== undefined) Object.defineProperty(process, name, descriptor)
    }
  }

  it.each([[['getuid', 'getgid'] as const], [['getgid'] as const]])('an existing file is replaced whole, no temporary left, without %j', (names) => {
    const dir = tempFolder('havip-atomic-ids-')
    const path = join(dir, 'snapshot.json')
    writeFileSync(path, 'old')
    without(names, () => { writeFileAtomic(path, ['new ', 'text']) })
    expect(readFileSync(path, 'utf8')).toBe('new text')
    expect(readdirSync(dir)).toEqual(['snapshot.json'])
  })
})

describe('reading a snapshot file', () => {
  it('leaves no file open, read after read (a server reloading its snapshot must not run out of descriptors)', () => {
    const path = join(tempFolder('havip-snapshot-read-'), 'snapshot.json')
    writeFileSync(path, JSON.stringify({
      Region: 'cn-beijing',
      HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] }],
      Quotas: { InstancesPerHaVip: 5, HaVipsPerInstance: 5 },
    }))
    const before = openFiles()
    for (let i = 0; i < 20; i++) readSnapshotFile(path)
    expect(openFiles()).toBeLessThan(before + 10)
  })
})
