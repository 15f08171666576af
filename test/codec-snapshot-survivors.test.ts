import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createHaVip, loadSnapshot, snapshotToJson } from 'havip-rules'
import type { Snapshot } from 'havip-rules'
import type { SnapshotState } from '../src/model/snapshot.js'
import { isSnapshot, withChanges } from '../src/model/snapshot.js'
import { snapshotText } from '../src/io/snapshot-text.js'
import { load } from './support/snapshots.js'

const problemsOf = (json: unknown): ReadonlyArray<string> => {
  const loaded = loadSnapshot(json)
  return E.isLeft(loaded) ? loaded.left.message.split('\n') : []
}

const subnet = { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '192.168.0.0/24', Status: 'Available' }

const stateOf = (s: Snapshot): SnapshotState => {
  if (!isSnapshot(s)) throw new Error('not a loaded snapshot')
  return s
}

/** The snapshot a CreateHaVip in subnet-a leaves, written back as JSON. */
const afterCreate = (json: Record<string, unknown>): Record<string, unknown> => {
  const created = createHaVip(load(json), { action: 'CreateHaVip', subnetId: 'subnet-a' })
  if (E.isLeft(created)) throw new Error(created.left.message)
  return snapshotToJson(created.right.snapshot) as unknown as Record<string, unknown>
}

describe('a snapshot text field given as an array of one text', () => {
  // A regular expression reads ["1.2.3.4"] as the text "1.2.3.4": the type test must come first.
  it('refuses an address that is an array, at its path', () => {
    expect(problemsOf({ HaVips: [{ HaVipId: 'h', SubnetId: 's', Status: 'Available', IpAddress: ['192.168.0.9'] }] })).toEqual([
      'HaVips[0].IpAddress: expected a dotted quad (a.b.c.d, each 0-255, no leading zeros) or "", got an array',
    ])
  })

  it('refuses a CIDR block that is an array, at its path', () => {
    expect(problemsOf({ Subnets: [{ ...subnet, CidrBlock: ['192.168.0.0/24'] }] })).toEqual([
      'Subnets[0].CidrBlock: expected an IPv4 CIDR block (a.b.c.d/n, n 0-32) with its host bits zero, got an array',
    ])
  })
})

describe('a ClientTokens entry that is not an object', () => {
  it('refuses null at its path, without throwing', () => {
    expect(problemsOf({ ClientTokens: [null] })).toEqual(['ClientTokens[0]: expected a ClientTokens entry, got null'])
  })

  it('refuses undefined (a snapshot built in code) at its path, without throwing', () => {
    expect(problemsOf({ ClientTokens: [undefined] })).toEqual(['ClientTokens[0]: required a ClientTokens entry is missing'])
  })
})

describe('the addresses in use at load', () => {
  const inSubnetA = { Subnets: [subnet], Instances: [{ InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ SubnetId: 'subnet-a', Type: 'primary', PrimaryIpAddress: '192.168.0.2' }] }] }

  it('counts only those of a listed subnet: a HaVip of another keeps its address to itself', () => {
    const s = load({ ...inSubnetA, HaVips: [{ HaVipId: 'h', SubnetId: 'subnet-x', Status: 'Available', IpAddress: '192.168.0.3' }] })
    const created = createHaVip(s, { action: 'CreateHaVip', subnetId: 'subnet-a' })
    expect(E.isRight(created) && created.right.result.IpAddress).toBe('192.168.0.3')
  })

  it('takes an address given as "" as none', () => {
    const s = load({ ...inSubnetA, HaVips: [{ HaVipId: 'h', SubnetId: 'subnet-a', Status: 'Available', IpAddress: '' }] })
    const created = createHaVip(s, { action: 'CreateHaVip', subnetId: 'subnet-a' })
    expect(E.isRight(created) && created.right.result.IpAddress).toBe('192.168.0.3')
  })
})

describe('a subnet whose Status is ""', () => {
  it('is Available: CreateHaVip takes an address in it', () => {
    const json = afterCreate({ Subnets: [{ ...subnet, Status: '' }] })
    expect(json.HaVips).toEqual([expect.objectContaining({ SubnetId: 'subnet-a', IpAddress: '192.168.0.2' })])
  })
})

describe('the keys a request adds to a snapshot written back', () => {
  it('writes the HaVips a snapshot without the key gained', () => {
    const json = afterCreate({ Subnets: [subnet] })
    expect(json.HaVips).toEqual([expect.objectContaining({ SubnetId: 'subnet-a', VpcId: 'vpc-1' })])
  })

  it('brings AsyncTasks and IdCounter up to date where the snapshot had them', () => {
    const json = afterCreate({ Subnets: [subnet], AsyncTasks: [], IdCounter: 4 })
    expect(Object.keys(json)).toEqual(['Subnets', 'AsyncTasks', 'IdCounter', 'HaVips'])
    expect(json.IdCounter).toBeGreaterThan(4)
    expect(json.AsyncTasks).toEqual([expect.objectContaining({ Action: 'CreateHaVip' })])
  })

  it('saves the text of the same JSON, each key once, when a request changed AsyncTasks and IdCounter', () => {
    const created = createHaVip(load({ Subnets: [subnet], AsyncTasks: [], IdCounter: 4, AsyncSteps: 0 }), { action: 'CreateHaVip', subnetId: 'subnet-a' })
    if (E.isLeft(created)) throw new Error(created.left.message)
    const s = stateOf(created.right.snapshot)
    const text = [...snapshotText(s)].join('')
    expect(text).toBe(`${JSON.stringify(snapshotToJson(s), null, 2)}\n`)
    expect(text.match(/^ {2}"[A-Za-z]+":/gmu)).toEqual(['  "Subnets":', '  "AsyncTasks":', '  "IdCounter":', '  "AsyncSteps":', '  "HaVips":'])
  })

  it('saves the asynchronous mode set after load over the one the snapshot had, each key once', () => {
    const s = withChanges(stateOf(load({ AsyncSteps: 1 })), { asyncSteps: 3 })
    expect([...snapshotText(s)].join('')).toBe('{\n  "AsyncSteps": 3\n}\n')
  })

  it('writes the asynchronous mode set after load, where the snapshot had no AsyncSteps', () => {
    const s = withChanges(stateOf(load({ Subnets: [subnet] })), { asyncSteps: 3 })
    expect(snapshotToJson(s)).toEqual({ Subnets: [subnet], AsyncSteps: 3 })
  })

  it('writes the asynchronous mode set after load over the one the snapshot had', () => {
    const s = withChanges(stateOf(load({ AsyncSteps: 1, Subnets: [subnet] })), { asyncSteps: 3 })
    expect(snapshotToJson(s)).toEqual({ AsyncSteps: 3, Subnets: [subnet] })
    expect(Object.keys(snapshotToJson(s))).toEqual(['AsyncSteps', 'Subnets'])
  })
})
