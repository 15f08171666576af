import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Problem } from '../codec/problems.js'
import { fromValidationErrors } from '../codec/problems.js'

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

/** Reads a plan's JSON: its format version first, then the shape of the parts the check reads, every problem at its path. */
export const decodePlan = (input: unknown): E.Either<ReadonlyArray<Problem>, Plan> => {
  const version = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>).format_version : undefined
  if (typeof version === 'string' && !acceptedFormat.test(version)) {
    return E.left([{ path: 'format_version', message: `is ${JSON.stringify(version)}; havip plan reads plans of format 0.1 and 0.2 (Terraform 1.0) and 1.x (Terraform 1.1 and later, OpenTofu)` }])
  }
  const decoded = PlanCodec.decode(input)
  return E.isLeft(decoded) ? E.left(fromValidationErrors(decoded.left)) : E.right(decoded.right)
}

/** An expression, if the value is one. */
export const asExpression = (value: unknown): Expression | undefined =>
  ExpressionCodec.is(value) ? value : undefined
