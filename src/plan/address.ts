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

const simpleEscapes: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }

const hexDigits = { u: /^[0-9A-Fa-f]{4}$/, U: /^[0-9A-Fa-f]{8}$/ } as const

/**
 * A string key as Terraform writes it in an address, between its quotes: HCL's quoted-string
 * syntax (`\n`, `\r`, `\t`, `\"`, `\\`, `\uNNNN`, `\UNNNNNNNN`, and `$${` or `%%{` for `${` or `%{`).
 * Terraform writes `\U000e0001` for a character it cannot print, so JSON's rules do not do. Undefined
 * for any other escape: the address was not written by Terraform.
 */
export const unquoteKey = (body: string): string | undefined => {
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i)
    if (c === '"') return undefined
    if ((c === '$' || c === '%') && body.charAt(i + 1) === c && body.charAt(i + 2) === '{') {
      out += `${c}{`
      i += 2
    } else if (c !== '\\') {
      out += c
    } else {
      const e = body.charAt(i + 1)
      const simple = simpleEscapes[e]
      if (simple !== undefined) {
        out += simple
        i += 1
        continue
      }
      if (e !== 'u' && e !== 'U') return undefined
      const digits = e === 'u' ? 4 : 8
      const hex = body.slice(i + 2, i + 2 + digits)
      if (!hexDigits[e].test(hex)) return undefined
      const point = Number.parseInt(hex, 16)
      if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined
      out += String.fromCodePoint(point)
      i += 1 + digits
    }
  }
  return out
}

/** The quoted keys of an address or a reference (`h["a"].id` → `a`); undefined when one is not quoted as Terraform quotes. */
export const quotedKeys = (text: string): ReadonlyArray<string> | undefined => {
  const keys: Array<string> = []
  for (const m of text.matchAll(/\["((?:[^"\\]|\\.)*)"\]/g)) {
    const key = unquoteKey(m[1] ?? '')
    if (key === undefined) return undefined
    keys.push(key)
  }
  return keys
}

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
    const unquoted = key === undefined ? undefined : unquoteKey(key)
    if (key !== undefined && unquoted === undefined) return undefined
    steps.push(number !== undefined ? { name, key: Number(number) } : unquoted !== undefined ? { name, key: unquoted } : { name })
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
