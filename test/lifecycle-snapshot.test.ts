import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { loadSnapshot, snapshotToJson } from 'havip-rules'
import { baseJson, load } from './support/snapshots.js'

const problemsOf = (json: unknown): ReadonlyArray<string> => {
  const loaded = loadSnapshot(json)
  return E.isLeft(loaded) ? loaded.left.message.split('\n') : []
}

const subnet = { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24', Status: 'Available', ZoneId: 'cn-beijing-a' }
const route = { RouteEntryId: 'rte-1', NextHopType: 'HaVip', NextHopId: 'havip-1', RouteTableId: 'vtb-1' }
const task = { AsyncTaskId: 'at-1', Action: 'CreateHaVip', ResourceId: 'havip-1', Status: 'InProgress', RequestId: 'r-1', StepsLeft: 2 }
const createEntry = {
  Action: 'CreateHaVip', ClientToken: 'c-1', Status: 'Succeeded', RequestId: 'r-1',
  Parameters: { SubnetId: 'subnet-a', Tags: [{ Key: 'k', Value: '' }] }, Result: { HaVipId: 'havip-9', IpAddress: '192.168.0.2', AsyncTaskId: 'at-9' },
}

/** The vectors' snapshot with every key the lifecycle adds. */
const lifecycleJson = (): Record<string, unknown> => ({
  ...baseJson(),
  Subnets: [subnet],
  RouteEntries: [route],
  AsyncTasks: [task],
  IdCounter: 3,
  AsyncSteps: 2,
  Quotas: { InstancesPerHaVip: 10, HaVipsPerInstance: 5, HaVipsPerRegion: 20, HaVipsPerVpc: 5 },
  ClientTokens: [createEntry],
})

describe('the snapshot keys of the lifecycle', () => {
  it('loads them and writes back the very same JSON', () => {
    const json = lifecycleJson()
    const s = load(json)
    expect(snapshotToJson(s)).toBe(json)
    expect(JSON.parse(JSON.stringify(snapshotToJson(load(JSON.parse(JSON.stringify(json))))))).toEqual(json)
  })

  it('still loads a snapshot without any of them', () => {
    const json = baseJson()
    expect(snapshotToJson(load(json))).toBe(json)
  })

  it('takes "" for an optional field as absent and the address fields as dotted quads or ""', () => {
    expect(problemsOf({
      Subnets: [{ ...subnet, Status: '' }],
      HaVips: [{ HaVipId: 'h', SubnetId: 'subnet-a', Status: 'Available', IpAddress: '', VpcId: '' }],
      Instances: [{ InstanceId: 'i', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-a', Type: 'primary', PrimaryIpAddress: '192.168.0.4' }] }],
      NetworkInterfaces: [{ NetworkInterfaceId: 'e', SubnetId: 'subnet-a', Status: 'InUse', PrimaryIpAddress: '', PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: '192.168.0.5' }, {}] } }],
      AsyncTasks: [{ AsyncTaskId: 'at-2', Action: 'DeleteHaVip', Status: 'Succeeded', ResourceId: '' }],
    })).toEqual([])
  })

  it('names the JSON path of every new problem', () => {
    expect(problemsOf({
      Subnets: [
        { ...subnet, CidrBlock: '192.168.0.1/24' },
        { SubnetId: '', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/33' },
        { ...subnet, VpcId: 7, Status: 1 },
      ],
      RouteEntries: [{ RouteEntryId: 'rte-1', NextHopType: 'HaVip' }, route, route],
      AsyncTasks: [{ AsyncTaskId: 'at-1', Action: 'X' }, { ...task, StepsLeft: -1, ResourceId: 3 }, task, task],
      IdCounter: 1.5,
      AsyncSteps: -1,
      Quotas: { HaVipsPerRegion: 0, HaVipsPerVpc: '5' },
      HaVips: [{ HaVipId: 'h', SubnetId: 's', Status: 'Available', IpAddress: '01.2.3.4', VpcId: 1, HaVipName: 2, Description: 3, AssociatedEipId: 4, ProjectName: 5 }],
      Instances: [{ InstanceId: 'i', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 's', Type: 'primary', PrimaryIpAddress: '1.2.3' }] }],
      NetworkInterfaces: [{ NetworkInterfaceId: 'e', SubnetId: 's', Status: 'InUse', PrimaryIpAddress: '256.0.0.1', PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: 'x' }] } }],
      ClientTokens: [{ ...createEntry, Result: { HaVipId: 'h' } }, { ...createEntry, ClientToken: 'c-2', Parameters: {} }],
    })).toEqual([
      'HaVips[0].IpAddress: expected a dotted quad (a.b.c.d, each 0-255, no leading zeros) or "", got string "01.2.3.4"',
      'HaVips[0].VpcId: expected string, got number 1',
      'HaVips[0].HaVipName: expected string, got number 2',
      'HaVips[0].Description: expected string, got number 3',
      'HaVips[0].AssociatedEipId: expected string, got number 4',
      'HaVips[0].ProjectName: expected string, got number 5',
      'Instances[0].NetworkInterfaces[0].PrimaryIpAddress: expected a dotted quad (a.b.c.d, each 0-255, no leading zeros) or "", got string "1.2.3"',
      'NetworkInterfaces[0].PrimaryIpAddress: expected a dotted quad (a.b.c.d, each 0-255, no leading zeros) or "", got string "256.0.0.1"',
      'NetworkInterfaces[0].PrivateIpSets.PrivateIpSet[0].PrivateIpAddress: expected a dotted quad (a.b.c.d, each 0-255, no leading zeros) or "", got string "x"',
      'Quotas.HaVipsPerRegion: expected a positive integer, got number 0',
      'Quotas.HaVipsPerVpc: expected a positive integer, got string "5"',
      'ClientTokens[0].Result.IpAddress: required string is missing',
      'ClientTokens[1].Parameters.SubnetId: required string is missing',
      'Subnets[0].CidrBlock: expected an IPv4 CIDR block (a.b.c.d/n, n 0-32) with its host bits zero, got string "192.168.0.1/24"',
      'Subnets[1].SubnetId: expected a non-empty string, got string ""',
      'Subnets[1].CidrBlock: expected an IPv4 CIDR block (a.b.c.d/n, n 0-32) with its host bits zero, got string "10.0.0.0/33"',
      'Subnets[2].VpcId: expected a non-empty string, got number 7',
      'Subnets[2].Status: expected string, got number 1',
      'RouteEntries[0].NextHopId: required a non-empty string is missing',
      'AsyncTasks[0].Status: required a non-empty string is missing',
      'AsyncTasks[1].ResourceId: expected string, got number 3',
      'AsyncTasks[1].StepsLeft: expected a whole number ≥ 0, got number -1',
      'IdCounter: expected a whole number ≥ 0, got number 1.5',
      'AsyncSteps: expected a whole number ≥ 0, got number -1',
    ])
  })

  it('names a repeated subnet, route entry or task id', () => {
    expect(problemsOf({ Subnets: [subnet, subnet], RouteEntries: [route, route], AsyncTasks: [task, task] })).toEqual([
      'Subnets[1].SubnetId: repeats the id "subnet-a" of Subnets[0]',
      'RouteEntries[1].RouteEntryId: repeats the id "rte-1" of RouteEntries[0]',
      'AsyncTasks[1].AsyncTaskId: repeats the id "at-1" of AsyncTasks[0]',
    ])
  })

  it('suggests the new keys for near misses', () => {
    expect(problemsOf({ Subnet: [], AsyncTask: [], IdCountr: 1, RouteEntrySets: [] })).toEqual([
      'Subnet: is not a snapshot key: did you mean Subnets?',
      'AsyncTask: is not a snapshot key: did you mean AsyncTasks?',
      'IdCountr: is not a snapshot key: did you mean IdCounter?',
      'RouteEntrySets: is not a snapshot key: did you mean RouteEntries? (DescribeRouteEntryList lists them as RouteEntries)',
    ])
  })
})
