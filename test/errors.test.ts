import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, describe, expect, it } from 'vitest'
import type { ApiError, ErrorId, Snapshot } from 'havip-rules'
import { associateHaVip, catalog, decodeRequest, disassociateHaVip, endpointErrorIds, errorIds, explain, handle } from 'havip-rules'
import { lifecycleErrorIds } from './support/lifecycle.js'
import { base, baseJson, load, query } from './support/snapshots.js'

/** Decodes and runs a query; the error it answers with. */
const errorOf = (query: string, s: Snapshot = base()): ApiError | undefined =>
  pipe(
    decodeRequest(query),
    E.chain((r) => (r.action === 'AssociateHaVip' ? associateHaVip(s, r) : r.action === 'DisassociateHaVip' ? disassociateHaVip(s, r) : E.right(s))),
    E.match((e) => e, () => undefined),
  )

const reached = new Set<ErrorId>()



/** Asserts the query answers `id`, and that explain's first violation is the same error. */
const expectError = (id: ErrorId, q: string, s: Snapshot = base()): ApiError => {
  const error = errorOf(q, s)
  expect(error?.id).toBe(id)
  const request = decodeRequest(q)
  if (E.isRight(request)) expect(explain(s, request.right)[0]).toEqual(error)
  reached.add(id)
  if (error === undefined) throw new Error('no error')
  return error
}

const withQuotas = (quotas: Record<string, number>): Snapshot => load({ ...baseJson(), Quotas: quotas })

describe('every error of the catalogue, by example', () => {
  it('returns MissingParameter with CodeN 100002 when Action is absent', () => {
    const e = expectError('MissingParameter', 'Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1')
    expect(e).toMatchObject({ status: 400, codeN: 100002, message: 'The request is missing Action parameter.' })
  })
  it('returns MissingParameter when Version, HaVipId or InstanceId is absent or empty', () => {
    expect(expectError('MissingParameter', 'Action=AssociateHaVip&HaVipId=havip-1&InstanceId=i-1').message).toContain('Version')
    expect(expectError('MissingParameter', query({ InstanceId: 'i-1' })).message).toContain('HaVipId')
    expect(expectError('MissingParameter', query({ HaVipId: 'havip-1', InstanceId: '' })).message).toContain('InstanceId')
  })
  it('returns InvalidActionOrVersion (404, CodeN 100008) for an unknown version or action', () => {
    const e = expectError('InvalidActionOrVersion', 'Action=AssociateHaVip&Version=2019-01-01&HaVipId=havip-1&InstanceId=i-1')
    expect(e).toMatchObject({ status: 404, codeN: 100008, message: 'Could not find operation AssociateHaVip for version 2019-01-01' })
    expectError('InvalidActionOrVersion', 'Action=associatehavip&Version=2020-04-01')
  })
  it('returns InvalidInstanceType.Malformed for an InstanceType other than EcsInstance or NetworkInterface', () => {
    expectError('InvalidInstanceType.Malformed', query({ HaVipId: 'havip-1', InstanceId: 'i-1', InstanceType: 'ecsinstance' }))
  })
  it('returns InvalidParameter.ClientTokenMalformed for a token over 64 characters or not ASCII', () => {
    expectError('InvalidParameter.ClientTokenMalformed', query({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'a'.repeat(65) }))
    expectError('InvalidParameter.ClientTokenMalformed', query({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: '令牌' }))
    expect(errorOf(query({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'a'.repeat(64) }))).toBeUndefined()
  })
  it('returns IdempotentProcessing (412) for a token whose request is still in process', () => {
    const s = load({ ...baseJson(), ClientTokens: [{ Action: 'AssociateHaVip', ClientToken: 't', Status: 'InProgress', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } }] })
    expect(expectError('IdempotentProcessing', query({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 't' }), s).status).toBe(412)
    // Still in process whatever the retry names: the first request's parameters are not compared yet.
    expectError('IdempotentProcessing', query({ HaVipId: 'havip-2', InstanceId: 'i-2', InstanceType: 'NetworkInterface', ClientToken: 't' }), s)
    // A request without a token is not one with the token "undefined".
    const named = load({ ...baseJson(), ClientTokens: [{ Action: 'AssociateHaVip', ClientToken: 'undefined', Status: 'InProgress', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } }] })
    expect(errorOf(query({ HaVipId: 'havip-1', InstanceId: 'i-1' }), named)).toBeUndefined()
  })
  it('returns IdempotentParameterMismatch for a known token with other parameters', () => {
    const s = load({ ...baseJson(), ClientTokens: [{ Action: 'AssociateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } }] })
    expectError('IdempotentParameterMismatch', query({ HaVipId: 'havip-1', InstanceId: 'i-2', ClientToken: 't' }), s)
    // InstanceType is compared after its default: EcsInstance given explicitly is the same request.
    expect(errorOf(query({ HaVipId: 'havip-1', InstanceId: 'i-1', InstanceType: 'EcsInstance', ClientToken: 't' }), s)).toBeUndefined()
    // The same ids under the other InstanceType are another request.
    expectError('IdempotentParameterMismatch', query({ HaVipId: 'havip-1', InstanceId: 'i-1', InstanceType: 'NetworkInterface', ClientToken: 't' }), s)
  })
  it('returns InvalidHaVip.NotFound (404) when the HaVip is not in the snapshot', () => {
    expect(expectError('InvalidHaVip.NotFound', query({ HaVipId: 'havip-x', InstanceId: 'i-1' })).status).toBe(404)
  })
  it('returns InvalidInstance.NotFound when the ECS instance is not in the snapshot', () => {
    expectError('InvalidInstance.NotFound', query({ HaVipId: 'havip-1', InstanceId: 'i-x' }))
    // An ENI id under the default InstanceType is looked for among instances.
    expectError('InvalidInstance.NotFound', query({ HaVipId: 'havip-1', InstanceId: 'eni-3' }))
  })
  it('returns InvalidEniId.NotFound when the ENI is not in the snapshot', () => {
    expectError('InvalidEniId.NotFound', query({ HaVipId: 'havip-1', InstanceId: 'i-1', InstanceType: 'NetworkInterface' }))
  })
  it('returns InvalidHaVip.InvalidStatus when the HaVip is Creating', () => {
    expectError('InvalidHaVip.InvalidStatus', query({ HaVipId: 'havip-4', InstanceId: 'i-1' }))
  })
  it('returns InvalidHaVip.NotSupport when the HaVip has SupportsAssociation false', () => {
    expectError('InvalidHaVip.NotSupport', query({ HaVipId: 'havip-5', InstanceId: 'i-1' }))
  })
  it('returns InvalidInstance.InvalidStatus when the instance is STARTING', () => {
    expectError('InvalidInstance.InvalidStatus', query({ HaVipId: 'havip-1', InstanceId: 'i-4' }))
  })
  it('returns Forbidden (service-managed ENI) for an ENI of another cloud service', () => {
    const e = expectError('Forbidden.ServiceManagedEni', query({ HaVipId: 'havip-1', InstanceId: 'eni-5', InstanceType: 'NetworkInterface' }))
    expect(e).toMatchObject({ code: 'Forbidden', status: 403 })
  })
  it('returns InvalidEni.InvalidStatus for an ENI that is Attaching', () => {
    expectError('InvalidEni.InvalidStatus', query({ HaVipId: 'havip-1', InstanceId: 'eni-6', InstanceType: 'NetworkInterface' }))
  })
  it('returns Forbidden (ENI not attached to ECS) for an Available, unattached ENI', () => {
    expectError('Forbidden.EniNotAttachedToEcs', query({ HaVipId: 'havip-1', InstanceId: 'eni-4', InstanceType: 'NetworkInterface' }))
  })
  it('returns Forbidden (multiple instance types) for an ENI on a HaVip bound to instances', () => {
    expectError('Forbidden.MixedInstanceTypes', query({ HaVipId: 'havip-2', InstanceId: 'eni-3', InstanceType: 'NetworkInterface' }))
  })
  it('returns InvalidInstance.HaVipMismatch for an instance in another subnet, with both subnets in the facts', () => {
    const e = expectError('InvalidInstance.HaVipMismatch', query({ HaVipId: 'havip-1', InstanceId: 'i-3' }))
    expect(e.facts).toBe('HaVip havip-1 is in subnet-a; instance i-3 is in subnet-b')
  })
  it('returns Forbidden (instance already associated) for a target the HaVip already lists', () => {
    expectError('Forbidden.InstanceAlreadyAssociated', query({ HaVipId: 'havip-2', InstanceId: 'i-1' }))
  })
  it('returns Forbidden (two ENIs of one ECS) for a second ENI of the same instance', () => {
    expectError('Forbidden.TwoEnisOfOneInstance', query({ HaVipId: 'havip-3', InstanceId: 'eni-2', InstanceType: 'NetworkInterface' }))
  })
  it('returns LimitExceeded.InstancesPerHaVip when the HaVip holds its quota of targets', () => {
    expectError('LimitExceeded.InstancesPerHaVip', query({ HaVipId: 'havip-full', InstanceId: 'i-2' }))
  })
  it('returns LimitExceeded.HaVipsPerInstance when the target is bound to its quota of HaVips', () => {
    expectError('LimitExceeded.HaVipsPerInstance', query({ HaVipId: 'havip-1', InstanceId: 'i-1' }), withQuotas({ HaVipsPerInstance: 1 }))
  })
  it('returns ResourceNotAssociated when disassociating a target the HaVip does not list', () => {
    expectError('ResourceNotAssociated', 'Action=DisassociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=i-1')
  })
  it('returns InternalError (500) for a snapshot argument that loadSnapshot did not make', () => {
    const request = { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'EcsInstance' } as const
    const error = associateHaVip({} as Snapshot, request)
    expect(E.isLeft(error) && error.left).toMatchObject({ id: 'InternalError', status: 500, codeN: 100014 })
    expect(explain(JSON.parse('{}') as Snapshot, request).map((v) => v.id)).toEqual(['InternalError'])
    expect(handle(null as unknown as Snapshot, query({ HaVipId: 'havip-1', InstanceId: 'i-1' })).status).toBe(500)
    reached.add('InternalError')
  })

  it('returns InvalidParameter for a DescribeHaVips PageSize above 100', () => {
    const r = decodeRequest('Action=DescribeHaVips&Version=2020-04-01&PageSize=101')
    expect(E.isLeft(r) && r.left).toMatchObject({ id: 'InvalidParameter', message: 'The specified parameter PageSize is invalid.' })
    reached.add('InvalidParameter')
  })

  it('gives every reason with its facts, in terms of the snapshot and the request, and lists every reason that applies', () => {
    const json = baseJson() as { NetworkInterfaces: ReadonlyArray<Record<string, unknown>> }
    // eni-9 was detached outside the API and still names its last instance.
    const s = load({
      ...json,
      NetworkInterfaces: [...json.NetworkInterfaces, { ...json.NetworkInterfaces[0], NetworkInterfaceId: 'eni-9', Status: 'Available', DeviceId: 'i-2' }],
      ClientTokens: [
        { Action: 'AssociateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } },
        { Action: 'DisassociateHaVip', ClientToken: 'p', Status: 'InProgress', Parameters: { HaVipId: 'havip-1', InstanceId: 'i-1' } },
      ],
      Quotas: { HaVipsPerInstance: 1 },
    })
    const eni = (params: Record<string, string>) => query({ ...params, InstanceType: 'NetworkInterface' })
    const disassociate = (params: Record<string, string>) => query(params).replace('AssociateHaVip', 'DisassociateHaVip')
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<readonly [ErrorId, string]>]> = [
      [query({ HaVipId: 'havip-x', InstanceId: 'i-x' }), [['InvalidHaVip.NotFound', 'no HaVip havip-x in the snapshot'], ['InvalidInstance.NotFound', 'no ECS instance i-x in the snapshot']]],
      [eni({ HaVipId: 'havip-1', InstanceId: 'eni-x' }), [['InvalidEniId.NotFound', 'no network interface eni-x in the snapshot']]],
      [query({ HaVipId: 'havip-4', InstanceId: 'i-4' }), [['InvalidHaVip.InvalidStatus', 'HaVip havip-4 is Creating; it must be Available or InUse'], ['InvalidInstance.InvalidStatus', 'instance i-4 is STARTING; it must be RUNNING or STOPPED']]],
      [eni({ HaVipId: 'havip-5', InstanceId: 'eni-5' }), [['InvalidHaVip.NotSupport', 'HaVip havip-5 has SupportsAssociation false'], ['Forbidden.ServiceManagedEni', 'ENI eni-5 is service-managed'], ['Forbidden.EniNotAttachedToEcs', 'ENI eni-5 is attached to no instance']]],
      [eni({ HaVipId: 'havip-3', InstanceId: 'eni-6' }), [['InvalidEni.InvalidStatus', 'ENI eni-6 is Attaching; it must be InUse or Available'], ['Forbidden.EniNotAttachedToEcs', 'ENI eni-6 is Attaching, not InUse']]],
      [eni({ HaVipId: 'havip-2', InstanceId: 'eni-9' }), [['Forbidden.EniNotAttachedToEcs', 'ENI eni-9 is Available, not InUse'], ['Forbidden.MixedInstanceTypes', 'HaVip havip-2 is bound to EcsInstance targets; the request binds a NetworkInterface']]],
      [query({ HaVipId: 'havip-3', InstanceId: 'i-3' }), [['Forbidden.MixedInstanceTypes', 'HaVip havip-3 is bound to NetworkInterface targets; the request binds an EcsInstance'], ['InvalidInstance.HaVipMismatch', 'HaVip havip-3 is in subnet-a; instance i-3 is in subnet-b']]],
      [eni({ HaVipId: 'havip-3', InstanceId: 'eni-1' }), [['Forbidden.InstanceAlreadyAssociated', 'HaVip havip-3 already lists ENI eni-1'], ['LimitExceeded.HaVipsPerInstance', 'ENI eni-1 is bound to 1 HaVips; HaVipsPerInstance is 1']]],
      [eni({ HaVipId: 'havip-3', InstanceId: 'eni-2' }), [['Forbidden.TwoEnisOfOneInstance', 'HaVip havip-3 is bound to ENI eni-1, which is attached to i-1 like ENI eni-2']]],
      [query({ HaVipId: 'havip-full', InstanceId: 'i-1' }), [['LimitExceeded.InstancesPerHaVip', 'HaVip havip-full is bound to 10 targets; InstancesPerHaVip is 10'], ['LimitExceeded.HaVipsPerInstance', 'instance i-1 is bound to 1 HaVips; HaVipsPerInstance is 1']]],
      [query({ HaVipId: 'havip-1', InstanceId: 'i-2', ClientToken: 't' }), [['IdempotentParameterMismatch', 'ClientToken "t" was used for HaVip havip-1 and EcsInstance i-1; this request names HaVip havip-1 and EcsInstance i-2']]],
      [disassociate({ HaVipId: 'havip-1', InstanceId: 'i-1', ClientToken: 'p' }), [['IdempotentProcessing', 'ClientToken "p" belongs to a DisassociateHaVip still in process'], ['ResourceNotAssociated', 'HaVip havip-1 does not list instance i-1']]],
      [disassociate({ HaVipId: 'havip-1', InstanceId: 'eni-1', InstanceType: 'NetworkInterface' }), [['ResourceNotAssociated', 'HaVip havip-1 does not list ENI eni-1']]],
      ['Action=DescribeHaVips&Version=2020-04-01&NextToken=havip-zz', [['InvalidParameter', 'NextToken "havip-zz" starts no page of this result']]],
    ]
    for (const [q, reasons] of cases) {
      const request = decodeRequest(q)
      expect(E.isRight(request) && explain(s, request.right).map((v) => [v.id, v.facts]), q).toEqual(reasons)
    }
    expect(explain({} as Snapshot, { action: 'DescribeHaVips' } as never).map((v) => v.facts)).toEqual(['the snapshot argument was not made by loadSnapshot'])
  })

  it('tells an instance from an ENI of the same id, and a detached ENI from one on an instance', () => {
    const json = baseJson() as { NetworkInterfaces: ReadonlyArray<Record<string, unknown>>; HaVips: ReadonlyArray<Record<string, unknown>> }
    const eniLike = json.NetworkInterfaces[0]
    const s = load({
      ...json,
      // An ENI named like instance i-1, on i-2; another ENI on i-2; a detached ENI still bound.
      NetworkInterfaces: [...json.NetworkInterfaces,
        { ...eniLike, NetworkInterfaceId: 'i-1', DeviceId: 'i-2' }, { ...eniLike, NetworkInterfaceId: 'eni-twin', DeviceId: 'i-2' },
        { ...eniLike, NetworkInterfaceId: 'eni-off', Status: 'Available', DeviceId: '' }],
      HaVips: [...json.HaVips,
        { ...json.HaVips[0], HaVipId: 'havip-off', Status: 'InUse', AssociatedInstanceType: 'NetworkInterface', AssociatedInstanceIds: ['eni-off'] }],
    })
    const reasons = (q: string) => {
      const request = decodeRequest(q)
      return E.isRight(request) ? explain(s, request.right).map((v) => v.id) : ['undecodable']
    }
    const eni = (params: Record<string, string>) => query({ ...params, InstanceType: 'NetworkInterface' })
    // havip-2 lists instance i-1, not the ENI i-1, and no ENI of i-2.
    expect(reasons(eni({ HaVipId: 'havip-2', InstanceId: 'i-1' }))).toEqual(['Forbidden.MixedInstanceTypes'])
    expect(reasons(eni({ HaVipId: 'havip-2', InstanceId: 'eni-twin' }))).toEqual(['Forbidden.MixedInstanceTypes'])
    expect(reasons(query({ HaVipId: 'havip-2', InstanceId: 'i-1', InstanceType: 'NetworkInterface' }).replace('AssociateHaVip', 'DisassociateHaVip'))).toEqual(['ResourceNotAssociated'])
    // Two detached ENIs are on no instance, so not on the same one.
    expect(reasons(eni({ HaVipId: 'havip-off', InstanceId: 'eni-4' }))).toEqual(['Forbidden.EniNotAttachedToEcs'])
  })

  it('explains a binding request built wrongly by hand with the error decoding would answer', () => {
    expect(explain(base(), { action: 'AssociateHaVip', haVipId: 'havip-1', instanceId: 'i-1', instanceType: 'Vm' } as never).map((v) => v.id)).toEqual(['InvalidInstanceType.Malformed'])
  })

  afterAll(() => {
    // Runs after the examples: a new catalogue entry without an example fails here. The errors
    // only the HTTP endpoint answers have theirs in server.test.ts.
    // Those of the HaVip's life have theirs in lifecycle-errors.test.ts.
    expect([...reached].sort()).toEqual(errorIds.filter((id) => !endpointErrorIds.includes(id) && !lifecycleErrorIds.includes(id)).sort())
  })
})

describe('the catalogue', () => {
  const vendorTable = readFileSync(new URL('./fixtures/vendor-AssociateHaVip.md', import.meta.url), 'utf8')
  const vendorRows = vendorTable.split('\n').filter((line) => /^\| \d{3} \|/.test(line))

  it.each(errorIds.filter((id) => vendorRows.some((row) => row.includes(`| ${catalog[id].code} |`))))(
    '%s has the vendor page\'s status, code, English and Chinese text byte for byte',
    (id) => {
      const e = catalog[id]
      const row = vendorRows.find((r) => r.startsWith(`| ${String(e.status)} | ${e.code} | ${e.en} | ${e.zh}`))
      expect(row, `no vendor row for ${id}`).toBeDefined()
    },
  )

  it('holds the vendor\'s 18 rows, its newer InvalidEni.InvalidStatus, the gateway\'s errors and the contract\'s own', () => {
    expect(vendorRows).toHaveLength(19)
    expect(errorIds).toHaveLength(35 + lifecycleErrorIds.length)
  })
})
