/**
 * Terraform resource addresses: their parts, and the order Terraform lists them in — root module
 * first, then module paths in order; within a module data sources before managed resources, then
 * by type, by name, and by index (numbers numerically, keys as strings).
 */

export type InstanceKey = number | string

/** One step of a module path: `module.web["a"]`. */
export interface ModuleStep {
  readonly name: string
  readonly key?: InstanceKey
}

/** A resource instance: where it is, what it is. */
export interface ResourceAddress {
  readonly module: ReadonlyArray<ModuleStep>
  readonly mode: 'managed' | 'data'
  readonly type: string
  readonly name: string
  readonly key?: InstanceKey
}

const keyText = (key: InstanceKey | undefined): string =>
  key === undefined ? '' : typeof key === 'number' ? `[${String(key)}]` : `[${JSON.stringify(key)}]`

export const modulePathText = (module: ReadonlyArray<ModuleStep>): string =>
  module.map((m) => `module.${m.name}${keyText(m.key)}`).join('.')

/** A module path without its instance keys: where its configuration is. */
export const configModuleText = (module: ReadonlyArray<ModuleStep>): string => module.map((m) => `module.${m.name}`).join('.')

/** The address Terraform writes: `module.web["a"].volcengine_ha_vip.db[0]`. */
export const addressText = (a: ResourceAddress): string =>
  [modulePathText(a.module), `${a.mode === 'data' ? 'data.' : ''}${a.type}.${a.name}${keyText(a.key)}`].filter(Boolean).join('.')

/** `module.a["x"].module.b[0]` → its steps; undefined when it is not a module path. */
export const parseModulePath = (text: string | undefined): ReadonlyArray<ModuleStep> | undefined => {
  if (text === undefined || text === '') return []
  const steps: Array<ModuleStep> = []
  const step = /module\.([A-Za-z_][\w-]*)(?:\[(?:(\d+)|"((?:[^"\\]|\\.)*)")\])?(?:\.|$)/y
  let at = 0
  while (at < text.length) {
    step.lastIndex = at
    const m = step.exec(text)
    if (m === null) return undefined
    const [, name = '', number, key] = m
    steps.push(number !== undefined ? { name, key: Number(number) } : key !== undefined ? { name, key: JSON.parse(`"${key}"`) as string } : { name })
    at = step.lastIndex
  }
  return steps
}

const compareKey = (a: InstanceKey | undefined, b: InstanceKey | undefined): number => {
  if (a === b) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return a < b ? -1 : 1
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const compareModules = (a: ReadonlyArray<ModuleStep>, b: ReadonlyArray<ModuleStep>): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) break
    const byName = compareText(x.name, y.name)
    if (byName !== 0) return byName
    const byKey = compareKey(x.key, y.key)
    if (byKey !== 0) return byKey
  }
  return a.length - b.length
}

/** Terraform's order of resource instances. */
export const compareAddresses = (a: ResourceAddress, b: ResourceAddress): number =>
  compareModules(a.module, b.module) ||
  (a.mode === b.mode ? 0 : a.mode === 'data' ? -1 : 1) ||
  compareText(a.type, b.type) ||
  compareText(a.name, b.name) ||
  compareKey(a.key, b.key)
