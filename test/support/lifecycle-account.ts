import type { Snapshot } from 'havip-rules'
import { load } from './snapshots.js'

/**
 * An account for the HaVip's life: subnet-a (192.168.0.0/24, vpc-1) with .2, .3, .4 and .9 in
 * use, a Pending subnet, a /29 of vpc-2, and HaVips free, bound, EIP-held, route-referenced and
 * being created.
 */
export const lifecycleJson = (extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({
  Region: 'cn-beijing',
  HaVips: [
    { HaVipId: 'havip-1', SubnetId: 'subnet-a', VpcId: 'vpc-1', IpAddress: '192.168.0.9', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] },
    { HaVipId: 'havip-2', SubnetId: 'subnet-a', IpAddress: '192.168.0.10', Status: 'InUse', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'] },
    { HaVipId: 'havip-eip', SubnetId: 'subnet-a', IpAddress: '192.168.0.11', Status: 'Available', AssociatedEipId: 'eip-1', AssociatedEipAddress: '1.2.3.4' },
    { HaVipId: 'havip-rt', SubnetId: 'subnet-a', IpAddress: '192.168.0.12', Status: 'Available' },
    { HaVipId: 'havip-c', SubnetId: 'subnet-s', IpAddress: '', Status: 'Creating' },
  ],
  Instances: [
    { InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-p1', SubnetId: 'subnet-a', Type: 'primary', PrimaryIpAddress: '192.168.0.2' }] },
  ],
  NetworkInterfaces: [
    { NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Status: 'InUse', DeviceId: 'i-1', PrimaryIpAddress: '192.168.0.3', PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: '192.168.0.3', Primary: true }, { PrivateIpAddress: '192.168.0.4' }] } },
  ],
  Subnets: [
    { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24', Status: 'Available' },
    { SubnetId: 'subnet-p', VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', Status: 'Pending' },
    { SubnetId: 'subnet-s', VpcId: 'vpc-2', CidrBlock: '172.16.0.0/29' },
  ],
  RouteEntries: [{ RouteEntryId: 'rte-1', NextHopType: 'HaVip', NextHopId: 'havip-rt', RouteTableId: 'vtb-1' }],
  Quotas: { HaVipsPerVpc: 10 },
  ...extra,
})

export const lifecycle = (extra: Readonly<Record<string, unknown>> = {}): Snapshot => load(lifecycleJson(extra))

/** A query string with Version filled in. */
export const q = (action: string, params: Readonly<Record<string, string>> = {}): string =>
  new URLSearchParams({ Action: action, Version: '2020-04-01', ...params }).toString()
