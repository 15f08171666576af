import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type {
  DescribeHaVipsResult, DescribeInstancesResult, DescribeNetworkInterfacesResult, DescribeRouteEntryListResult, DescribeRouteTableListResult, DescribeSubnetsResult, ErrorBody, Handled, SnapshotJson,
} from 'havip-rules'
import { decodeRequest, explain, handle, isErrorBody } from 'havip-rules'
import { load } from './support/snapshots.js'

/** An account with `n` of each resource; every third is in subnet-b, tagged env=prod; every other ENI attached to i-0. */
const account = (n: number): SnapshotJson => ({
  Region: 'cn-shanghai',
  HaVips: Array.from({ length: n }, (_, i) => ({
    HaVipId: `havip-${String(i)}`, HaVipName: `vip-${String(i % 5)}`, IpAddress: `10.0.0.${String(i)}`, VpcId: 'vpc-1', ProjectName: i % 2 === 0 ? 'default' : 'ops',
    SubnetId: i % 3 === 0 ? 'subnet-b' : 'subnet-a', Status: 'Available', Tags: i % 3 === 0 ? [{ Key: 'env', Value: 'prod' }] : [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'web' }],
  })),
  Instances: Array.from({ length: n }, (_, i) => ({
    InstanceId: `i-${String(i)}`, Status: i % 4 === 0 ? 'STOPPED' : 'RUNNING', VpcId: i % 2 === 0 ? 'vpc-1' : 'vpc-2', ZoneId: i % 3 === 0 ? 'cn-shanghai-b' : 'cn-shanghai-a',
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
  })),
  NetworkInterfaces: Array.from({ length: n }, (_, i) => ({
    NetworkInterfaceId: `eni-${String(i)}`, SubnetId: i % 3 === 0 ? 'subnet-b' : 'subnet-a', VpcId: 'vpc-1', Type: 'secondary',
    Status: i % 2 === 0 ? 'InUse' : 'Available', DeviceId: i % 2 === 0 ? 'i-0' : '',
  })),
})

const s = load(account(250))

type Params = Readonly<Record<string, string>>
const ask = (action: string, params: Params = {}) => handle(s, { Action: action, Version: '2020-04-01', ...params }, { requestId: 'r' })
const haVips = (params: Params = {}) => {
  const h = ask('DescribeHaVips', params)
  if (isErrorBody(h.body)) throw new Error(h.body.ResponseMetadata.Error.Code)
  return h.body.Result as DescribeHaVipsResult
}
const refusal = (action: string, params: Params) => {
  const h = ask(action, params)
  return isErrorBody(h.body) ? [h.status, h.body.ResponseMetadata.Error.Code, h.body.ResponseMetadata.Error.Message] : undefined
}
const refusalOf = (h: Handled) => (isErrorBody(h.body) ? h.body.ResponseMetadata.Error.Code : undefined)
const ids = (result: { HaVips: ReadonlyArray<{ HaVipId: string }> }) => result.HaVips.map((h) => h.HaVipId)

describe('DescribeHaVips', () => {
  it('lists the HaVips as the snapshot holds them, ten to a page by default, with the total and the next page\'s token', () => {
    const first = haVips()
    expect(first).toMatchObject({ TotalCount: 250, PageNumber: 1, PageSize: 10, NextToken: 'havip-10', RequestId: 'r' })
    expect(ids(first)).toEqual(Array.from({ length: 10 }, (_, i) => `havip-${String(i)}`))
    // Exactly as the snapshot holds it: every field, in its order.
    expect(JSON.stringify(first.HaVips[3])).toBe(JSON.stringify(account(250).HaVips?.[3]))
  })

  it('pages by number: a full page of 100, a short last page, and an empty page past the end', () => {
    expect(ids(haVips({ PageSize: '100', PageNumber: '2' }))).toHaveLength(100)
    const last = haVips({ PageSize: '100', PageNumber: '3' })
    expect([last.HaVips.length, last.NextToken]).toEqual([50, ''])
    expect(haVips({ PageSize: '100', PageNumber: '4' })).toMatchObject({ HaVips: [], TotalCount: 250, NextToken: '' })
  })

  it('pages by token: following NextToken with MaxResults lists every HaVip exactly once', () => {
    const seen: Array<string> = []
    let token: string | undefined
    let pages = 0
    do {
      const page = haVips({ MaxResults: '40', ...(token === undefined ? {} : { NextToken: token }) })
      seen.push(...ids(page))
      token = page.NextToken === '' ? undefined : page.NextToken
      pages++
    } while (token !== undefined)
    expect(pages).toBe(7)
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => `havip-${String(i)}`))
  })

  it.each([
    ['PageNumber', '0'], ['PageNumber', '-1'], ['PageNumber', '1.5'], ['PageNumber', 'abc'],
    ['PageSize', '0'], ['PageSize', '101'], ['MaxResults', '0'], ['MaxResults', '101'],
  ])('refuses %s=%s with InvalidParameter naming it', (name, value) => {
    expect(refusal('DescribeHaVips', { [name]: value })).toEqual([400, 'InvalidParameter', `The specified parameter ${name} is invalid.`])
  })

  it('explains a Describe call: empty, or the one error it answers; a request built wrongly by hand is refused, not read', () => {
    const explained = (action: string, params: Params) => {
      const decoded = decodeRequest({ Action: action, Version: '2020-04-01', ...params })
      return E.isRight(decoded) ? explain(s, decoded.right).map((v) => v.id) : ['undecodable']
    }
    expect(explained('DescribeHaVips', {})).toEqual([])
    expect(explained('DescribeHaVips', { NextToken: 'havip-nope' })).toEqual(['InvalidParameter'])
    expect(explained('DescribeInstances', { MaxResults: '5' })).toEqual([])
    expect(explained('DescribeNetworkInterfaces', { NextToken: 'eni-nope' })).toEqual(['InvalidParameter'])
    const valid = { action: 'DescribeHaVips', ids: new Set(), filters: [], tags: [], page: { kind: 'number', number: 1, size: 10 } }
    const byHand = (request: object) => explain(s, request as never).map((v) => [v.id, v.message])
    expect(byHand(valid)).toEqual([])
    for (const wrong of [{ ids: [] }, { filters: undefined }, { tags: {} }, { page: undefined }, { page: null }, { page: { kind: 'number', number: 1, size: 1.5 } }]) {
      expect(byHand({ ...valid, ...wrong }), JSON.stringify(wrong)).toEqual([['InvalidParameter', 'The specified parameter request is invalid.']])
    }
    // An action is a name: not a list that spells one, and not one this project does not serve.
    for (const action of [['DescribeHaVips'], 'DescribeVpcs', undefined]) {
      expect(byHand({ ...valid, action }), String(action)).toEqual([['InvalidActionOrVersion', `Could not find operation ${String(action)} for version 2020-04-01`]])
    }
    expect(explain(s, { ...valid, action: 'DescribeVpcs' } as never)[0]?.facts).toBe('the request names no action this project serves')
    expect(explain(s, { ...valid, page: null } as never)[0]?.facts).toBe('the Describe request is not one decodeRequest makes')
  })

  it('refuses a NextToken that starts no page of the result', () => {
    expect(refusal('DescribeHaVips', { NextToken: 'havip-nope' })?.[1]).toBe('InvalidParameter')
  })

  it('resumes a token from its place in the list: a resource outside this result still names where to go on', () => {
    // havip-1 is in subnet-a: the page starts at the next subnet-b HaVip after it.
    const page = haVips({ NextToken: 'havip-1', SubnetId: 'subnet-b', MaxResults: '2' })
    expect([ids(page), page.NextToken]).toEqual([['havip-3', 'havip-6'], 'havip-9'])
  })

  it('keeps the token it just gave working when the HaVip it names is bound before the next page', () => {
    const filter = { Status: 'Available', MaxResults: '10' }
    const first = haVips(filter)
    expect(first.NextToken).toBe('havip-10')
    const bound = handle(s, { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-10', InstanceId: 'i-2' }, { requestId: 'b' })
    expect(isErrorBody(bound.body)).toBe(false)
    const next = handle(bound.snapshot, { Action: 'DescribeHaVips', Version: '2020-04-01', ...filter, NextToken: first.NextToken }, { requestId: 'r' })
    if (isErrorBody(next.body)) throw new Error(next.body.ResponseMetadata.Error.Code)
    expect(ids(next.body.Result as DescribeHaVipsResult)).toEqual(Array.from({ length: 10 }, (_, i) => `havip-${String(i + 11)}`))
  })

  it('matches HaVipIds.N as a set (N from 1 to 100); an id that matches nothing only shortens the list', () => {
    expect(ids(haVips({ 'HaVipIds.1': 'havip-7', 'HaVipIds.100': 'havip-3', 'HaVipIds.2': 'havip-none' }))).toEqual(['havip-3', 'havip-7'])
  })

  it.each(['HaVipIds.0', 'HaVipIds.01', 'HaVipIds.101', 'HaVipIds.x', 'HaVipIds.'])('refuses %s with InvalidParameter', (name) => {
    expect(refusal('DescribeHaVips', { [name]: 'havip-1' })?.slice(0, 2)).toEqual([400, 'InvalidParameter'])
  })

  it.each([
    ['HaVipName', 'vip-2', 50], ['IpAddress', '10.0.0.9', 1], ['VpcId', 'vpc-1', 250], ['VpcId', 'vpc-9', 0],
    ['SubnetId', 'subnet-b', 84], ['Status', 'Available', 250], ['Status', 'InUse', 0], ['ProjectName', 'ops', 125],
  ])('filters on %s = %s exactly (%i match)', (name, value, count) => {
    expect(haVips({ [name]: value }).TotalCount).toBe(count)
  })

  it('combines filters with AND', () => {
    expect(haVips({ SubnetId: 'subnet-b', ProjectName: 'default', 'HaVipIds.1': 'havip-0', 'HaVipIds.2': 'havip-3' }).TotalCount).toBe(1)
  })

  it('filters by tags: a key, a key with values (OR\'d), several filters AND\'d', () => {
    expect(haVips({ 'TagFilters.1.Key': 'team' }).TotalCount).toBe(166)
    expect(haVips({ 'TagFilters.1.Key': 'env', 'TagFilters.1.Values.1': 'prod' }).TotalCount).toBe(84)
    expect(haVips({ 'TagFilters.1.Key': 'env', 'TagFilters.1.Values.1': 'prod', 'TagFilters.1.Values.2': 'dev' }).TotalCount).toBe(250)
    expect(haVips({ 'TagFilters.1.Key': 'env', 'TagFilters.1.Values.1': 'prod', 'TagFilters.2.Key': 'team' }).TotalCount).toBe(0)
  })

  it('reads Tags as the snapshot holds them, whatever else they hold, and a HaVip without Tags matches no tag filter', () => {
    const odd = load({
      HaVips: [
        { HaVipId: 'havip-odd', SubnetId: 'subnet-a', Status: 'Available', Tags: [null, 'env', 7, [], { Key: 'env' }, { Key: 'team', Value: 7 }, { Key: 'env', Value: 'prod' }] },
        { HaVipId: 'havip-none', SubnetId: 'subnet-a', Status: 'Available' },
        { HaVipId: 'havip-text', SubnetId: 'subnet-a', Status: 'Available', Tags: 'env' },
      ],
    })
    const matched = (params: Params) => {
      const h = handle(odd, { Action: 'DescribeHaVips', Version: '2020-04-01', ...params })
      return isErrorBody(h.body) ? h.body.ResponseMetadata.Error.Code : (h.body.Result as DescribeHaVipsResult).HaVips.map((v) => v.HaVipId)
    }
    expect(matched({ 'TagFilters.1.Key': 'env', 'TagFilters.1.Values.1': 'prod' })).toEqual(['havip-odd'])
    expect(matched({ 'TagFilters.1.Key': 'env' })).toEqual(['havip-odd'])
    // A tag whose Value is missing or not text is matched by its key alone, by no value.
    expect(matched({ 'TagFilters.1.Key': 'env', 'TagFilters.1.Values.1': 'undefined' })).toEqual([])
    expect(matched({ 'TagFilters.1.Key': 'team' })).toEqual(['havip-odd'])
    expect(matched({ 'TagFilters.1.Key': 'team', 'TagFilters.1.Values.1': '7' })).toEqual([])
    expect(matched({})).toEqual(['havip-odd', 'havip-none', 'havip-text'])
  })

  it.each(['TagFilters.0.Key', 'TagFilters.01.Key', 'TagFilters.1.Value', 'TagFilters.1.Values.0', 'TagFilters.11.Key', 'TagFilters.1'])('refuses %s with InvalidParameter', (name) => {
    expect(refusal('DescribeHaVips', { [name]: 'env' })?.[1]).toBe('InvalidParameter')
  })

  it('refuses tag values without a key', () => {
    expect(refusal('DescribeHaVips', { 'TagFilters.2.Values.1': 'prod' })).toEqual([400, 'InvalidParameter', 'The specified parameter TagFilters.2.Key is invalid.'])
  })
})

describe('DescribeNetworkInterfaces', () => {
  const enis = (params: Params = {}) => ask('DescribeNetworkInterfaces', params).body as { Result: DescribeNetworkInterfacesResult }

  it('answers in the vendor\'s shape (NetworkInterfaceSets), service vpc, the snapshot\'s region', () => {
    const body = enis()
    expect(body.Result).toMatchObject({ TotalCount: 250, PageNumber: 1, PageSize: 10, NextToken: 'eni-10' })
    expect(body.Result.NetworkInterfaceSets.map((n) => n.NetworkInterfaceId)).toHaveLength(10)
    expect((body as unknown as ErrorBody).ResponseMetadata).toMatchObject({ Service: 'vpc', Region: 'cn-shanghai' })
  })

  it.each([
    [{ 'NetworkInterfaceIds.1': 'eni-4', 'NetworkInterfaceIds.2': 'eni-5' }, 2], [{ InstanceId: 'i-0' }, 125], [{ Type: 'secondary' }, 250],
    [{ Status: 'Available' }, 125], [{ SubnetId: 'subnet-b' }, 84], [{ VpcId: 'vpc-1', InstanceId: 'i-0', SubnetId: 'subnet-b' }, 42],
  ])('filters %j (%i match)', (params, count) => {
    expect(enis(params).Result.TotalCount).toBe(count)
  })

  it('pages by PageNumber/PageSize and by NextToken/MaxResults', () => {
    expect(enis({ PageNumber: '3', PageSize: '100' }).Result.NetworkInterfaceSets).toHaveLength(50)
    expect(enis({ NextToken: 'eni-240', MaxResults: '100' }).Result).toMatchObject({ NextToken: '', PageNumber: 3 })
  })
})

describe('DescribeInstances', () => {
  const instances = (params: Params = {}) => ask('DescribeInstances', params)

  it('answers in the ecs shape: Instances and NextToken, service ecs', () => {
    const h = instances({ MaxResults: '100' })
    const body = h.body as { Result: DescribeInstancesResult; ResponseMetadata: { Service: string } }
    expect(body.ResponseMetadata.Service).toBe('ecs')
    expect(body.Result).toMatchObject({ TotalCount: 250, NextToken: 'i-100' })
    expect(Object.keys(body.Result)).toEqual(['Instances', 'TotalCount', 'NextToken', 'RequestId'])
  })

  it('pages by token only: PageNumber is not one of its parameters', () => {
    const body = instances({ PageNumber: '3' }).body as { Result: DescribeInstancesResult }
    expect(body.Result.Instances[0]?.InstanceId).toBe('i-0')
  })

  it.each([[{ 'InstanceIds.1': 'i-1', 'InstanceIds.2': 'i-2' }, 2], [{ VpcId: 'vpc-2' }, 125], [{ ZoneId: 'cn-shanghai-b' }, 84], [{ Status: 'STOPPED' }, 63]])(
    'filters %j (%i match)', (params, count) => {
      expect((instances(params).body as { Result: DescribeInstancesResult }).Result.TotalCount).toBe(count)
    })

  it('refuses InstanceIds.01', () => {
    expect(refusal('DescribeInstances', { 'InstanceIds.01': 'i-1' })?.[1]).toBe('InvalidParameter')
  })
})

/** 250 subnets over two VPCs and two zones; 250 route entries over five route tables of two VPCs, every third to a HaVip. */
const network = load({
  Region: 'cn-shanghai',
  Subnets: Array.from({ length: 250 }, (_, i) => ({
    SubnetId: `subnet-${String(i)}`, VpcId: i % 2 === 0 ? 'vpc-1' : 'vpc-2', ZoneId: i % 5 === 0 ? 'cn-shanghai-b' : 'cn-shanghai-a',
    CidrBlock: `10.${String(i)}.0.0/24`, SubnetName: `net-${String(i)}`, Status: 'Available',
  })),
  RouteEntries: Array.from({ length: 250 }, (_, i) => ({
    RouteEntryId: `rte-${String(i)}`, RouteTableId: `vtb-${String(i % 5)}`, VpcId: i % 5 < 3 ? 'vpc-1' : 'vpc-2', DestinationCidrBlock: `172.16.${String(i)}.0/24`,
    NextHopType: i % 3 === 0 ? 'HaVip' : 'Instance', NextHopId: i % 3 === 0 ? `havip-${String(i % 4)}` : `i-${String(i)}`, Status: 'Available',
  })),
})

const askNetwork = (action: string, params: Params = {}) => handle(network, { Action: action, Version: '2020-04-01', ...params }, { requestId: 'r' })

describe('DescribeSubnets', () => {
  const subnets = (params: Params = {}) => askNetwork('DescribeSubnets', params).body as { Result: DescribeSubnetsResult; ResponseMetadata: { Service: string } }

  it('answers in the vendor\'s shape (Subnets), service vpc, every field as the snapshot holds it', () => {
    const body = subnets()
    expect(body.ResponseMetadata.Service).toBe('vpc')
    expect(Object.keys(body.Result)).toEqual(['Subnets', 'TotalCount', 'PageNumber', 'PageSize', 'NextToken', 'RequestId'])
    expect(body.Result).toMatchObject({ TotalCount: 250, PageNumber: 1, PageSize: 10, NextToken: 'subnet-10' })
    expect(body.Result.Subnets[3]).toEqual({ SubnetId: 'subnet-3', VpcId: 'vpc-2', ZoneId: 'cn-shanghai-a', CidrBlock: '10.3.0.0/24', SubnetName: 'net-3', Status: 'Available' })
  })

  it.each([
    [{ 'SubnetIds.1': 'subnet-4', 'SubnetIds.2': 'subnet-5', 'SubnetIds.3': 'subnet-x' }, 2], [{ VpcId: 'vpc-2' }, 125], [{ ZoneId: 'cn-shanghai-b' }, 50],
    [{ VpcId: 'vpc-1', ZoneId: 'cn-shanghai-b' }, 25], [{ SubnetName: 'net-3' }, 250],
  ])('filters %j (%i match)', (params, count) => {
    expect(subnets(params).Result.TotalCount).toBe(count)
  })

  it('pages by PageNumber/PageSize and by NextToken/MaxResults, every subnet once', () => {
    expect(subnets({ PageNumber: '3', PageSize: '100' }).Result.Subnets).toHaveLength(50)
    const seen: Array<string> = []
    for (let token = ''; ;) {
      const r = subnets({ MaxResults: '100', ...(token === '' ? {} : { NextToken: token }) }).Result
      seen.push(...r.Subnets.map((x) => x.SubnetId))
      if (r.NextToken === '') break
      token = r.NextToken
    }
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => `subnet-${String(i)}`))
  })

  it('refuses SubnetIds.0 and a NextToken that starts no page', () => {
    expect(refusalOf(askNetwork('DescribeSubnets', { 'SubnetIds.0': 'subnet-1' }))).toBe('InvalidParameter')
    expect(refusalOf(askNetwork('DescribeSubnets', { NextToken: 'rte-1' }))).toBe('InvalidParameter')
  })
})

describe('DescribeRouteEntryList', () => {
  const entries = (params: Params = {}) => (askNetwork('DescribeRouteEntryList', params).body as { Result: DescribeRouteEntryListResult }).Result

  it('answers in the vendor\'s shape (RouteEntries), every field as the snapshot holds it', () => {
    const result = entries({ RouteTableId: 'vtb-2', PageSize: '100' })
    expect(Object.keys(result)).toEqual(['RouteEntries', 'TotalCount', 'PageNumber', 'PageSize', 'NextToken', 'RequestId'])
    expect(result.TotalCount).toBe(50)
    expect(result.RouteEntries[0]).toEqual({
      RouteEntryId: 'rte-2', RouteTableId: 'vtb-2', VpcId: 'vpc-1', DestinationCidrBlock: '172.16.2.0/24', NextHopType: 'Instance', NextHopId: 'i-2', Status: 'Available',
    })
  })

  it.each([
    [{ RouteTableId: 'vtb-0' }, 50], [{ RouteEntryId: 'rte-7' }, 1], [{ NextHopType: 'HaVip' }, 84], [{ NextHopType: 'HaVip', NextHopId: 'havip-0' }, 21],
    [{ RouteTableId: 'vtb-0', NextHopType: 'HaVip' }, 17], [{ RouteTableId: 'vtb-9' }, 0], [{}, 250],
  ])('filters %j (%i match)', (params, count) => {
    expect(entries(params).TotalCount).toBe(count)
  })

  it('pages by PageNumber/PageSize and by NextToken/MaxResults', () => {
    expect(entries({ RouteTableId: 'vtb-1', PageNumber: '2', PageSize: '30' }).RouteEntries.map((e) => e.RouteEntryId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `rte-${String(5 * (30 + i) + 1)}`))
    expect(entries({ RouteTableId: 'vtb-1', MaxResults: '30' })).toMatchObject({ NextToken: 'rte-151', TotalCount: 50 })
    expect(entries({ RouteTableId: 'vtb-1', MaxResults: '30', NextToken: 'rte-151' })).toMatchObject({ NextToken: '', PageNumber: 2 })
  })
})

describe('DescribeRouteTableList', () => {
  it('lists the route tables the route entries name, once each, with their VPC, filtered by VpcId and RouteTableId', () => {
    const tables = (params: Params = {}) => (askNetwork('DescribeRouteTableList', params).body as { Result: DescribeRouteTableListResult }).Result
    expect(tables().RouteTableList).toEqual([
      { RouteTableId: 'vtb-0', VpcId: 'vpc-1' }, { RouteTableId: 'vtb-1', VpcId: 'vpc-1' }, { RouteTableId: 'vtb-2', VpcId: 'vpc-1' },
      { RouteTableId: 'vtb-3', VpcId: 'vpc-2' }, { RouteTableId: 'vtb-4', VpcId: 'vpc-2' },
    ])
    expect(tables({ VpcId: 'vpc-2' }).RouteTableList.map((t) => t.RouteTableId)).toEqual(['vtb-3', 'vtb-4'])
    expect(tables({ RouteTableId: 'vtb-1' }).TotalCount).toBe(1)
    expect(tables({ PageSize: '2', PageNumber: '3' })).toMatchObject({ TotalCount: 5, NextToken: '' })
  })

  it('is served by decodeRequest and explain like every Describe call', () => {
    for (const action of ['DescribeSubnets', 'DescribeRouteTableList', 'DescribeRouteEntryList']) {
      const decoded = decodeRequest({ Action: action, Version: '2020-04-01', VpcId: 'vpc-1' })
      expect(E.isRight(decoded) && decoded.right.action).toBe(action)
      if (E.isRight(decoded)) expect(explain(network, decoded.right)).toEqual([])
    }
  })
})
