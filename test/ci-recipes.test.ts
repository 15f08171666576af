import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { association, plan } from './support/plans.js'
import { sarifValidator } from './support/sarif.js'
import { tempFolder } from './support/temp.js'

/**
 * The CI recipes of docs/terraform.md are files (examples/ci/), included in the doc verbatim, and
 * run here in a dry form: each job's shell steps, in a repository with the configuration in a
 * subfolder, against a fixture plan, with `terraform` a stub on PATH that insists on the Volcengine
 * provider's credentials, and `npm install --global havip-rules` a stub that puts this build's
 * `havip` on PATH (its `snapshot pull` copies the fixture account, and insists on its own
 * credentials). Actions (`uses:`) and images are skipped.
 */

const root = new URL('../', import.meta.url).pathname
const cli = join(root, 'dist/cli/main.js')
const account = join(root, 'test/fixtures/terraform/account.json')
const recipe = (name: string): string => readFileSync(join(root, 'examples/ci', name), 'utf8')

const stubs = (bin: string, planFile: string): void => {
  mkdirSync(bin, { recursive: true })
  const write = (name: string, text: string): void => {
    writeFileSync(join(bin, name), text)
    chmodSync(join(bin, name), 0o755)
  }
  write('terraform', `#!/bin/bash
set -e
dir=.
if [[ "$1" == -chdir=* ]]; then dir="\${1#-chdir=}"; shift; fi
[ -f "$dir/main.tf" ] || { echo "terraform stub: no configuration in $dir" >&2; exit 1; }
case "$1" in
  init) ;;
  plan)
    for v in VOLCENGINE_ACCESS_KEY VOLCENGINE_SECRET_KEY VOLCENGINE_REGION; do
      [ -n "\${!v}" ] || { echo "Error: $v is not set: the volcengine provider cannot authenticate" >&2; exit 1; }
    done
    touch "$dir/tfplan" ;;
  show) [ "$2 $3" = "-json tfplan" ] && [ -f "$dir/tfplan" ] || { echo "terraform stub: show -json tfplan without a plan" >&2; exit 1; }
    cat ${JSON.stringify(planFile)} ;;
  *) echo "terraform stub: $1 is not stubbed" >&2; exit 1 ;;
esac
`)
  write('npm', `#!/bin/bash
[ "$*" = "install --global havip-rules" ] || { echo "npm stub: $* is not stubbed" >&2; exit 1; }
cat > ${JSON.stringify(join(bin, 'havip'))} <<'SHIM'
#!/bin/bash
if [ "$1 $2" = "snapshot pull" ]; then
  [ -n "$VOLC_ACCESSKEY" ] && [ -n "$VOLC_SECRETKEY" ] || { echo "havip: set VOLC_ACCESSKEY and VOLC_SECRETKEY" >&2; exit 2; }
  while [ $# -gt 0 ]; do [ "$1" = --out ] && cp ${JSON.stringify(account)} "$2"; shift; done
  exit 0
fi
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"
SHIM
chmod +x ${JSON.stringify(join(bin, 'havip'))}
`)
}

/** A repository with its Terraform configuration in infra/ (a block for each resource of the plan) and the plan the stub shows. */
const repository = (planJson: unknown): { repo: string; planFile: string } => {
  const repo = tempFolder('havip-ci-')
  mkdirSync(join(repo, '.git'))
  mkdirSync(join(repo, 'infra'))
  const changes = (planJson as { resource_changes: ReadonlyArray<{ type: string; name: string }> }).resource_changes
  const blocks = [...new Set(changes.map((c) => `resource "${c.type}" "${c.name}" {\n}\n`))]
  writeFileSync(join(repo, 'infra', 'main.tf'), blocks.join('\n'))
  const planFile = join(tempFolder('havip-ci-plan-'), 'plan.json')
  writeFileSync(planFile, JSON.stringify(planJson))
  return { repo, planFile }
}

const shell = (script: string, env: Readonly<Record<string, string>>, cwd: string) =>
  spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8' })

const baseEnv = (bin: string): Record<string, string> => ({ PATH: [bin, '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter), HOME: process.env.HOME ?? '/tmp' })

interface Step { readonly id?: string; readonly if?: string; readonly run?: string; readonly uses?: string; readonly env?: Readonly<Record<string, unknown>> }

/** Runs the GitHub Actions job's `run` steps in order, as a runner would: the outcome, and the step that failed. */
const runGithub = (yaml: string, repo: string, planFile: string, secrets: Readonly<Record<string, string>>, env: Readonly<Record<string, string>> = {}) => {
  const workflow = parse(yaml) as { jobs: Record<string, { env?: Record<string, unknown>; steps: ReadonlyArray<Step> }> }
  const job = Object.values(workflow.jobs)[0]
  if (job === undefined) throw new Error('no job')
  const bin = join(tempFolder('havip-ci-bin-'), 'bin')
  stubs(bin, planFile)
  const expand = (value: string): string => value.replace(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g, (_, name: string) => secrets[name] ?? '')
  const outputs = new Map<string, Map<string, string>>()
  const outputFolder = tempFolder('havip-ci-out-')
  const log: Array<string> = []
  for (const step of job.steps) {
    if (step.run === undefined) continue
    if (step.if !== undefined) {
      const m = /^steps\.(\w+)\.outputs\.(\w+) == '([^']*)'$/.exec(step.if)
      if (m === null) throw new Error(`if: ${step.if} is not understood by this test`)
      if (outputs.get(m[1] ?? '')?.get(m[2] ?? '') !== m[3]) continue
    }
    const outputFile = join(outputFolder, `output-${String(log.length)}`)
    writeFileSync(outputFile, '')
    const stepEnv = Object.fromEntries(Object.entries({ ...job.env, ...env, ...step.env }).map(([k, v]) => [k, expand(String(v))]))
    const r = shell(step.run, { ...baseEnv(bin), ...stepEnv, GITHUB_OUTPUT: outputFile }, repo)
    log.push(`$ ${step.run}\n${r.stderr}`)
    if (step.id !== undefined) outputs.set(step.id, new Map(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string])))
    if (r.status !== 0) return { ok: false, failed: step.run, log: log.join('\n') }
  }
  return { ok: true, failed: undefined, log: log.join('\n') }
}

interface GitlabJob { readonly stage: string; readonly variables?: Record<string, unknown>; readonly before_script?: ReadonlyArray<string>; readonly script: ReadonlyArray<string>; readonly allow_failure?: { readonly exit_codes: ReadonlyArray<number> } }

/** Runs the GitLab pipeline's jobs by stage, each in a fresh container (its own PATH), sharing the working folder as artifacts do. */
const runGitlab = (yaml: string, repo: string, planFile: string, projectVariables: Readonly<Record<string, string>>) => {
  const pipeline = parse(yaml) as { stages: ReadonlyArray<string>; variables?: Record<string, unknown> } & Record<string, unknown>
  const jobs = Object.entries(pipeline).filter((e): e is [string, GitlabJob] => typeof e[1] === 'object' && e[1] !== null && 'script' in e[1])
  const results: Array<{ job: string; status: number | null; stderr: string }> = []
  for (const stage of pipeline.stages) {
    for (const [name, job] of jobs.filter(([, j]) => j.stage === stage)) {
      const bin = join(tempFolder('havip-ci-bin-'), 'bin')
      stubs(bin, planFile)
      // GitLab expands a variable's value with the variables defined before it.
      const variables = Object.entries({ ...pipeline.variables, ...job.variables }).map(([k, v]) => `export ${k}="${String(v)}"`).join('\n')
      const r = shell(`${variables}\n${[...(job.before_script ?? []), ...job.script].join('\n')}`, { ...baseEnv(bin), ...projectVariables }, repo)
      results.push({ job: name, status: r.status, stderr: r.stderr })
      if (r.status !== 0 && !(job.allow_failure?.exit_codes.includes(r.status ?? -1) ?? false)) return { ok: false, results }
    }
  }
  return { ok: true, results }
}

const failing = plan([association('full', ['create'], { haVip: 'havip-f', instance: 'i-a12' }), association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })])
const passing = plan([association('ok', ['create'], { haVip: 'havip-x', instance: 'i-b1' })])
const credentials = { VOLCENGINE_ACCESS_KEY: 'AKLTtest', VOLCENGINE_SECRET_KEY: 'secret' }

describe('the recipes are the files docs/terraform.md shows', () => {
  it.each(['github-actions.yml', 'gitlab-ci.yml'])('examples/ci/%s is in docs/terraform.md verbatim', (name) => {
    const doc = readFileSync(join(root, 'docs/terraform.md'), 'utf8')
    expect(doc).toContain(`\`\`\`yaml\n${recipe(name)}\`\`\``)
  })
})

describe('the GitHub Actions recipe, dry', () => {
  it('a failing plan: the SARIF is written from the repository root, then the job fails', () => {
    const { repo, planFile } = repository(failing)
    const r = runGithub(recipe('github-actions.yml'), repo, planFile, credentials)
    expect([r.ok, r.failed], r.log).toEqual([false, 'exit 1'])
    const log = JSON.parse(readFileSync(join(repo, 'havip.sarif'), 'utf8')) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ locations: ReadonlyArray<{ physicalLocation?: { artifactLocation: { uri: string } } }> }> }> }
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation?.artifactLocation.uri).toBe('infra/main.tf')
  })

  it('a passing plan passes; the configuration at the root works with TF_DIR "."', () => {
    const { repo, planFile } = repository(passing)
    expect(runGithub(recipe('github-actions.yml'), repo, planFile, credentials).ok).toBe(true)
    cpSync(join(repo, 'infra', 'main.tf'), join(repo, 'main.tf'))
    rmSync(join(repo, 'infra'), { recursive: true })
    const atRoot = runGithub(recipe('github-actions.yml'), repo, planFile, credentials, { TF_DIR: '.' })
    expect(atRoot.ok, atRoot.log).toBe(true)
  })

  it('terraform plan gets the provider\'s credentials from the secrets: without them it stops there', () => {
    const { repo, planFile } = repository(passing)
    const r = runGithub(recipe('github-actions.yml'), repo, planFile, {})
    expect(r.failed).toContain('plan -input=false')
    expect(r.log).toContain('VOLCENGINE_ACCESS_KEY is not set')
  })

  it('a plan that does not load stops the job at the check', () => {
    const { repo, planFile } = repository(passing)
    writeFileSync(planFile, JSON.stringify({ format_version: '1.0', values: {} }))
    expect(runGithub(recipe('github-actions.yml'), repo, planFile, credentials).failed).toContain('havip plan')
  })
})

describe('the GitLab CI recipe, dry', () => {
  it('the check job installs havip-rules itself, and a failing plan fails it with the JUnit report written', () => {
    const { repo, planFile } = repository(failing)
    const r = runGitlab(recipe('gitlab-ci.yml'), repo, planFile, credentials)
    expect(r.results.map((x) => [x.job, x.status]), JSON.stringify(r.results)).toEqual([['terraform-plan', 0], ['havip-check', 1]])
    expect(r.ok).toBe(false)
    const xml = readFileSync(join(repo, 'havip.xml'), 'utf8')
    expect(xml).toContain('failures="1"')
    expect(xml).toContain('file="infra/main.tf"')
  })

  it('a passing plan passes; without the credentials, terraform plan stops', () => {
    const { repo, planFile } = repository(passing)
    expect(runGitlab(recipe('gitlab-ci.yml'), repo, planFile, credentials).ok).toBe(true)
    const none = runGitlab(recipe('gitlab-ci.yml'), repo, planFile, {})
    expect(none.results).toEqual([expect.objectContaining({ job: 'terraform-plan', status: 1 }) as unknown])
  })
})
