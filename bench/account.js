// The accounts the benchmarks run against, shaped as a live account would be.

const SUBNETS_PER_HAVIP = 1


/** N resources: N/2 instances and N/2 ENIs; N/100 HaVips (at least 1); a ledger of N tokens. */
export const buildJson = (n) => {
  const haVipCount = Math.max(1, Math.floor(n / 100))
  const subnetOf = (i) => `subnet-${i % haVipCount}`
  const half = Math.max(1, Math.floor(n / 2))
  const Instances = Array.from({ length: half }, (_, i) => ({
    InstanceId: `i-${i}`, Status: i % 7 === 0 ? 'STOPPED' : 'RUNNING', VpcId: 'vpc-1',
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${i}`, SubnetId: subnetOf(i), Type: 'primary' }],
  }))
  const NetworkInterfaces = Array.from({ length: half }, (_, i) => ({
    NetworkInterfaceId: `eni-${i}`, SubnetId: subnetOf(i), VpcId: 'vpc-1', Status: 'InUse', Type: 'secondary',
    DeviceId: `i-${i}`, ServiceManaged: false,
  }))
  // Every HaVip bound to two instances of its subnet, as a live account would be.
  const HaVips = Array.from({ length: haVipCount }, (_, h) => ({
    HaVipId: `havip-${h}`, SubnetId: `subnet-${h * SUBNETS_PER_HAVIP}`, VpcId: 'vpc-1', IpAddress: '192.168.0.9', Status: 'InUse',
    AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: [h, h + haVipCount].filter((i) => i < half).map((i) => `i-${i}`),
  })).map((h) => (h.AssociatedInstanceIds.length === 0 ? { ...h, Status: 'Available', AssociatedInstanceType: '' } : h))
  const ClientTokens = Array.from({ length: n }, (_, i) => ({
    Action: 'AssociateHaVip', ClientToken: `old-${i}`, Status: 'Succeeded', RequestId: `req-${i}`,
    Parameters: { HaVipId: `havip-${i % haVipCount}`, InstanceType: 'EcsInstance', InstanceId: `i-${i % half}` },
  }))
  return { Region: 'cn-beijing', HaVips, Instances, NetworkInterfaces, Quotas: { InstancesPerHaVip: 10, HaVipsPerInstance: 5 }, ClientTokens }
}

/** Requests that succeed against the fresh snapshot: an instance in the HaVip's subnet, not yet bound, with a new token. */
export const requestsFor = (n, count) => {
  const haVipCount = Math.max(1, Math.floor(n / 100))
  const half = Math.max(1, Math.floor(n / 2))
  let seed = 12345
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  return Array.from({ length: count }, (_, k) => {
    const h = Math.floor(random() * haVipCount)
    const candidates = Math.floor((half - 1 - h) / haVipCount)
    const j = 2 + Math.floor(random() * Math.max(candidates - 1, 1))
    const i = Math.min(h + j * haVipCount, half - 1)
    return { action: 'AssociateHaVip', haVipId: `havip-${h}`, instanceId: `i-${i}`, instanceType: 'EcsInstance', clientToken: `new-${k}` }
  })
}

/**
 * A target of HaVip `h` that is in its subnet and not bound at the start (the snapshot binds the
 * first two of each subnet): the k-th such instance.
 */
export const freeTarget = (n, h, k) => {
  const haVipCount = Math.max(1, Math.floor(n / 100))
  return `i-${h + (2 + k) * haVipCount}`
}
