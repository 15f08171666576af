/**
 * Terraform plans in the JSON of `terraform show -json`, written the way Terraform writes them,
 * from a short description of each resource change.
 */

export interface ChangeSpec {
  readonly type: string
  readonly name: string
  readonly key?: number | string
  /** `module.a` or `module.a["x"]`; root when absent. */
  readonly module?: string
  readonly mode?: 'managed' | 'data'
  readonly actions: ReadonlyArray<string>
  readonly before?: Readonly<Record<string, unknown>> | null
  readonly after?: Readonly<Record<string, unknown>> | null
  readonly afterUnknown?: Readonly<Record<string, unknown>>
  /** The configuration's expressions of the resource block. */
  readonly expressions?: Readonly<Record<string, unknown>>
}

const keyText = (key: number | string | undefined): string =>
  key === undefined ? '' : typeof key === 'number' ? `[${String(key)}]` : `[${JSON.stringify(key)}]`

export const addressOf = (c: ChangeSpec): string =>
  `${c.module === undefined ? '' : `${c.module}.`}${c.mode === 'data' ? 'data.' : ''}${c.type}.${c.name}${keyText(c.key)}`

/** A plan of these changes; modules' configuration blocks are placed under their module calls. */
export const plan = (changes: ReadonlyArray<ChangeSpec>, formatVersion = '1.2'): Record<string, unknown> => {
  interface Module { resources: Array<Record<string, unknown>>; module_calls: Record<string, { source: string; module: Module }> }
  const root: Module = { resources: [], module_calls: {} }
  const moduleAt = (path: string | undefined): Module => {
    let m = root
    for (const [, name = ''] of (path ?? '').matchAll(/module\.([\w-]+)/g)) {
      m.module_calls[name] ??= { source: `./modules/${name}`, module: { resources: [], module_calls: {} } }
      m = m.module_calls[name].module
    }
    return m
  }
  for (const c of changes) {
    const module = moduleAt(c.module)
    const address = `${c.mode === 'data' ? 'data.' : ''}${c.type}.${c.name}`
    if (!module.resources.some((r) => r.address === address)) {
      module.resources.push({ address, mode: c.mode ?? 'managed', type: c.type, name: c.name, provider_config_key: 'volcengine', expressions: c.expressions ?? {}, schema_version: 0 })
    }
  }
  return {
    format_version: formatVersion,
    terraform_version: '1.9.8',
    resource_changes: changes.map((c) => ({
      address: addressOf(c),
      ...(c.module === undefined ? {} : { module_address: c.module }),
      mode: c.mode ?? 'managed',
      type: c.type,
      name: c.name,
      ...(c.key === undefined ? {} : { index: c.key }),
      provider_name: 'registry.terraform.io/volcengine/volcengine',
      change: { actions: c.actions, before: c.before ?? null, after: c.after ?? null, after_unknown: c.afterUnknown ?? {} },
    })),
    configuration: { root_module: root },
  }
}

/** An AssociateHaVip resource with known arguments: created, deleted, or replaced in either order. */
export const association = (name: string, actions: ReadonlyArray<string>, after?: { haVip: string; instance: string; type?: string }, before?: { haVip: string; instance: string; type?: string }): ChangeSpec => ({
  type: 'volcengine_ha_vip_associate',
  name,
  actions,
  before: before === undefined ? null : { id: `${before.haVip}:${before.instance}`, ha_vip_id: before.haVip, instance_id: before.instance, instance_type: before.type ?? 'EcsInstance' },
  after: after === undefined ? null : { ha_vip_id: after.haVip, instance_id: after.instance, instance_type: after.type ?? 'EcsInstance' },
  afterUnknown: after === undefined ? {} : { id: true },
  expressions: after === undefined ? {} : { ha_vip_id: { constant_value: after.haVip }, instance_id: { constant_value: after.instance } },
})

/** A plan whose configuration nests module calls `depth` deep (the check refuses past 256 levels). */
export const nestedModules = (depth: number): unknown => {
  let module: unknown = {}
  for (let i = 0; i < depth; i++) module = { module_calls: { a: { source: './a', module: module } } }
  return { format_version: '1.2', planned_values: {}, configuration: { root_module: module } }
}
