import { inspect } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { associateHaVip, disassociateHaVip, handle, loadSnapshot, snapshotToJson } from 'havip-rules'
import { baseJson, load } from './support/snapshots.js'

const problemsOf = (json: unknown): ReadonlyArray<string> => {
  const loaded = loadSnapshot(json)
  return E.isLeft(loaded) ? loaded.left.message.split('\n') : []
}

const instance = (id: string, subnet = 'subnet-a') => ({
  InstanceId: id, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `p-${id}`, SubnetId: subnet, Type: 'primary' }],
})
const haVip = (id: string, extra: Record<string, unknown> = {}) => ({ HaVipId: id, SubnetId: 'subnet-a', Status: 'Available', ...extra })

describe('loadSnapshot', () => {
  it('refuses what is not an object, saying so at the root', () => {
    expect(problemsOf(42)).toEqual(['(root): expected a snapshot object, got number 42'])
    expect(problemsOf([])).toEqual(['(root): expected a snapshot object, got an array'])
    expect(problemsOf(null)).toEqual(['(root): expected a snapshot object, got null'])
  })

  it('names the JSON path of every structural problem, not only the first', () => {
    expect(problemsOf({
      HaVips: [haVip('h-1'), { HaVipId: 'h-2', Status: 'Available' }],
      Instances: [{ ...instance('i-1'), Status: 7 }],
      NetworkInterfaces: 'none',
      Quotas: { InstancesPerHaVip: 0, HaVipsPerInstance: 2.5 },
    })).toEqual([
      'HaVips[1].SubnetId: required string is missing',
      'Instances[0].Status: expected string, got number 7',
      'NetworkInterfaces: expected an array of network interfaces, got string "none"',
      'Quotas.InstancesPerHaVip: expected a positive integer, got number 0',
      'Quotas.HaVipsPerInstance: expected a positive integer, got number 2.5',
    ])
  })

  it('names every inconsistency: repeated ids, bad target lists, a missing primary interface, a repeated token', () => {
    const ledger = { Action: 'AssociateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { HaVipId: 'h-1', InstanceId: 'i-1' } }
    expect(problemsOf({
      HaVips: [
        haVip('h-1', { AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1', 'i-1', 'i-9'] }),
        haVip('h-2', { AssociatedInstanceIds: ['i-1'] }),
        haVip('h-1'),
      ],
      Instances: [instance('i-1'), { InstanceId: 'i-2', Status: 'RUNNING', NetworkInterfaces: [] }, instance('i-1')],
      NetworkInterfaces: [],
      ClientTokens: [ledger, ledger],
    })).toEqual([
      'Instances[1].NetworkInterfaces: has no interface with Type "primary", so the instance has no subnet',
      'Instances[2].InstanceId: repeats the id "i-1" of Instances[0]',
      'HaVips[0].AssociatedInstanceIds[1]: lists "i-1" twice',
      'HaVips[0].AssociatedInstanceIds[2]: "i-9" is not in Instances',
      'HaVips[1].AssociatedInstanceType: is needed: AssociatedInstanceIds lists targets',
      'HaVips[2].HaVipId: repeats the id "h-1" of HaVips[0]',
      'ClientTokens[1]: repeats Action "AssociateHaVip" + ClientToken "t" of ClientTokens[0]',
    ])
  })

  it('names where a repeated key first appeared, however far down and whether or not that first one was refused', () => {
    const entry = (token: string) => ({ Action: 'AssociateHaVip', ClientToken: token, Status: 'Succeeded', Parameters: { HaVipId: 'h-1', InstanceId: 'i-1' } })
    expect(problemsOf({
      Instances: [instance('i-1'), instance('i-2'), { InstanceId: 'i-3', Status: 'RUNNING', NetworkInterfaces: [] }, instance('i-2'), instance('i-3'), instance('i-3')],
      NetworkInterfaces: [],
      ClientTokens: [entry('a'), entry('b'), { ...entry('b'), Action: 'DisassociateHaVip' }, entry('b'), entry('a')],
    })).toEqual([
      'Instances[2].NetworkInterfaces: has no interface with Type "primary", so the instance has no subnet',
      'Instances[3].InstanceId: repeats the id "i-2" of Instances[1]',
      'Instances[4].InstanceId: repeats the id "i-3" of Instances[2]',
      'Instances[5].InstanceId: repeats the id "i-3" of Instances[2]',
      'ClientTokens[3]: repeats Action "AssociateHaVip" + ClientToken "b" of ClientTokens[1]',
      'ClientTokens[4]: repeats Action "AssociateHaVip" + ClientToken "a" of ClientTokens[0]',
    ])
  })

  it('suggests a key at most two edits away, and one edit per three letters, whatever the case', () => {
    const advice = (key: string) => problemsOf({ [key]: [] })[0]?.replace(`${key}: is not a snapshot key: `, '').replace(/^\["[^"]*"\]: is not a snapshot key: /, '')
    const none = 'a snapshot has only Region, HaVips, Instances, NetworkInterfaces, Quotas, ClientTokens, Subnets, RouteEntries, AsyncTasks, IdCounter, AsyncSteps'
    expect(advice('HAVIPS')).toBe('did you mean HaVips?')
    expect(advice('xHaVips')).toBe('did you mean HaVips?')
    expect(advice('egion')).toBe('did you mean Region?')
    expect(advice('Quotass')).toBe('did you mean Quotas?')
    expect(advice('ClientToken')).toBe('did you mean ClientTokens?')
    expect(advice('Rgon')).toBe(none)
    // Letters before or after a key count as edits too.
    expect(advice('Vips')).toBe(none)
    expect(advice('gion')).toBe(none)
    expect(advice('Regn')).toBe(none)
    expect(advice('xxHaVipsxx')).toBe(none)
    for (const key of ['TotalCount', 'NextToken']) {
      expect(advice(key)).toBe('this is a Describe result page, not a snapshot; build one from such pages with havip snapshot build')
    }
    expect(advice('Result')).toBe('this is a whole Describe response, not a snapshot; build one from such pages with havip snapshot build')
  })

  it('refuses a top-level key it does not know, naming it and the key it was probably meant to be', () => {
    expect(problemsOf({ Instnces: [], NetworkInterfaceSets: [], havips: [], Regoin: 'x', Comment: 'hi' })).toEqual([
      'Instnces: is not a snapshot key: did you mean Instances?',
      'NetworkInterfaceSets: is not a snapshot key: did you mean NetworkInterfaces? (the name DescribeNetworkInterfaces uses; see havip snapshot build)',
      'havips: is not a snapshot key: did you mean HaVips?',
      'Regoin: is not a snapshot key: did you mean Region?',
      'Comment: is not a snapshot key: a snapshot has only Region, HaVips, Instances, NetworkInterfaces, Quotas, ClientTokens, Subnets, RouteEntries, AsyncTasks, IdCounter, AsyncSteps',
    ])
    expect(problemsOf({ ResponseMetadata: {}, Result: { HaVips: [] } })[0])
      .toBe('ResponseMetadata: is not a snapshot key: this is a whole Describe response, not a snapshot; build one from such pages with havip snapshot build')
    expect(problemsOf(JSON.parse('{"__proto__": []}'))).toEqual([
      '__proto__: is not a snapshot key: a snapshot has only Region, HaVips, Instances, NetworkInterfaces, Quotas, ClientTokens, Subnets, RouteEntries, AsyncTasks, IdCounter, AsyncSteps',
    ])
  })

  it('names what it expected at each place, for a snapshot with that one problem', () => {
    const eni = { NetworkInterfaceId: 'e-1', SubnetId: 'subnet-a', Status: 'InUse', DeviceId: 'i-1' }
    const entry = { Action: 'AssociateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { HaVipId: 'h-1', InstanceId: 'i-1' } }
    const valid = { HaVips: [haVip('h-1')], Instances: [instance('i-1')], NetworkInterfaces: [eni], ClientTokens: [entry], Quotas: { InstancesPerHaVip: 2 } }
    expect(problemsOf(valid)).toEqual([])
    const long = 'x'.repeat(41)
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ HaVips: 'x' }, 'HaVips: expected an array of HaVips, got string "x"'],
      [{ HaVips: [1] }, 'HaVips[0]: expected a HaVip object, got number 1'],
      [{ HaVips: [haVip('h-1', { HaVipId: {} })] }, 'HaVips[0].HaVipId: expected string, got an object'],
      [{ Quotas: { InstancesPerHaVip: long } }, `Quotas.InstancesPerHaVip: expected a positive integer, got string "${long.slice(0, 36)}...`],
      // 40 characters of JSON are shown whole.
      [{ Quotas: { InstancesPerHaVip: long.slice(3) } }, `Quotas.InstancesPerHaVip: expected a positive integer, got string "${long.slice(3)}"`],
      [{ HaVips: [haVip('h-1', { AssociatedInstanceType: 'Vm' })] }, 'HaVips[0].AssociatedInstanceType: expected "EcsInstance", "NetworkInterface" or "", got string "Vm"'],
      [{ HaVips: [haVip('h-1', { AssociatedInstanceIds: 'i-1' })] }, 'HaVips[0].AssociatedInstanceIds: expected an array of strings, got string "i-1"'],
      [{ HaVips: [haVip('h-1', { MasterInstanceId: 1 })] }, 'HaVips[0].MasterInstanceId: expected string, got number 1'],
      [{ HaVips: [haVip('h-1', { SupportsAssociation: 'no' })] }, 'HaVips[0].SupportsAssociation: expected boolean, got string "no"'],
      [{ Instances: {} }, 'Instances: expected an array of instances, got an object'],
      [{ Instances: [null] }, 'Instances[0]: expected an instance object, got null'],
      [{ Instances: [{ ...instance('i-1'), NetworkInterfaces: [1] }] }, 'Instances[0].NetworkInterfaces[0]: expected a network interface object, got number 1'],
      [{ Instances: [{ ...instance('i-1'), NetworkInterfaces: [{ Type: 'primary' }] }] }, 'Instances[0].NetworkInterfaces[0].SubnetId: required string is missing'],
      [{ Instances: [{ ...instance('i-1'), NetworkInterfaces: [{ SubnetId: 'subnet-a' }] }] }, 'Instances[0].NetworkInterfaces[0].Type: required string is missing'],
      [{ Instances: [{ ...instance('i-1'), NetworkInterfaces: true }] }, 'Instances[0].NetworkInterfaces: expected an array of network interfaces, got boolean true'],
      [{ NetworkInterfaces: [[]] }, 'NetworkInterfaces[0]: expected a network interface object, got an array'],
      ...(['NetworkInterfaceId', 'SubnetId', 'Status'] as const).map((field) => {
        const { [field]: _, ...rest } = eni
        return [{ NetworkInterfaces: [rest] }, `NetworkInterfaces[0].${field}: required string is missing`] as const
      }),
      [{ NetworkInterfaces: [{ ...eni, DeviceId: 1 }] }, 'NetworkInterfaces[0].DeviceId: expected string, got number 1'],
      [{ NetworkInterfaces: [{ ...eni, ServiceManaged: 'yes' }] }, 'NetworkInterfaces[0].ServiceManaged: expected boolean, got string "yes"'],
      [{ Quotas: [] }, 'Quotas: expected a Quotas object, got an array'],
      [{ Quotas: { HaVipsPerInstance: '3' } }, 'Quotas.HaVipsPerInstance: expected a positive integer, got string "3"'],
      [{ Quotas: { InstancesPerHaVip: -1 } }, 'Quotas.InstancesPerHaVip: expected a positive integer, got number -1'],
      [{ Quotas: { InstancesPerHaVip: 2 ** 53 } }, 'Quotas.InstancesPerHaVip: expected a positive integer, got number 9007199254740992'],
      [{ ClientTokens: 'x' }, 'ClientTokens: expected an array of ClientTokens entries, got string "x"'],
      [{ ClientTokens: [1] }, 'ClientTokens[0]: expected a ClientTokens entry, got number 1'],
      ...(['Action', 'ClientToken'] as const).map((field) => {
        const { [field]: _, ...rest } = entry
        return [{ ClientTokens: [rest] }, `ClientTokens[0].${field}: required string is missing`] as const
      }),
      [{ ClientTokens: [{ ...entry, Status: 'Done' }] }, 'ClientTokens[0].Status: expected "Succeeded" or "InProgress", got string "Done"'],
      [{ ClientTokens: [{ ...entry, Parameters: 1 }] }, 'ClientTokens[0].Parameters: expected a parameters object, got number 1'],
      [{ ClientTokens: [{ ...entry, Parameters: { HaVipId: 'h-1' } }] }, 'ClientTokens[0].Parameters.InstanceId: required string is missing'],
      [{ ClientTokens: [{ ...entry, Parameters: { InstanceId: 'i-1' } }] }, 'ClientTokens[0].Parameters.HaVipId: required string is missing'],
      [{ ClientTokens: [{ ...entry, Parameters: { ...entry.Parameters, InstanceType: 1 } }] }, 'ClientTokens[0].Parameters.InstanceType: expected string, got number 1'],
      [{ ClientTokens: [{ ...entry, RequestId: 1 }] }, 'ClientTokens[0].RequestId: expected string, got number 1'],
      [{ NetworkInterfaces: [eni, eni] }, 'NetworkInterfaces[1].NetworkInterfaceId: repeats the id "e-1" of NetworkInterfaces[0]'],
      [{ HaVips: [haVip('h-1', { AssociatedInstanceType: '', AssociatedInstanceIds: ['i-1'] })] }, 'HaVips[0].AssociatedInstanceType: is needed: AssociatedInstanceIds lists targets'],
      [{ HaVips: [haVip('h-1', { AssociatedInstanceType: 'NetworkInterface', AssociatedInstanceIds: ['e-9'] })] }, 'HaVips[0].AssociatedInstanceIds[0]: "e-9" is not in NetworkInterfaces'],
      [{ HaVips: [haVip('h-1', { AssociatedInstanceType: 'NetworkInterface', AssociatedInstanceIds: ['i-1'] })] }, 'HaVips[0].AssociatedInstanceIds[0]: "i-1" is not in NetworkInterfaces'],
    ]
    const found = cases.map(([change]) => problemsOf({ ...valid, ...change }))
    expect(found).toEqual(cases.map(([, problem]) => [problem]))
    // A key that is not an identifier is written as a string in brackets.
    expect(problemsOf({ ...valid, 'a key': 1, '1st': 2, x_1: 3 }).map((p) => p.split(':')[0])).toEqual(['["a key"]', '["1st"]', 'x_1'])
  })

  it('loads what it is not given as empty: no lists, no target list, an ENI without device or ServiceManaged', () => {
    expect(snapshotToJson(load({}))).toEqual({})
    expect(handle(load({}), 'Action=DescribeHaVips&Version=2020-04-01').body).toMatchObject({ Result: { HaVips: [], TotalCount: 0 } })
    const s = load({
      HaVips: [haVip('h-1')],
      Instances: [instance('i-1')],
      NetworkInterfaces: [{ NetworkInterfaceId: 'e-1', SubnetId: 'subnet-a', Status: 'InUse' }],
    })
    const bind = associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'h-1', instanceId: 'e-1', instanceType: 'NetworkInterface' })
    expect(E.isLeft(bind) && [bind.left.id, bind.left.facts]).toEqual(['Forbidden.EniNotAttachedToEcs', 'ENI e-1 is attached to no instance'])
    const ok = associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'h-1', instanceId: 'i-1', instanceType: 'EcsInstance' })
    expect(E.isRight(ok) && snapshotToJson(ok.right).HaVips?.[0]).toMatchObject({ Status: 'InUse', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'] })
  })

  it('reports unknown keys beside every other problem', () => {
    expect(problemsOf({ Instnces: [], HaVips: [{ HaVipId: 'h' }] })).toEqual([
      'Instnces: is not a snapshot key: did you mean Instances?',
      'HaVips[0].SubnetId: required string is missing',
      'HaVips[0].Status: required string is missing',
    ])
  })

  it('prints as one line of counts, not its indexes', () => {
    const s = load(baseJson())
    const printed = inspect(s)
    expect(printed).toMatch(/^Snapshot \{ Region: "cn-beijing", HaVips: \d+, Instances: \d+, NetworkInterfaces: \d+, ClientTokens: \d+, Subnets: \d+, AsyncTasks: \d+ \}$/)
    const tokened = associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance', clientToken: 'new' })
    if (E.isLeft(tokened)) throw new Error(tokened.left.message)
    const tokens = (text: string) => Number(/ClientTokens: (\d+)/.exec(text)?.[1])
    expect(tokens(inspect(tokened.right))).toBe(tokens(printed) + 1)
  })

  it('gives back the very JSON it loaded when nothing changed', () => {
    const json = baseJson()
    expect(snapshotToJson(load(json))).toBe(json)
  })

  it('keeps every field, unknown ones included, in its order after a change', () => {
    // The top-level keys in an unusual order, and a field of the user's own in a HaVip.
    const json = Object.fromEntries(Object.entries(baseJson()).reverse())
    const s = associateHaVip(load(json), { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance' })
    if (E.isLeft(s)) throw new Error(s.left.message)
    const out = snapshotToJson(s.right) as Record<string, unknown>
    // The task ledger and the id counter the write started come last.
    expect(Object.keys(out)).toEqual([...Object.keys(json), 'AsyncTasks', 'IdCounter'])
    expect(out.Instances).toBe(json.Instances)
    const before = ((json as Record<string, unknown>).HaVips as ReadonlyArray<Record<string, unknown>>)[0]
    const after = (out.HaVips as ReadonlyArray<Record<string, unknown>>)[0]
    expect(Object.keys(after ?? {})).toEqual(Object.keys(before ?? {}))
    expect(after).toEqual({ ...before, Status: 'InUse', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'] })
    expect(after?.Tags).toBe(before?.Tags)
  })

  it('adds a ClientTokens list at the end when the snapshot had none and a tokened request succeeded', () => {
    const json = baseJson()
    const s = associateHaVip(load(json), { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance', clientToken: 'tok' }, 'req-9')
    if (E.isLeft(s)) throw new Error(s.left.message)
    const out = snapshotToJson(s.right) as Record<string, unknown>
    expect(Object.keys(out).slice(-3)).toEqual(['ClientTokens', 'AsyncTasks', 'IdCounter'])
    expect(out.ClientTokens).toEqual([{
      Action: 'AssociateHaVip', ClientToken: 'tok', Status: 'Succeeded', RequestId: 'req-9', AsyncTaskId: expect.stringMatching(/^at-[0-9a-f]{20}$/) as unknown,
      Parameters: { HaVipId: 'havip-1', InstanceType: 'EcsInstance', InstanceId: 'i-1' },
    }])
  })

  it('freezes nothing, neither what it is given nor what it gives back (both are the caller\'s to treat as read-only)', () => {
    const json = baseJson()
    const s = associateHaVip(load(json), { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance', clientToken: 'tok' }, 'r')
    if (E.isLeft(s)) throw new Error(s.left.message)
    const out = snapshotToJson(s.right)
    const frozen = [json, out, ...(out.HaVips ?? []), ...(out.ClientTokens ?? []), ...(out.HaVips ?? []).map((h) => h.AssociatedInstanceIds ?? [])].filter((o) => Object.isFrozen(o))
    expect(frozen).toEqual([])
  })

  it('records a token without a RequestId when the call gave none, and handle answers with an empty one', () => {
    const request = { action: 'DisassociateHaVip', haVipId: 'havip-2', instanceId: 'i-1', instanceType: 'EcsInstance', clientToken: 'tok' } as const
    const s = disassociateHaVip(load(baseJson()), request)
    if (E.isLeft(s)) throw new Error(s.left.message)
    expect(snapshotToJson(s.right).ClientTokens).toStrictEqual([{
      Action: 'DisassociateHaVip', ClientToken: 'tok', Status: 'Succeeded', AsyncTaskId: expect.stringMatching(/^at-[0-9a-f]{20}$/) as unknown,
      Parameters: { HaVipId: 'havip-2', InstanceType: 'EcsInstance', InstanceId: 'i-1' },
    }])
    const answered = handle(s.right, 'Action=DescribeHaVips&Version=2020-04-01&PageSize=1')
    expect(answered.body.ResponseMetadata.RequestId).toBe('')
  })
})

describe('ids that are names of Object.prototype members', () => {
  const json = JSON.parse(JSON.stringify({
    HaVips: [haVip('__proto__', { Extra: JSON.parse('{"__proto__": {"kept": true}}') as unknown }), haVip('constructor'), haVip('toString')],
    Instances: [instance('__proto__'), instance('constructor'), instance('hasOwnProperty', 'subnet-b')],
    NetworkInterfaces: [],
  })) as Record<string, unknown>

  it('are ordinary ids: found, bound, refused and unbound like any other', () => {
    let s = load(json)
    for (const [h, i] of [['__proto__', 'constructor'], ['constructor', '__proto__'], ['toString', '__proto__']] as const) {
      const next = associateHaVip(s, { action: 'AssociateHaVip', haVipId: h, instanceId: i, instanceType: 'EcsInstance' })
      expect(E.isRight(next), `${h} <- ${i}`).toBe(true)
      if (E.isRight(next)) s = next.right
    }
    const refused = associateHaVip(s, { action: 'AssociateHaVip', haVipId: '__proto__', instanceId: 'hasOwnProperty', instanceType: 'EcsInstance' })
    expect(E.isLeft(refused) && refused.left.id).toBe('InvalidInstance.HaVipMismatch')
    expect(E.isLeft(associateHaVip(s, { action: 'AssociateHaVip', haVipId: 'valueOf', instanceId: '__proto__', instanceType: 'EcsInstance' }))).toBe(true)
    const unbound = disassociateHaVip(s, { action: 'DisassociateHaVip', haVipId: '__proto__', instanceId: 'constructor', instanceType: 'EcsInstance' })
    expect(E.isRight(unbound)).toBe(true)
    const out = snapshotToJson(s)
    expect(Object.hasOwn(out.HaVips?.[0]?.Extra as object, '__proto__')).toBe(true)
    expect((out.HaVips ?? []).map((h) => h.AssociatedInstanceIds))
      .toEqual([['constructor'], ['__proto__'], ['__proto__']])
  })

  it('keep a field named "__proto__" as a field when the snapshot is written back', () => {
    const withField = JSON.parse('{"HaVips": [{"HaVipId": "h", "SubnetId": "subnet-a", "Status": "Available", "__proto__": 2}], "Instances": [{"InstanceId": "i", "Status": "RUNNING", "NetworkInterfaces": [{"SubnetId": "subnet-a", "Type": "primary"}]}]}') as unknown
    const s = associateHaVip(load(withField), { action: 'AssociateHaVip', haVipId: 'h', instanceId: 'i', instanceType: 'EcsInstance' })
    if (E.isLeft(s)) throw new Error(s.left.message)
    expect(JSON.stringify(snapshotToJson(s.right))).toContain('"__proto__":2')
  })
})
