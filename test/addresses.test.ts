import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { createHaVip, handle, loadSnapshot } from 'havip-rules'
import { formatAddress, parseAddress, parseCidr } from '../src/model/address.js'
import { lifecycle, lifecycleJson, q } from './support/lifecycle-account.js'
import { load } from './support/snapshots.js'

/** Runs one request; the new snapshot, the status and the Result's IpAddress or the error's code. */
const send = (s: Snapshot, action: string, params: Readonly<Record<string, string>>) => {
  const h = handle(s, q(action, params), { requestId: 'r' })
  const body = h.body as { readonly Result?: Readonly<Record<string, string>>; readonly ResponseMetadata: { readonly Error?: { readonly Code: string } } }
  return { snapshot: h.snapshot, status: h.status, ip: body.Result?.IpAddress, id: body.Result?.HaVipId, code: body.ResponseMetadata.Error?.Code }
}

/** The addresses a run of address-less CreateHaVip requests in the subnet gets. */
const creates = (s: Snapshot, subnetId: string, n: number) => {
  const ips: Array<string | undefined> = []
  const ids: Array<string> = []
  let now = s
  for (let i = 0; i < n; i++) {
    const r = send(now, 'CreateHaVip', { SubnetId: subnetId })
    ips.push(r.ip)
    ids.push(r.id ?? '')
    now = r.snapshot
  }
  return { snapshot: now, ips, ids }
}

const deleted = (s: Snapshot, id: string): Snapshot => {
  const r = send(s, 'DeleteHaVip', { HaVipId: id })
  expect(r.status).toBe(200)
  return r.snapshot
}

/** One subnet, 10.1.2.0/24 (a third octet that is not 0), holding the given HaVips' addresses. */
const block = (addresses: ReadonlyArray<string>, cidr = '10.1.2.0/24'): Snapshot =>
  load({
    Region: 'cn-beijing',
    HaVips: addresses.map((a, i) => ({ HaVipId: `havip-${String(i)}`, SubnetId: 'subnet-b', IpAddress: a, Status: 'Available' })),
    Subnets: [{ SubnetId: 'subnet-b', VpcId: 'vpc-b', CidrBlock: cidr }],
    Quotas: { HaVipsPerVpc: 100 },
  })

const problems = (json: unknown) => {
  const loaded = loadSnapshot(json)
  return E.isLeft(loaded) ? loaded.left.problems.map((p) => p.path) : []
}

const withBlock = (cidr: string) => lifecycleJson({ Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24' }, { SubnetId: 'subnet-x', VpcId: 'vpc-1', CidrBlock: cidr }] })

describe('IPv4 addresses', () => {
  it('parseAddress reads all four octets, and answers undefined for a non-address instead of throwing', () => {
    expect(parseAddress('1.2.3.4')).toBe(0x01020304)
    expect(parseAddress('255.255.255.255')).toBe(2 ** 32 - 1)
    expect(parseAddress('x')).toBeUndefined()
    expect(parseAddress('1.2.3')).toBeUndefined()
  })

  it('formatAddress writes all four octets', () => {
    expect(formatAddress(0x01020304)).toBe('1.2.3.4')
    expect(formatAddress(0x0a01fe07)).toBe('10.1.254.7')
  })

  it('CreateHaVip answers the address asked for in a block whose third octet is not 0, and the lowest free one when none is asked', () => {
    expect(send(block([]), 'CreateHaVip', { SubnetId: 'subnet-b', IpAddress: '10.1.2.7' })).toMatchObject({ status: 200, ip: '10.1.2.7' })
    expect(creates(block(['10.1.2.2']), 'subnet-b', 2).ips).toEqual(['10.1.2.3', '10.1.2.4'])
  })

  it('an address outside the block is InvalidIpAddress.OutOfRange, named as asked in its facts', () => {
    const r = createHaVip(block([]), { action: 'CreateHaVip', subnetId: 'subnet-b', ipAddress: '10.1.3.7' })
    expect(E.isLeft(r) && r.left.code).toBe('InvalidIpAddress.OutOfRange')
    expect(E.isLeft(r) && r.left.facts).toBe("10.1.3.7 is not in subnet-b's block 10.1.2.0/24")
  })
})

describe('CIDR blocks', () => {
  it('parseCidr: a block with any prefix length 0-32; its first and last address', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ first: 0x0a000000, last: 0x0affffff })
    expect(parseCidr('10.1.2.0/24')).toEqual({ first: 0x0a010200, last: 0x0a0102ff })
    expect(parseCidr('0.0.0.0/0')).toEqual({ first: 0, last: 2 ** 32 - 1 })
    expect(parseCidr('10.1.2.3/32')).toEqual({ first: 0x0a010203, last: 0x0a010203 })
  })

  it('parseCidr: anything before or after the block, a bad address or host bits set is undefined', () => {
    for (const text of ['x/10.0.0.0/24', '10.0.0.0/24x', '10.0.0.0/240', 'foo/24', '10.0.0.1/24', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0']) {
      expect(parseCidr(text), text).toBeUndefined()
    }
  })

  it('a snapshot subnet with text around its block, or a block that is not an address, is a problem at its CidrBlock', () => {
    for (const cidr of ['x/10.0.0.0/24', '10.0.0.0/24x', 'foo/24']) {
      expect(problems(withBlock(cidr)), cidr).toEqual(['Subnets[1].CidrBlock'])
    }
  })

  it('a one-digit prefix length loads, and CreateHaVip picks from the whole /8', () => {
    expect(problems(withBlock('10.0.0.0/8'))).toEqual([])
    expect(send(load(withBlock('10.0.0.0/8')), 'CreateHaVip', { SubnetId: 'subnet-x' })).toMatchObject({ status: 200, ip: '10.0.0.2' })
  })
})

describe('the lowest free address', () => {
  it('a HaVip deleted before anything else was created: the search still starts at the block, not at 0.0.0.0', () => {
    const s = deleted(lifecycle(), 'havip-1')
    expect(creates(s, 'subnet-a', 1).ips).toEqual(['192.168.0.5'])
  })

  it('an address freed above the lowest free one does not jump the queue; once taken again it is not handed out twice', () => {
    const s = deleted(lifecycle(), 'havip-1')
    // .9 was freed; .5-.8 come first, then .9, then past the HaVips of .10-.12.
    expect(creates(s, 'subnet-a', 6).ips).toEqual(['192.168.0.5', '192.168.0.6', '192.168.0.7', '192.168.0.8', '192.168.0.9', '192.168.0.13'])
  })

  it('an address asked for by an earlier CreateHaVip is skipped by the next one', () => {
    const first = send(lifecycle(), 'CreateHaVip', { SubnetId: 'subnet-a', IpAddress: '192.168.0.5' })
    expect(first.status).toBe(200)
    expect(creates(first.snapshot, 'subnet-a', 2).ips).toEqual(['192.168.0.6', '192.168.0.7'])
  })

  it('an address created and deleted since load is handed out again before higher ones', () => {
    const made = creates(lifecycle(), 'subnet-a', 2)
    expect(made.ips).toEqual(['192.168.0.5', '192.168.0.6'])
    expect(creates(deleted(made.snapshot, made.ids[0] ?? ''), 'subnet-a', 2).ips).toEqual(['192.168.0.5', '192.168.0.7'])
  })

  it('a shared address stays in use until its last user goes', () => {
    const s = block(['10.1.2.2', '10.1.2.2', '10.1.2.3'])
    expect(send(s, 'CreateHaVip', { SubnetId: 'subnet-b', IpAddress: '10.1.2.2' }).code).toBe('InvalidIpAddress.InUse')
    const one = deleted(s, 'havip-0')
    expect(send(one, 'CreateHaVip', { SubnetId: 'subnet-b', IpAddress: '10.1.2.2' }).code).toBe('InvalidIpAddress.InUse')
    expect(creates(one, 'subnet-b', 1).ips).toEqual(['10.1.2.4'])
    expect(creates(deleted(one, 'havip-1'), 'subnet-b', 2).ips).toEqual(['10.1.2.2', '10.1.2.4'])
  })

  it('the first free address of the block, given back, is handed out first', () => {
    const s = deleted(block(['10.1.2.2', '10.1.2.3']), 'havip-0')
    expect(creates(s, 'subnet-b', 2).ips).toEqual(['10.1.2.2', '10.1.2.4'])
  })

  it('a HaVip at a reserved address, deleted, does not make that address free', () => {
    const s = deleted(block(['10.1.2.0', '10.1.2.1']), 'havip-1')
    expect(creates(deleted(s, 'havip-0'), 'subnet-b', 1).ips).toEqual(['10.1.2.2'])
  })

  it('an address used several times at load is counted once in the gap search', () => {
    // In use: .2 once, .4 by three HaVips; the first gap is .3.
    const s = block(['10.1.2.4', '10.1.2.2', '10.1.2.4', '10.1.2.4'])
    expect(creates(s, 'subnet-b', 2).ips).toEqual(['10.1.2.3', '10.1.2.5'])
  })
})
