import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { HandleContext, Snapshot } from 'havip-rules'
import { createHaVip, deleteHaVip, explain, handle, modifyHaVipAttributes, snapshotToJson } from 'havip-rules'
import { lifecycle, lifecycleJson, q } from './support/lifecycle-account.js'
import { load } from './support/snapshots.js'

// Edges of CreateHaVip, DeleteHaVip and ModifyHaVipAttributes: the facts each refusal states, the
// host's time and RequestId taken only when they are non-empty text, and what a write leaves alone.

const right = <A>(e: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}

const refusal = <A>(e: E.Either<{ readonly code: string; readonly facts: string }, A>): { readonly code: string; readonly facts: string } => {
  if (E.isRight(e)) throw new Error('the request succeeded')
  return { code: e.left.code, facts: e.left.facts }
}

const haVipOf = (s: Snapshot, id: string) => (snapshotToJson(s).HaVips ?? []).find((h) => h.HaVipId === id)

const create = (extra: Readonly<Record<string, unknown>>, subnetId: string, ipAddress?: string) =>
  refusal(createHaVip(lifecycle(extra), { action: 'CreateHaVip', subnetId, ...(ipAddress === undefined ? {} : { ipAddress }) }))

const subnets = (...more: ReadonlyArray<Readonly<Record<string, unknown>>>) => ({ Subnets: [...(lifecycleJson().Subnets as ReadonlyArray<unknown>), ...more] })

describe('CreateHaVip refusals state their facts', () => {
  it('C2: the subnet the snapshot lacks', () => {
    expect(create({}, 'subnet-x')).toEqual({ code: 'InvalidSubnet.NotFound', facts: 'no subnet subnet-x in the snapshot' })
  })

  it('C3: the subnet and its status', () => {
    expect(create({}, 'subnet-p')).toEqual({ code: 'InvalidSubnet.InvalidStatus', facts: 'subnet subnet-p is Pending; it must be Available' })
  })

  it('C4: the address and the block it is not in, written as a CIDR', () => {
    expect(create({}, 'subnet-a', '192.168.1.1')).toEqual({ code: 'InvalidIpAddress.OutOfRange', facts: '192.168.1.1 is not in subnet-a\'s block 192.168.0.0/24' })
    expect(create({}, 'subnet-s', '172.16.0.8')).toEqual({ code: 'InvalidIpAddress.OutOfRange', facts: '172.16.0.8 is not in subnet-s\'s block 172.16.0.0/29' })
  })

  it('C5: the reserved address and its block', () => {
    expect(create({}, 'subnet-a', '192.168.0.1')).toEqual({ code: 'InvalidIpAddress.NotAvailable', facts: '192.168.0.1 is reserved in subnet-a\'s block 192.168.0.0/24' })
  })

  it('C6: the address in use and its subnet', () => {
    expect(create({}, 'subnet-a', '192.168.0.9')).toEqual({ code: 'InvalidIpAddress.InUse', facts: '192.168.0.9 is in use in subnet-a' })
  })

  it('C7: the block with no free address', () => {
    const extra = subnets({ SubnetId: 'subnet-t', VpcId: 'vpc-3', CidrBlock: '10.1.0.0/31' })
    expect(create(extra, 'subnet-t')).toEqual({ code: 'InsufficientIpAddress.Subnet', facts: 'every address of subnet-t\'s block 10.1.0.0/31 is reserved or in use' })
  })

  it('C8: the VPC, its count and the quota', () => {
    expect(create({ Quotas: { HaVipsPerVpc: 4 } }, 'subnet-a')).toEqual({ code: 'QuotaExceeded.HaVipsPerVpc', facts: 'vpc-1 holds 4 HaVips; HaVipsPerVpc is 4' })
  })

  it('C9: the region\'s count and the quota', () => {
    expect(create({ Quotas: { HaVipsPerRegion: 5 } }, 'subnet-s')).toEqual({ code: 'QuotaExceeded.HaVipsPerRegion', facts: 'the region holds 5 HaVips; HaVipsPerRegion is 5' })
  })
})

describe('CreateHaVip addresses', () => {
  it('an address asked for leaves the lower free ones to the next HaVip that lets the subnet choose', () => {
    const asked = right(createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a', ipAddress: '192.168.0.20' }))
    expect(asked.result.IpAddress).toBe('192.168.0.20')
    expect(haVipOf(asked.snapshot, asked.result.HaVipId)?.IpAddress).toBe('192.168.0.20')
    const chosen = right(createHaVip(asked.snapshot, { action: 'CreateHaVip', subnetId: 'subnet-a' }))
    expect(chosen.result.IpAddress).toBe('192.168.0.5')
    const next = right(createHaVip(chosen.snapshot, { action: 'CreateHaVip', subnetId: 'subnet-a', ipAddress: '192.168.0.7' }))
    expect(right(createHaVip(next.snapshot, { action: 'CreateHaVip', subnetId: 'subnet-a' })).result.IpAddress).toBe('192.168.0.6')
  })

  it('a full subnet refuses only a request that lets it choose (C7); one that names an address meets C4-C6 alone', () => {
    const full = lifecycle({
      ...subnets({ SubnetId: 'subnet-t', VpcId: 'vpc-3', CidrBlock: '10.1.0.0/30' }),
      HaVips: [...(lifecycleJson().HaVips as ReadonlyArray<unknown>), { HaVipId: 'havip-t', SubnetId: 'subnet-t', IpAddress: '10.1.0.2', Status: 'Available' }],
    })
    const reasons = (r: Readonly<Record<string, string>>) => explain(full, { action: 'CreateHaVip', subnetId: 'subnet-t', ...r }).map((e) => e.facts)
    expect(reasons({})).toEqual(['every address of subnet-t\'s block 10.1.0.0/30 is reserved or in use'])
    expect(reasons({ ipAddress: '10.1.0.2' })).toEqual(['10.1.0.2 is in use in subnet-t'])
    expect(reasons({ ipAddress: '10.1.0.3' })).toEqual(['10.1.0.3 is reserved in subnet-t\'s block 10.1.0.0/30'])
    expect(explain(full, { action: 'CreateHaVip', subnetId: 'subnet-x' }).map((e) => e.code)).toEqual(['InvalidSubnet.NotFound'])
    expect(explain(full, { action: 'CreateHaVip', subnetId: 'subnet-x', ipAddress: '10.1.0.2' }).map((e) => e.code)).toEqual(['InvalidSubnet.NotFound'])
  })
})

describe('DeleteHaVip refusals state their facts', () => {
  const del = (extra: Readonly<Record<string, unknown>>, haVipId: string) => refusal(deleteHaVip(lifecycle(extra), { action: 'DeleteHaVip', haVipId }))

  it('X2: a HaVip not Available, with its status', () => {
    expect(del({}, 'havip-c')).toEqual({ code: 'InvalidHaVip.InvalidStatus', facts: 'HaVip havip-c is Creating; it must be Available' })
  })

  it('X2: an Available HaVip that still lists targets is refused, with how many', () => {
    const haVips = [...(lifecycleJson().HaVips as ReadonlyArray<unknown>), {
      HaVipId: 'havip-odd', SubnetId: 'subnet-a', IpAddress: '192.168.0.13', Status: 'Available', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'],
    }]
    expect(del({ HaVips: haVips }, 'havip-odd')).toEqual({ code: 'InvalidHaVip.InvalidStatus', facts: 'HaVip havip-odd is bound to 1 targets; disassociate them first' })
  })

  it('X3: the EIP bound to it', () => {
    expect(del({}, 'havip-eip')).toEqual({ code: 'InvalidHaVip.InUse', facts: 'EIP eip-1 is bound to HaVip havip-eip' })
  })

  it('X4: the route entry that points at it', () => {
    expect(del({}, 'havip-rt')).toEqual({ code: 'InvalidHaVip.InUse', facts: 'route entry rte-1 has HaVip havip-rt as its next hop' })
  })
})

describe('the host\'s time and RequestId', () => {
  const request = { action: 'CreateHaVip', subnetId: 'subnet-a' } as const

  it('a HaVip created without a time has no CreatedAt or UpdatedAt at all', () => {
    const created = right(createHaVip(lifecycle(), request))
    const h = haVipOf(created.snapshot, created.result.HaVipId)
    expect(h).toBeDefined()
    expect(Object.keys(h ?? {})).not.toContain('CreatedAt')
    expect(Object.keys(h ?? {})).not.toContain('UpdatedAt')
  })

  it('an empty or non-text time and RequestId count as not given', () => {
    const contexts: ReadonlyArray<unknown> = [{ now: '', requestId: '' }, { now: 42, requestId: 7 }, { now: null, requestId: {} }, null, 'now', 0]
    for (const ctx of contexts) {
      const created = right(createHaVip(lifecycle(), request, ctx as never))
      const h = haVipOf(created.snapshot, created.result.HaVipId) ?? {}
      expect(Object.keys(h), JSON.stringify(ctx)).not.toContain('CreatedAt')
      expect(snapshotToJson(created.snapshot).AsyncTasks?.at(-1), JSON.stringify(ctx)).not.toHaveProperty('RequestId')
    }
    const given = right(createHaVip(lifecycle(), request, { now: '2026-12-06T00:00:00Z', requestId: 'req-1' }))
    expect(haVipOf(given.snapshot, given.result.HaVipId)).toMatchObject({ CreatedAt: '2026-12-06T00:00:00Z', UpdatedAt: '2026-12-06T00:00:00Z' })
    expect(snapshotToJson(given.snapshot).AsyncTasks?.at(-1)).toHaveProperty('RequestId', 'req-1')
  })

  it('handle answers a write whose context is null, an empty time stamping nothing', () => {
    const created = handle(lifecycle(), q('CreateHaVip', { SubnetId: 'subnet-a' }), null as unknown as HandleContext)
    expect(created.status).toBe(200)
    const stamped = handle(lifecycle(), q('ModifyHaVipAttributes', { HaVipId: 'havip-1', HaVipName: 'web' }), { requestId: 'r', now: '' })
    expect(stamped.status).toBe(200)
    expect(haVipOf(stamped.snapshot, 'havip-1')).not.toHaveProperty('UpdatedAt')
  })
})

describe('ModifyHaVipAttributes', () => {
  const dated = () => lifecycleJson({
    HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', VpcId: 'vpc-1', IpAddress: '192.168.0.9', Status: 'Available', HaVipName: 'old', Description: 'was', UpdatedAt: '2026-01-01T00:00:00Z' }],
  })

  it('keeps the description and UpdatedAt a request and its host do not give', () => {
    const renamed = right(modifyHaVipAttributes(load(dated()), { action: 'ModifyHaVipAttributes', haVipId: 'havip-1', haVipName: 'new' }))
    expect(haVipOf(renamed.snapshot, 'havip-1')).toStrictEqual({
      HaVipId: 'havip-1', SubnetId: 'subnet-a', VpcId: 'vpc-1', IpAddress: '192.168.0.9', Status: 'Available', HaVipName: 'new', Description: 'was', UpdatedAt: '2026-01-01T00:00:00Z',
    })
    const described = right(modifyHaVipAttributes(load(dated()), { action: 'ModifyHaVipAttributes', haVipId: 'havip-1', description: 'now' }, { now: '2026-12-06T00:00:00Z' }))
    expect(haVipOf(described.snapshot, 'havip-1')).toMatchObject({ HaVipName: 'old', Description: 'now', UpdatedAt: '2026-12-06T00:00:00Z' })
  })

  it('adds no UpdatedAt to a HaVip that had none when the host gives no time', () => {
    const renamed = right(modifyHaVipAttributes(lifecycle(), { action: 'ModifyHaVipAttributes', haVipId: 'havip-1', haVipName: 'new' }))
    expect(Object.keys(haVipOf(renamed.snapshot, 'havip-1') ?? {})).toEqual(['HaVipId', 'SubnetId', 'VpcId', 'IpAddress', 'Status', 'AssociatedInstanceType', 'AssociatedInstanceIds', 'HaVipName'])
  })
})

describe('writes freeze nothing: what they give back and the caller\'s JSON stay the caller\'s to change', () => {
  const frozenIn = (values: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
    const found: Array<unknown> = []
    const walk = (v: unknown): void => {
      if (typeof v !== 'object' || v === null) return
      if (Object.isFrozen(v)) found.push(v)
      Object.values(v).forEach(walk)
    }
    values.forEach(walk)
    return found
  }
  const tagged = () => lifecycleJson({
    AsyncSteps: 2,
    HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', VpcId: 'vpc-1', IpAddress: '192.168.0.9', Status: 'Available', AssociatedInstanceIds: [], Tags: [{ Key: 'k', Value: 'v' }] }],
  })

  it('a HaVip being deleted', () => {
    const json = tagged()
    const deleted = right(deleteHaVip(load(json), { action: 'DeleteHaVip', haVipId: 'havip-1' }))
    const h = haVipOf(deleted.snapshot, 'havip-1')
    expect(h?.Status).toBe('Deleting')
    expect(frozenIn([json, h])).toEqual([])
  })

  it('a HaVip renamed', () => {
    const json = tagged()
    const renamed = right(modifyHaVipAttributes(load(json), { action: 'ModifyHaVipAttributes', haVipId: 'havip-1', haVipName: 'new' }))
    const h = haVipOf(renamed.snapshot, 'havip-1')
    expect(h?.HaVipName).toBe('new')
    expect(frozenIn([json, h])).toEqual([])
  })
})
