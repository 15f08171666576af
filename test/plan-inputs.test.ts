import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { association, nestedModules, plan } from './support/plans.js'
import { sarifValidator } from './support/sarif.js'
import { tempFolder } from './support/temp.js'

/**
 * What a user may hand `havip plan` by mistake, and what an attacker may: each is refused with its
 * path, never thrown. What `checkPlan` itself answers to them is in plan-reading.test.ts.
 */

const fixtures = new URL('./fixtures/terraform/', import.meta.url).pathname
const cli = new URL('../dist/cli/main.js', import.meta.url).pathname
const runPlan = (args: ReadonlyArray<string>, input?: string) =>
  spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), ...args], { encoding: 'utf8', input })

describe('what is not a plan', () => {
  const state = { format_version: '1.0', terraform_version: '1.9.8', values: { root_module: { resources: [{ address: 'volcengine_ha_vip.db', mode: 'managed', type: 'volcengine_ha_vip', name: 'db', values: { id: 'havip-1' } }] } } }

  it('havip plan refuses a state with exit 2 and the hint, printing nothing on standard output', () => {
    const r = runPlan(['-'], JSON.stringify(state))
    expect([r.status, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toContain('terraform show -json PLANFILE')
    expect(runPlan(['-'], JSON.stringify({ format_version: '1.2' })).status).toBe(2)
  })
})

describe('hostile plans: a usage error naming the path, never a stack trace', () => {

  it('module_calls nested 1,200 deep', () => {
    const r = runPlan(['-'], JSON.stringify(nestedModules(1200)))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('configuration.root_module.module_calls.a.module')
    expect(r.stderr).not.toContain('unexpected failure')
  })

  it('a bad escape in a reference', () => {
    const badReference = plan([{
      ...association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }),
      afterUnknown: { ha_vip_id: true }, expressions: { ha_vip_id: { references: ['h["\\q"].id', 'h'] } },
    }])
    const r = runPlan(['-'], JSON.stringify(badReference))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('configuration.root_module.resources[0].expressions.ha_vip_id.references[0]')
  })

  it('lists the first 20 problems of a plan and counts the rest', () => {
    const bad = { format_version: '1.2', resource_changes: Array.from({ length: 100 }, () => ({ address: 7 })) }
    const r = runPlan(['-'], JSON.stringify(bad))
    expect(r.status).toBe(2)
    expect(r.stderr.split('\n').filter((line) => line.startsWith('  resource_changes['))).toHaveLength(20)
    expect(r.stderr).toContain('  and 380 more problems')
  })

})

describe('the files havip plan reads: regular files only, bounded, UTF-8', () => {
  const planText = JSON.stringify(plan([association('web', ['create'], { haVip: 'havip-x', instance: 'i-b1' })]))
  // A bound on the run, so that a regression hangs no test run; no test here waits on time.
  const run = (args: ReadonlyArray<string>, input?: string) =>
    spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), ...args], { encoding: 'utf8', input, timeout: 60_000 })
  const configWith = (make: (folder: string) => void): string => {
    const folder = tempFolder('havip-tf-')
    writeFileSync(join(folder, 'main.tf'), 'resource "volcengine_ha_vip_associate" "web" {\n}\n')
    make(folder)
    return folder
  }
  const planFile = (folder: string): string => {
    const path = join(folder, 'plan.json')
    writeFileSync(path, planText)
    return path
  }

  it.each([
    ['a FIFO', (f: string) => { execFileSync('mkfifo', [join(f, 'f.tf')]) }, 'f.tf: is a FIFO, not a regular file'],
    ['a link to /dev/zero', (f: string) => { symlinkSync('/dev/zero', join(f, 'z.tf')) }, 'z.tf: is a device, not a regular file'],
    ['a 300 MB file', (f: string) => { writeFileSync(join(f, 'big.tf'), ''); truncateSync(join(f, 'big.tf'), 300 * 1024 * 1024) }, 'big.tf: 300 MiB, larger than 8 MiB'],
    ['a link to itself', (f: string) => { symlinkSync('loop.tf', join(f, 'loop.tf')) }, 'loop.tf: cannot read it: a symbolic link that leads back to itself'],
    ['invalid UTF-8', (f: string) => { writeFileSync(join(f, 'bad.tf'), Buffer.from([0x23, 0x20, 0xc3, 0x28])) }, 'bad.tf: not UTF-8: byte 2 (0xc3) starts no UTF-8 character'],
  ])('--config with %s among its .tf files: a usage error naming the file', (_, make, message) => {
    const folder = configWith(make)
    const r = run(['--config', folder, planFile(folder)])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stderr).not.toContain('unexpected failure')
  })

  it('--config skips a folder named x.tf, as Terraform does, and reads a .tf file with a byte-order mark', () => {
    const folder = configWith((f) => {
      mkdirSync(join(f, 'x.tf'))
      writeFileSync(join(f, 'main.tf'), '\ufeffresource "volcengine_ha_vip_associate" "web" {\n}\n')
    })
    const r = run(['--config', folder, '--format', 'json', planFile(folder)])
    expect(r.stderr).toBe('')
    expect((JSON.parse(r.stdout) as { findings: ReadonlyArray<{ location: unknown }> }).findings[0]?.location).toEqual({ file: 'main.tf', line: 1 })
  })

  it('PLAN: a FIFO, a device, an oversized file are refused; a byte-order mark is read; UTF-16 is named; invalid UTF-8 is refused at its offset', () => {
    const folder = tempFolder('havip-plan-')
    execFileSync('mkfifo', [join(folder, 'fifo.json')])
    expect(run([join(folder, 'fifo.json')]).stderr).toContain('fifo.json: is a FIFO, not a regular file')
    expect(run(['/dev/zero']).stderr).toContain('/dev/zero: is a device, not a regular file')
    writeFileSync(join(folder, 'huge.json'), '')
    truncateSync(join(folder, 'huge.json'), 300 * 1024 * 1024)
    expect(run([join(folder, 'huge.json')]).stderr).toContain('huge.json: 300 MiB, larger than 256 MiB')
    writeFileSync(join(folder, 'bom.json'), `\ufeff${planText}`)
    expect(run([join(folder, 'bom.json')]).status).toBe(0)
    writeFileSync(join(folder, 'utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(planText, 'utf16le')]))
    const utf16 = run([join(folder, 'utf16.json')])
    expect([utf16.status, utf16.stderr]).toEqual([2, expect.stringContaining('utf16.json: the file is UTF-16 (little-endian, with a byte order mark); save it as UTF-8') as unknown])
    writeFileSync(join(folder, 'latin1.json'), Buffer.from(planText.replace('i-b1', 'i-b\u00e9'), 'latin1'))
    const latin1 = run([join(folder, 'latin1.json')])
    expect(latin1.stderr).toContain(`latin1.json: not UTF-8: byte ${String(planText.indexOf('i-b1') + 3)} (0xe9) starts no UTF-8 character`)
    expect(run(['-'], `\ufeff${planText}`).status).toBe(0)
  })
})

describe('control characters and long texts from a plan', () => {
  const hostileId = 'i-\u001b[2J\nforged line\u0001\u202e' + 'x'.repeat(3000)
  const p = JSON.stringify(plan([association('web', ['create'], { haVip: 'havip-x', instance: hostileId })]))

  it('junit: XML 1.0 holds no forbidden character, raw or referenced; they are written as \\uXXXX text', () => {
    const r = runPlan(['--format', 'junit', '-'], p)
    expect(r.status).toBe(1)
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/)
    expect(r.stdout).not.toMatch(/&#x?0*(1b|27|1|0?1);/i)
    expect(r.stdout).toContain('i-\\u001b[2J\\u000aforged line\\u0001\\u202e')
    expect(r.stdout).toContain('more characters)')
  })

  it('text: no escape sequence or newline from the plan reaches the terminal, and a long id is cut', () => {
    const r = runPlan(['-'], p)
    expect(r.stdout).not.toContain('\u001b')
    expect(r.stdout).not.toContain('\u202e')
    expect(r.stdout.split('\n').filter((line) => line.startsWith('forged line'))).toEqual([])
    expect(r.stdout).toContain('i-\\u001b[2J\\u000aforged line')
    expect(r.stdout.split('\n').every((line) => line.length < 2500)).toBe(true)
  })
})

describe('SARIF locations: from the repository root, as code scanning resolves them', () => {
  const repoWith = (): { repo: string; infra: string; planPath: string } => {
    const repo = tempFolder('havip-repo-')
    mkdirSync(join(repo, '.git'))
    const infra = join(repo, 'infra')
    mkdirSync(join(infra, 'modules', 'db'), { recursive: true })
    writeFileSync(join(infra, 'main.tf'), 'module "db" {\n  source = "./modules/db"\n}\n\nresource "volcengine_ha_vip_associate" "web" {\n}\n')
    writeFileSync(join(infra, 'modules', 'db', 'vips.tf'), 'resource "volcengine_ha_vip_associate" "primary" {}\n')
    const planPath = join(repo, 'plan.json')
    writeFileSync(planPath, JSON.stringify(plan([
      association('web', ['create'], { haVip: 'havip-x', instance: 'i-a1' }),
      { ...association('primary', ['create'], { haVip: 'havip-x', instance: 'i-a2' }), module: 'module.db' },
    ])))
    return { repo, infra, planPath }
  }
  const sarifOf = (args: ReadonlyArray<string>, cwd: string) => {
    const r = spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--format', 'sarif', ...args], { encoding: 'utf8', cwd })
    return JSON.parse(r.stdout) as { runs: ReadonlyArray<{ originalUriBaseIds?: Record<string, { uri: string }>; results: ReadonlyArray<{ locations: ReadonlyArray<{ physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } } }> }> }> }
  }
  const uris = (log: ReturnType<typeof sarifOf>) => [...new Set(log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation?.artifactLocation.uri))]

  it('the configuration in a subfolder: infra/main.tf, from wherever havip runs, with the root as SRCROOT', () => {
    const { repo, infra, planPath } = repoWith()
    const validate = sarifValidator()
    for (const [args, cwd] of [[['--config', 'infra', planPath], repo], [['--config', '.', planPath], infra], [['--config', infra, planPath], tmpdir()]] as const) {
      const log = sarifOf(args, cwd)
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
      expect(uris(log)).toEqual(['infra/main.tf', 'infra/modules/db/vips.tf'])
      expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation?.artifactLocation.uriBaseId).toBe('SRCROOT')
      expect(log.runs[0]?.originalUriBaseIds?.SRCROOT?.uri).toBe(`${pathToFileURL(repo).href}/`)
    }
  })

  it('--source-root names files from another folder; outside a repository, from --config', () => {
    const { repo, infra, planPath } = repoWith()
    expect(uris(sarifOf(['--config', infra, '--source-root', infra, planPath], repo))).toEqual(['main.tf', 'modules/db/vips.tf'])
    rmSync(join(repo, '.git'), { recursive: true })
    expect(uris(sarifOf(['--config', infra, planPath], repo))).toEqual(['main.tf', 'modules/db/vips.tf'])
    expect(spawnSync(process.execPath, [cli, 'plan', '--snapshot', join(fixtures, 'account.json'), '--source-root', repo, planPath], { encoding: 'utf8' }).status).toBe(2)
  })
})
