/**
 * Terraform resource addresses: their parts, and the order Terraform lists them in — root module
 * first, then module paths in order; within a module by type, by name, and by index (numbers
 * numerically, keys as strings). Only managed resources change bindings, so only they are ordered.
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

/** A module path without its instance keys: where its configuration is. */
export const configModuleText = (module: ReadonlyArray<ModuleStep>): string => module.map((m) => `module.${m.name}`).join('.')

const simpleEscapes: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }

const hexDigits = { u: /^[0-9A-Fa-f]{4}$/, U: /^[0-9A-Fa-f]{8}$/ } as const

/**
 * A string key as Terraform writes it in an address, between its quotes: HCL's quoted-string
 * syntax (`\n`, `\r`, `\t`, `\"`, `\\`, `\uNNNN`, `\UNNNNNNNN`, and `$${` or `%%{` for `${` or `%{`).
 * Terraform writes `\U000e0001` for a character it cannot print, so JSON's rules do not do. Undefined
 * for any other escape: the address was not written by Terraform. The body is what the address
 * patterns matched between the quotes, so a quote in it is always escaped.
 */
export const unquoteKey = (body: string): string | undefined => {
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i)
    // `$${` is `${`: the first of the pair is dropped, and the rest reads as itself.
    if ((c === '$' || c === '%') && body.charAt(i + 1) === c && body.charAt(i + 2) === '{') continue
    if (c !== '\\') {
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

/** Whether every quoted key of an address or a reference (`h["a"].id`) is quoted as Terraform quotes. */
export const keysQuoted = (text: string): boolean =>
  [...text.matchAll(/\["((?:[^"\\]|\\.)*)"\]/g)].every((m) => unquoteKey(m[1] ?? '') !== undefined)

/** `module.a["x"].module.b[0]` → its steps; undefined when it is not a module path. */
export const parseModulePath = (text: string | undefined): ReadonlyArray<ModuleStep> | undefined => {
  if (text === undefined) return []
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
  for (const [i, x] of a.entries()) {
    const y = b[i]
    // A path comes after the paths it extends.
    if (y === undefined) return 1
    const byStep = compareText(x.name, y.name) || compareKey(x.key, y.key)
    if (byStep !== 0) return byStep
  }
  return a.length - b.length
}

/** Terraform's order of managed resource instances (data sources change no binding). */
export const compareAddresses = (a: ResourceAddress, b: ResourceAddress): number =>
  compareModules(a.module, b.module) ||
  compareText(a.type, b.type) ||
  compareText(a.name, b.name) ||
  compareKey(a.key, b.key)
