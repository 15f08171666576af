import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import * as E from 'fp-ts/lib/Either.js'
import { advance, decodeRequest, endpointErrorIds, explain, handle, snapshotToJson } from 'havip-rules'
import { LedgerIndex } from '../src/model/ledger.js'
import type { AnyLedgerEntryJson } from 'havip-rules'
import { load } from './support/snapshots.js'

// Examples for what the `model` mutation set's first run left alive: each asserts an answer a
// user can get (a response, a snapshot's JSON, what console.log prints, the error catalogue).

const q = (action: string, params: Readonly<Record<string, string>> = {}): string =>
  new URLSearchParams({ Action: action, Version: '2020-04-01', ...params }).toString()

interface Body {
  readonly ResponseMetadata: { readonly Region?: string; readonly Error?: { readonly Code: string } }
  readonly Result?: Readonly<Record<string, unknown>>
}

const call = (s: Snapshot, action: string, params: Readonly<Record<string, string>> = {}) => {
  const h = handle(s, q(action, params), { requestId: 'r-1' })
  return { ...h, body: h.body as Body }
}

const errorCode = (s: Snapshot, action: string, params: Readonly<Record<string, string>> = {}): string | undefined =>
  call(s, action, params).body.ResponseMetadata.Error?.Code

const ids = (s: Snapshot): ReadonlyArray<string> => (snapshotToJson(s).HaVips ?? []).map((h) => h.HaVipId)

/** One subnet of vpc-1, room for one HaVip per VPC; `haVips` decides whether it is taken. */
const oneVpc = (haVips: ReadonlyArray<Readonly<Record<string, unknown>>>, extra: Readonly<Record<string, unknown>> = {}): Snapshot => load({
  Region: 'cn-beijing',
  HaVips: haVips,
  Instances: [],
  NetworkInterfaces: [],
  Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24', Status: 'Available' }],
  Quotas: { HaVipsPerVpc: 1 },
  ...extra,
})

const free = (id: string, more: Readonly<Record<string, unknown>> = {}) =>
  ({ HaVipId: id, SubnetId: 'subnet-a', IpAddress: '192.168.0.9', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [], ...more })

describe('the error catalogue', () => {
  it('lists the endpoint-only errors, in this order', () => {
    expect(endpointErrorIds).toEqual([
      'MissingAuthenticationToken', 'InvalidTimestamp', 'InvalidAccessKey', 'SignatureDoesNotMatch',
      'RequestEntityTooLarge', 'MalformedRequest', 'RequestTimeout', 'RequestHeaderFieldsTooLarge', 'MalformedRequestBody', 'InvalidPath', 'MethodNotAllowed',
    ])
  })
  it('gives an API error without a gateway code no codeN key at all', () => {
    const request = decodeRequest(q('AssociateHaVip', { HaVipId: 'havip-none', InstanceId: 'i-1' }))
    if (E.isLeft(request)) throw new Error(request.left.message)
    const [error] = explain(oneVpc([]), request.right)
    expect(error?.id).toBe('InvalidHaVip.NotFound')
    expect(error).not.toHaveProperty('codeN')
    expect(Object.keys(error ?? {})).toEqual(['id', 'code', 'status', 'message', 'messageZh', 'facts'])
  })
})

describe('a HaVip deleted since load', () => {
  const deleted = (): Snapshot => advance(call(oneVpc([free('havip-1'), free('havip-2', { IpAddress: '192.168.0.10' })], { Quotas: { HaVipsPerVpc: 5 } }), 'DeleteHaVip', { HaVipId: 'havip-1' }).snapshot, 5)

  it('leaves the snapshot JSON and DescribeHaVips', () => {
    const s = deleted()
    expect(ids(s)).toEqual(['havip-2'])
    expect((call(s, 'DescribeHaVips').body.Result?.HaVips as ReadonlyArray<{ readonly HaVipId: string }>).map((h) => h.HaVipId)).toEqual(['havip-2'])
  })
  it('is not found by AssociateHaVip any more', () => {
    expect(errorCode(deleted(), 'AssociateHaVip', { HaVipId: 'havip-1', InstanceId: 'i-1' })).toBe('InvalidHaVip.NotFound')
  })
})

describe('a CreateHaVip retried with its ClientToken', () => {
  it('replays the recorded HaVip instead of making a second one', () => {
    const first = call(oneVpc([], { Quotas: { HaVipsPerVpc: 5 } }), 'CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'once' })
    const again = call(first.snapshot, 'CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'once' })
    expect(again.body.Result).toEqual(first.body.Result)
    expect(ids(again.snapshot)).toEqual(ids(first.snapshot))
    expect(ids(again.snapshot)).toHaveLength(1)
  })
  it('replays a CreateHaVip the loaded snapshot recorded', () => {
    const s = oneVpc([free('havip-1')], {
      Quotas: { HaVipsPerVpc: 5 },
      ClientTokens: [{
        Action: 'CreateHaVip', ClientToken: 'loaded', Status: 'Succeeded', RequestId: 'r-0',
        Parameters: { SubnetId: 'subnet-a' }, Result: { HaVipId: 'havip-1', IpAddress: '192.168.0.9', AsyncTaskId: 'at-0' },
      }],
    })
    const again = call(s, 'CreateHaVip', { SubnetId: 'subnet-a', ClientToken: 'loaded' })
    expect(again.body.Result).toEqual({ RequestId: 'r-0', HaVipId: 'havip-1', IpAddress: '192.168.0.9', AsyncTaskId: 'at-0' })
    expect(ids(again.snapshot)).toEqual(['havip-1'])
  })
})

// The loaded ledger answers as a map by ledgerKey: a key ledgerKey cannot write finds nothing,
// even where its pieces would spell an entry's Action and ClientToken.
describe('the loaded ledger, looked up by a key no entry has', () => {
  const entry = (Action: string, ClientToken: string): AnyLedgerEntryJson => ({ Action, ClientToken } as unknown as AnyLedgerEntryJson)
  const index = (...entries: ReadonlyArray<AnyLedgerEntryJson>): LedgerIndex => {
    const i = new LedgerIndex()
    for (const e of entries) i.set('', e)
    return i
  }
  it('finds nothing for a key without a colon', () => {
    expect(index(entry('1', '5')).get('15')).toBeUndefined()
    expect(index(entry('1', '5')).get('1:15')).toEqual(entry('1', '5'))
  })
  it('finds nothing for a negative length', () => {
    expect(index(entry('', ':x')).get('-1:x')).toBeUndefined()
    expect(index(entry('', ':x')).has('0::x')).toBe(true)
  })
  it('finds nothing for a length longer than the rest of the key', () => {
    expect(index(entry('ab', '')).get('5:ab')).toBeUndefined()
    expect(index(entry('ab', '')).get('3:ab')).toBeUndefined()
    expect(index(entry('ab', '')).get('2:ab')).toEqual(entry('ab', ''))
  })
})

describe('Describe filters and pages', () => {
  const account = (): Snapshot => load({
    Region: 'cn-beijing',
    HaVips: [],
    Instances: [
      { InstanceId: 'i-1', Status: 'RUNNING', ProjectName: 'web', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-p1', SubnetId: 'subnet-a', Type: 'primary' }] },
      { InstanceId: 'i-2', Status: 'RUNNING', ProjectName: 'db', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-p2', SubnetId: 'subnet-a', Type: 'primary' }] },
    ],
    NetworkInterfaces: [
      { NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'Available', ProjectName: 'web' },
      { NetworkInterfaceId: 'eni-2', SubnetId: 'subnet-a', Status: 'Available', ProjectName: 'db' },
    ],
    Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24' }],
    RouteEntries: [
      { RouteEntryId: 'rte-1', NextHopType: 'HaVip', NextHopId: 'havip-x', RouteTableId: 'vtb-1', VpcId: 'vpc-1' },
      { RouteEntryId: 'rte-2', NextHopType: 'HaVip', NextHopId: 'havip-x', RouteTableId: 'vtb-2', VpcId: 'vpc-1' },
    ],
  })
  const listed = (action: string, params: Readonly<Record<string, string>>, key: string, id: string): ReadonlyArray<unknown> => {
    const r = call(account(), action, params).body
    expect(r.ResponseMetadata.Error).toBeUndefined()
    return (r.Result?.[key] as ReadonlyArray<Readonly<Record<string, unknown>>>).map((x) => x[id])
  }
  it('DescribeNetworkInterfaces filters by ProjectName', () => {
    expect(listed('DescribeNetworkInterfaces', { ProjectName: 'db' }, 'NetworkInterfaceSets', 'NetworkInterfaceId')).toEqual(['eni-2'])
  })
  it('DescribeInstances filters by ProjectName', () => {
    expect(listed('DescribeInstances', { ProjectName: 'web' }, 'Instances', 'InstanceId')).toEqual(['i-1'])
  })
  it('DescribeRouteTableList pages by number', () => {
    const r = call(account(), 'DescribeRouteTableList', { PageNumber: '2', PageSize: '1' }).body
    expect(r.ResponseMetadata.Error).toBeUndefined()
    expect(r.Result).toMatchObject({ PageNumber: 2, PageSize: 1, TotalCount: 2, RouteTableList: [{ RouteTableId: 'vtb-2' }] })
  })
})

describe('which VPC a loaded HaVip counts against (QuotaExceeded.HaVipsPerVpc)', () => {
  const createIn = (haVip: Readonly<Record<string, unknown>>): string | undefined =>
    errorCode(oneVpc([haVip]), 'CreateHaVip', { SubnetId: 'subnet-a' })
  it('its own VpcId, when its subnet is not listed', () => {
    expect(createIn(free('havip-1', { SubnetId: 'subnet-gone', VpcId: 'vpc-1' }))).toBe('QuotaExceeded.HaVipsPerVpc')
  })
  it('its subnet\'s VPC, when its VpcId is empty', () => {
    expect(createIn(free('havip-1', { VpcId: '' }))).toBe('QuotaExceeded.HaVipsPerVpc')
  })
  it('its subnet\'s VPC, when it has no VpcId', () => {
    expect(createIn(free('havip-1'))).toBe('QuotaExceeded.HaVipsPerVpc')
  })
  it('another VPC leaves room in vpc-1', () => {
    expect(createIn(free('havip-1', { SubnetId: 'subnet-gone', VpcId: 'vpc-2' }))).toBeUndefined()
  })
})

describe('a snapshot without a Region', () => {
  it('answers and prints as cn-beijing', () => {
    const s = load({ HaVips: [], Instances: [], NetworkInterfaces: [] })
    expect(call(s, 'DescribeHaVips').body.ResponseMetadata.Region).toBe('cn-beijing')
    expect(inspect(s)).toContain('Region: "cn-beijing"')
  })
})
