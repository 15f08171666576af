import type { InstanceKey, ModuleStep, ResourceAddress } from './address.js'
import { configModuleText, parseModulePath, unquoteKey } from './address.js'
import type { ConfigModule, Plan, ResourceChange } from './plan-codec.js'
import { asExpression } from './plan-codec.js'

/**
 * What the plan says of a value: known (in `after`), symbolic (the id of a resource instance this
 * plan creates, named by its address), unknown (with the reason, for the report), or not set.
 */
export type Value =
  | { readonly kind: 'known'; readonly value: string }
  | { readonly kind: 'symbolic'; readonly address: string }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'absent' }

export const known = (value: string): Value => ({ kind: 'known', value })
export const absent: Value = { kind: 'absent' }

/** A resource instance of the plan, with its change and its configuration block. */
export interface Planned {
  readonly address: ResourceAddress
  readonly text: string
  readonly change: ResourceChange['change']
  readonly expressions: Readonly<Record<string, unknown>>
  /** Whether this plan creates it (`create`, or the create half of a replace). */
  readonly created: boolean
  /** A data source read at apply time. */
  readonly readAtApply: boolean
}

type Config = NonNullable<ConfigModule['resources']>[number]

const record = (u: unknown): Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Readonly<Record<string, unknown>>) : {}

const own = (o: Readonly<Record<string, unknown>>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

/** The plan's resource instances and configuration, indexed for reference resolution. */
export class PlanIndex {
  readonly planned: ReadonlyArray<Planned>
  private readonly byResource = new Map<string, Array<Planned>>()
  private readonly modules = new Map<string, ConfigModule>()
  private readonly blocks = new Map<string, Map<string, Config>>()
  private readonly createdByResource = new Map<string, { readonly all: ReadonlyArray<Planned>; readonly byKey: ReadonlyMap<InstanceKey | undefined, Planned> }>()

  constructor(plan: Plan) {
    this.indexModules('', plan.configuration?.root_module ?? {})
    this.planned = (plan.resource_changes ?? []).flatMap((rc): ReadonlyArray<Planned> => {
      const module = parseModulePath(rc.module_address) ?? []
      const mode = rc.mode === 'data' || rc.address.startsWith('data.') || rc.address.includes('.data.') ? 'data' : 'managed'
      const address: ResourceAddress = { module, mode, type: rc.type, name: rc.name, ...(rc.index === undefined ? {} : { key: rc.index }) }
      const config = this.config(module, mode, rc.type, rc.name)
      const actions = rc.change.actions
      const planned: Planned = {
        address,
        text: rc.address,
        change: rc.change,
        expressions: record(config?.expressions),
        created: actions.includes('create'),
        readAtApply: mode === 'data' && actions.includes('read'),
      }
      const key = this.resourceKey(modulePathKey(module), mode, rc.type, rc.name)
      const instances = this.byResource.get(key)
      if (instances === undefined) this.byResource.set(key, [planned])
      else instances.push(planned)
      return [planned]
    })
  }

  /** The configuration block of a resource, in the module its path names. */
  config(module: ReadonlyArray<ModuleStep>, mode: 'managed' | 'data', type: string, name: string): Config | undefined {
    const path = configModuleText(module)
    let blocks = this.blocks.get(path)
    if (blocks === undefined) {
      // The first block of each name, as a search from the start would find it.
      blocks = new Map()
      for (const r of this.modules.get(path)?.resources ?? []) {
        const key = this.resourceKey('', r.mode, r.type, r.name)
        if (!blocks.has(key)) blocks.set(key, r)
      }
      this.blocks.set(path, blocks)
    }
    return blocks.get(this.resourceKey('', mode, type, name))
  }

  /** The module configuration at a path (without instance keys). */
  module(module: ReadonlyArray<ModuleStep>): ConfigModule | undefined {
    return this.modules.get(configModuleText(module))
  }

  /** Module calls of local sources, by configuration path: where `--config` looks for `.tf` files. */
  localModules(): ReadonlyArray<{ readonly path: string; readonly source: string }> {
    const found: Array<{ path: string; source: string }> = []
    const walk = (path: string, module: ConfigModule): void => {
      for (const [name, call] of Object.entries(module.module_calls ?? {})) {
        const child = path === '' ? `module.${name}` : `${path}.module.${name}`
        if (call.source !== undefined && (call.source.startsWith('./') || call.source.startsWith('../'))) found.push({ path: child, source: call.source })
        walk(child, call.module ?? {})
      }
    }
    walk('', this.modules.get('') ?? {})
    return found
  }

  /** The instances of one resource in one module instance. */
  instances(module: ReadonlyArray<ModuleStep>, mode: 'managed' | 'data', type: string, name: string): ReadonlyArray<Planned> {
    return this.byResource.get(this.resourceKey(modulePathKey(module), mode, type, name)) ?? []
  }

  /** The instances of a managed resource this plan creates, and the first by each key: found once, not searched for each reference. */
  created(module: ReadonlyArray<ModuleStep>, type: string, name: string): { readonly all: ReadonlyArray<Planned>; readonly byKey: ReadonlyMap<InstanceKey | undefined, Planned> } {
    const key = this.resourceKey(modulePathKey(module), 'managed', type, name)
    let found = this.createdByResource.get(key)
    if (found === undefined) {
      const all = (this.byResource.get(key) ?? []).filter((p) => p.created)
      const byKey = new Map<InstanceKey | undefined, Planned>()
      for (const p of all) if (!byKey.has(p.address.key)) byKey.set(p.address.key, p)
      found = { all, byKey }
      this.createdByResource.set(key, found)
    }
    return found
  }

  private resourceKey(module: string, mode: string, type: string, name: string): string {
    return JSON.stringify([module, mode, type, name])
  }

  private indexModules(path: string, module: ConfigModule): void {
    this.modules.set(path, module)
    for (const [name, call] of Object.entries(module.module_calls ?? {})) {
      this.indexModules(path === '' ? `module.${name}` : `${path}.module.${name}`, call.module ?? {})
    }
  }
}

const modulePathKey = (module: ReadonlyArray<ModuleStep>): string => JSON.stringify(module.map((m) => [m.name, m.key ?? null]))

const resourceReference = /^([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?(?:\.([A-Za-z_][\w-]*))?/

// The plan's references were checked when it was decoded: a key that does not unquote stays as written.
const parseKey = (text: string): InstanceKey => (text.startsWith('"') ? unquoteKey(text.slice(1, -1)) ?? text : Number(text))

const maxDepth = 16

/**
 * Resolves the values of attributes: from `after` where the plan knows them, else from the
 * configuration's references — a resource this plan creates (symbolic), a module's input or output
 * (followed), a data source read at apply time, a variable (unknown, with the reason).
 */
export class Resolver {
  constructor(private readonly index: PlanIndex) {}

  /** An attribute of a planned instance, as the plan will have it. */
  attribute(planned: Planned, attr: string, depth = 0): Value {
    const after = own(record(planned.change.after), attr)
    if (typeof after === 'string') return known(after)
    if (typeof after === 'number' || typeof after === 'boolean') return known(String(after))
    if (own(record(planned.change.after_unknown), attr) !== true) return absent
    return this.expression(planned, attr, depth)
  }

  /** The value a list attribute's unknown elements take: symbolic when its references name exactly one instance this plan creates. */
  listElement(planned: Planned, attr: string): Value {
    const expression = asExpression(own(planned.expressions, attr))
    const what = `${attr} of ${planned.text}`
    const created = new Set<string>()
    for (const ref of expression?.references ?? []) {
      const m = resourceReference.exec(ref)
      if (m === null || m[1] === 'data' || m[1] === 'var' || m[1] === 'local' || m[1] === 'module' || m[1] === 'each' || m[1] === 'count') continue
      const instances = this.index.created(planned.address.module, m[1] ?? '', m[2] ?? '')
      const chosen = m[3] === undefined ? instances.all : [instances.byKey.get(parseKey(m[3]))].filter((p) => p !== undefined)
      for (const p of chosen) created.add(p.text)
      if (created.size > 1) break
    }
    const [only] = created
    return created.size === 1 && only !== undefined
      ? { kind: 'symbolic', address: only }
      : this.expression(planned, attr, 0, what)
  }

  /** An attribute's configuration expression, resolved. */
  private expression(planned: Planned, attr: string, depth: number, what = `${attr} of ${planned.text}`): Value {
    const expression = asExpression(own(planned.expressions, attr))
    return this.references(expression?.references ?? [], planned.address.module, planned.address.key, what, depth)
  }

  /** Where references lead, from a module instance and the instance key of the one who refers. */
  private references(refs: ReadonlyArray<string>, module: ReadonlyArray<ModuleStep>, key: InstanceKey | undefined, what: string, depth: number): Value {
    if (depth > maxDepth) return { kind: 'unknown', reason: `${what} refers through too many levels` }
    const byIndex = refs.includes('count.index') || refs.includes('each.key')
    for (const ref of refs) {
      if (ref === 'count.index' || ref === 'each.key') continue
      if (ref.startsWith('each.value')) return { kind: 'unknown', reason: `${what} is computed from each.value` }
      const parts = ref.split('.')
      const [head = '', second = '', third] = parts
      if (head === 'data') {
        // Where the pattern matches, its type is `second`: the type stops at the first dot.
        const m = resourceReference.exec(parts.slice(1).join('.'))
        const source = `data.${second}.${m?.[2] ?? third ?? ''}`
        const read = this.index.instances(module, 'data', second, m?.[2] ?? '').some((p) => p.readAtApply)
        return { kind: 'unknown', reason: read ? `${what} is read from ${source} at apply time` : `${what} depends on ${source}` }
      }
      if (head === 'var') return this.variable(second, module, what, depth)
      if (head === 'local') return { kind: 'unknown', reason: `${what} is computed from local.${second}` }
      if (head === 'module') return this.output(ref, module, key, byIndex, what, depth)
      if (head === 'path' || head === 'terraform' || head === 'self') continue
      const m = resourceReference.exec(ref)
      if (m === null) continue
      return this.resource(m, module, key, byIndex, what, depth)
    }
    return { kind: 'unknown', reason: `${what} is known only after apply` }
  }

  private resource(m: RegExpExecArray, module: ReadonlyArray<ModuleStep>, key: InstanceKey | undefined, byIndex: boolean, what: string, depth: number): Value {
    const [, type = '', name = '', literal, attr = 'id'] = m
    const named = `${type}.${name}`
    const created = this.index.created(module, type, name)
    if (created.all.length === 0) return { kind: 'unknown', reason: `${what} refers to ${named}, which this plan does not create` }
    const wanted = literal !== undefined ? parseKey(literal) : byIndex ? key : undefined
    const instance = wanted !== undefined ? created.byKey.get(wanted) : created.all.length === 1 ? created.all[0] : undefined
    if (instance === undefined) {
      return { kind: 'unknown', reason: `${what} refers to ${named}, of which this plan creates ${String(created.all.length)} instances: which one is not known` }
    }
    return attr === 'id' ? { kind: 'symbolic', address: instance.text } : this.attribute(instance, attr, depth + 1)
  }

  /** `var.NAME` inside a module: what the module call passes, resolved in the calling module. */
  private variable(name: string, module: ReadonlyArray<ModuleStep>, what: string, depth: number): Value {
    const call = module.at(-1)
    if (call === undefined) return { kind: 'unknown', reason: `${what} is computed from var.${name}` }
    const parent = module.slice(0, -1)
    const expression = asExpression(this.index.module(parent)?.module_calls?.[call.name]?.expressions?.[name])
    if (expression === undefined) return { kind: 'unknown', reason: `${what} is computed from var.${name}` }
    if (typeof expression.constant_value === 'string') return known(expression.constant_value)
    return this.references(expression.references ?? [], parent, call.key, what, depth + 1)
  }

  /** `module.NAME.OUTPUT`: the output's expression, resolved inside that module. */
  private output(ref: string, module: ReadonlyArray<ModuleStep>, key: InstanceKey | undefined, byIndex: boolean, what: string, depth: number): Value {
    const m = /^module\.([A-Za-z_][\w-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?\.([A-Za-z_][\w-]*)/.exec(ref)
    if (m === null) return { kind: 'unknown', reason: `${what} refers to ${ref}` }
    const [, name = '', literal, output = ''] = m
    const childKey = literal !== undefined ? parseKey(literal) : byIndex ? key : undefined
    const child: ReadonlyArray<ModuleStep> = [...module, childKey === undefined ? { name } : { name, key: childKey }]
    const expression = this.index.module(child)?.outputs?.[output]?.expression
    if (expression === undefined) return { kind: 'unknown', reason: `${what} refers to module.${name}.${output}` }
    if (typeof expression.constant_value === 'string') return known(expression.constant_value)
    return this.references(expression.references ?? [], child, undefined, what, depth + 1)
  }
}
