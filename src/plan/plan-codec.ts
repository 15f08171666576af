import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Problem } from '../codec/problems.js'
import { childPath, fromValidationErrors } from '../codec/problems.js'
import { keysQuoted, parseModulePath } from './address.js'

/**
 * The parts of `terraform show -json PLANFILE` (or `tofu show -json`) the check reads, as io-ts
 * codecs: every other key is ignored. Terraform leaves empty parts out, so nearly everything is
 * optional.
 */

const json = t.unknown

/** An argument's expression in the configuration: a constant, or what it refers to. */
const ExpressionCodec = t.partial({ constant_value: json, references: t.readonlyArray(t.string, 'an array of references') }, 'an expression object')

const Expressions = t.record(t.string, json, 'an object of expressions')

const ConfigResourceCodec = t.intersection([
  t.type({ address: t.string, mode: t.string, type: t.string, name: t.string }),
  t.partial({ expressions: Expressions, count_expression: ExpressionCodec, for_each_expression: ExpressionCodec }),
], 'a configuration resource')

export interface ConfigModule {
  readonly resources?: ReadonlyArray<t.TypeOf<typeof ConfigResourceCodec>>
  readonly module_calls?: Readonly<Record<string, ModuleCall>>
  readonly outputs?: Readonly<Record<string, { readonly expression?: t.TypeOf<typeof ExpressionCodec> }>>
}

export interface ModuleCall {
  readonly source?: string
  readonly expressions?: Readonly<Record<string, unknown>>
  readonly module?: ConfigModule
}

const ConfigModuleCodec: t.Type<ConfigModule> = t.recursion('a configuration module', () =>
  t.partial({
    resources: t.readonlyArray(ConfigResourceCodec, 'an array of resources'),
    module_calls: t.record(t.string, ModuleCallCodec, 'an object of module calls'),
    outputs: t.record(t.string, t.partial({ expression: ExpressionCodec }, 'an output'), 'an object of outputs'),
  }, 'a configuration module'))

const ModuleCallCodec: t.Type<ModuleCall> = t.recursion('a module call', () =>
  t.partial({ source: t.string, expressions: Expressions, module: ConfigModuleCodec }, 'a module call'))

const ChangeCodec = t.intersection([
  t.type({ actions: t.readonlyArray(t.string, 'an array of actions') }),
  t.partial({ before: json, after: json, after_unknown: json }),
], 'a change object')

const ResourceChangeCodec = t.intersection([
  t.type({ address: t.string, type: t.string, name: t.string, change: ChangeCodec }),
  t.partial({ mode: t.string, module_address: t.string, index: t.union([t.number, t.string], 'a number or a string') }),
], 'a resource change')

const PlanCodec = t.intersection([
  t.type({ format_version: t.string }),
  t.partial({
    terraform_version: t.string,
    resource_changes: t.readonlyArray(ResourceChangeCodec, 'an array of resource changes'),
    configuration: t.partial({ root_module: ConfigModuleCodec }, 'a configuration object'),
  }),
], 'a plan object')

export type Plan = t.TypeOf<typeof PlanCodec>
export type ResourceChange = t.TypeOf<typeof ResourceChangeCodec>
export type Expression = t.TypeOf<typeof ExpressionCodec>

/** The plan formats Terraform 1.0 writes (0.1, 0.2) and every 1.x. */
const acceptedFormat = /^(0\.[12]|1\.\d+)$/

/**
 * How deep a plan's JSON may nest. Terraform's own nesting is a few levels a module call (a
 * configuration 80 modules deep stays under it); deeper input is not a plan, and decoding it
 * recursively would exhaust the stack.
 */
export const maxNesting = 256

const shortPath = (path: string): string => (path.length > 160 ? `${path.slice(0, 80)}…${path.slice(-60)}` : path)

/** The path of the first value nested deeper than `maxNesting`, found without recursion. */
const tooDeep = (input: unknown): string | undefined => {
  interface Node { readonly value: unknown; readonly depth: number; readonly parent?: Node; readonly key?: string | number }
  const pathOf = (node: Node): string => {
    const keys: Array<string | number> = []
    for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) keys.push(n.key)
    return keys.reverse().reduce<string>((path, key) => childPath(path, key), '')
  }
  const stack: Array<Node> = [{ value: input, depth: 0 }]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value, depth } = node
    if (typeof value !== 'object' || value === null) continue
    if (depth >= maxNesting) return pathOf(node)
    if (Array.isArray(value)) value.forEach((v: unknown, i) => stack.push({ value: v, depth: depth + 1, parent: node, key: i }))
    else for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, parent: node, key: k })
  }
  return undefined
}

const hint = 'give the output of terraform show -json PLANFILE'

/**
 * Whether the JSON is a plan at all. `terraform show -json` without a plan file prints the state
 * (`values`, and no `planned_values`); a plan always has `planned_values`, and `resource_changes`
 * when it changes anything.
 */
const notAPlan = (o: Readonly<Record<string, unknown>>): Problem | undefined => {
  const has = (key: string): boolean => Object.hasOwn(o, key)
  if (has('planned_values') || has('resource_changes')) return undefined
  return {
    path: '',
    message: has('values')
      ? `is a Terraform state (it has values, and neither planned_values nor resource_changes), not a plan: ${hint}`
      : `is not a Terraform plan: it has neither planned_values nor resource_changes; ${hint}`,
  }
}

/** Every address of a resource instance or a module, and every reference, must quote its keys as Terraform does. */
const badAddresses = (plan: Plan): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  const badKey = (path: string, text: string, what: string): void => {
    if (!keysQuoted(text)) problems.push({ path, message: `${what} ${shortText(text)} has a key that is not quoted as Terraform quotes it (a bad escape)` })
  }
  ;(plan.resource_changes ?? []).forEach((rc, i) => {
    badKey(`resource_changes[${String(i)}].address`, rc.address, 'the address')
    if (rc.module_address !== undefined && parseModulePath(rc.module_address) === undefined) {
      problems.push({ path: `resource_changes[${String(i)}].module_address`, message: `${shortText(rc.module_address)} is not a module address such as module.a["x"].module.b[0]` })
    }
  })
  // Every `references` list under the configuration, found without recursion.
  const stack: Array<{ value: unknown; path: string }> = [{ value: plan.configuration, path: 'configuration' }]
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value, path } = node
    if (typeof value !== 'object' || value === null) continue
    for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      const at = childPath(path, k)
      if (k === 'references' && Array.isArray(v)) v.forEach((ref: unknown, j) => { if (typeof ref === 'string') badKey(childPath(at, j), ref, 'the reference') })
      else stack.push({ value: v, path: at })
    }
  }
  return problems
}

const shortText = (text: string): string => JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text)

/**
 * Reads a plan's JSON: its depth, its format version and whether it is a plan at all first, then
 * the shape of the parts the check reads, then its addresses; every problem at its path.
 */
export const decodePlan = (input: unknown): E.Either<ReadonlyArray<Problem>, Plan> => {
  const deep = tooDeep(input)
  if (deep !== undefined) return E.left([{ path: shortPath(deep), message: `nests deeper than ${String(maxNesting)} levels: this is not a plan Terraform writes` }])
  const o = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Readonly<Record<string, unknown>>) : undefined
  const version = o?.format_version
  if (typeof version === 'string' && !acceptedFormat.test(version)) {
    return E.left([{ path: 'format_version', message: `is ${JSON.stringify(version)}; havip plan reads plans of format 0.1 and 0.2 (Terraform 1.0) and 1.x (Terraform 1.1 and later, OpenTofu)` }])
  }
  const notPlan = o === undefined ? undefined : notAPlan(o)
  if (notPlan !== undefined) return E.left([notPlan])
  const decoded = PlanCodec.decode(input)
  if (E.isLeft(decoded)) return E.left(fromValidationErrors(decoded.left))
  const bad = badAddresses(decoded.right)
  return bad.length > 0 ? E.left(bad) : E.right(decoded.right)
}

/** An expression, if the value is one. */
export const asExpression = (value: unknown): Expression | undefined =>
  ExpressionCodec.is(value) ? value : undefined
