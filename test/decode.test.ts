import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { associateHaVip, decodeRequest } from 'havip-rules'
import { baseJson, load } from './support/snapshots.js'

/**
 * decodeRequest on its own: what it reads from each form of input, and the facts of each refusal
 * (the specification compares codes and messages; the facts are this project's own).
 */

const decoded = (input: unknown) => {
  const r = decodeRequest(input)
  return E.isLeft(r) ? `${r.left.id}: ${r.left.facts}` : r.right
}

const associate = { Action: 'AssociateHaVip', Version: '2020-04-01', HaVipId: 'havip-1', InstanceId: 'i-1' }
const describeHaVips = 'Action=DescribeHaVips&Version=2020-04-01'

describe('decodeRequest', () => {
  it('states the facts of each refusal of the gateway and of the parameters', () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ ...associate, Action: '' }, 'MissingParameter: the request has no Action'],
      [{ ...associate, Version: undefined }, 'MissingParameter: the request has no Version'],
      [{ ...associate, HaVipId: '' }, 'MissingParameter: the request has no HaVipId'],
      [{ ...associate, InstanceId: '' }, 'MissingParameter: the request has no InstanceId'],
      [{ ...associate, Action: 'CreateHaVips' }, 'InvalidActionOrVersion: this project serves AssociateHaVip, DisassociateHaVip, CreateHaVip, DeleteHaVip, ModifyHaVipAttributes, GetAsyncTaskStatus, DescribeHaVips, DescribeNetworkInterfaces, DescribeInstances at version 2020-04-01'],
      [{ ...associate, InstanceType: 'Ecs' }, 'InvalidInstanceType.Malformed: InstanceType "Ecs" is neither EcsInstance nor NetworkInterface'],
      [{ ...associate, ClientToken: 'x'.repeat(65) }, 'InvalidParameter.ClientTokenMalformed: ClientToken has 65 characters; at most 64 ASCII characters are allowed'],
      [{ ...associate, ClientToken: 'jeton-é' }, 'InvalidParameter.ClientTokenMalformed: ClientToken has 7 characters and non-ASCII ones; at most 64 ASCII characters are allowed'],
      [`${describeHaVips}&PageSize=0`, 'InvalidParameter: PageSize "0" is not a whole number from 1 to 100'],
      [`${describeHaVips}&PageNumber=1e3`, `InvalidParameter: PageNumber "1e3" is not a whole number from 1 to ${String(Number.MAX_SAFE_INTEGER)}`],
      [`${describeHaVips}&MaxResults=101`, 'InvalidParameter: MaxResults "101" is not a whole number from 1 to 100'],
      [`${describeHaVips}&HaVipIds.0=h`, 'InvalidParameter: HaVipIds.0: N runs from 1 to 100, written without leading zeros'],
      [`${describeHaVips}&TagFilters.1.Value=v`, 'InvalidParameter: TagFilters.1.Value: is not TagFilters.N.Key or TagFilters.N.Values.M (N and M from 1 to 10, without leading zeros)'],
      [`${describeHaVips}&TagFilters.2.Values.1=v`, 'InvalidParameter: TagFilters.2.Key: is missing; the filter has values but no key'],
    ]
    for (const [input, facts] of cases) expect(decoded(input), JSON.stringify(input)).toBe(facts)
  })

  it('reads numbers and booleans of an object as their text, and other values as absent', () => {
    expect(decoded(`${describeHaVips}&PageSize=5`)).toMatchObject({ page: { kind: 'number', number: 1, size: 5 } })
    expect(decoded({ Action: 'DescribeHaVips', Version: '2020-04-01', PageSize: 5, PageNumber: 2 })).toMatchObject({ page: { kind: 'number', number: 2, size: 5 } })
    expect(decoded({ ...associate, ClientToken: true })).toMatchObject({ clientToken: 'true' })
    for (const absent of [NaN, Infinity, null, ['t'], { t: 1 }]) {
      expect(decoded({ ...associate, ClientToken: absent }), JSON.stringify(absent)).not.toHaveProperty('clientToken')
    }
  })

  it('reads a Map of parameters as an object, and nothing from what is neither text nor an object', () => {
    expect(decoded(new Map(Object.entries(associate)))).toMatchObject({ action: 'AssociateHaVip', haVipId: 'havip-1' })
    expect(decoded(new Map<unknown, string>([...Object.entries(associate), [1, 'x']]))).toMatchObject({ instanceId: 'i-1' })
    expect(decoded(new Map<unknown, string>([['Action', 'DescribeHaVips'], ['Version', '2020-04-01'], [1, 'x'], [Symbol('HaVipIds.1'), 'h']]))).toMatchObject({ ids: new Set() })
    for (const nothing of [undefined, null, 42, [['Action', 'AssociateHaVip']]]) {
      expect(decoded(nothing), String(nothing)).toBe('MissingParameter: the request has no Action')
    }
  })

  it('reads a whole URL, with any scheme in any case, and a query with ? or /? before it', () => {
    const q = new URLSearchParams(associate).toString()
    for (const input of [`https://open.volcengineapi.com/?${q}`, `HTTP://localhost:8080/path?${q}`, `?${q}`, `/?${q}`, q]) {
      expect(decoded(input), input).toMatchObject({ action: 'AssociateHaVip', instanceId: 'i-1' })
    }
    // Not a URL after all: read as a query string, whose first name is then "http://[::1/?Version".
    expect(decoded(`http://[::1/?Version=2020-04-01&${new URLSearchParams({ ...associate, Version: '' }).toString()}`)).toBe('MissingParameter: the request has no Version')
  })

  it('keeps the first value of a repeated name, and reads every id of a list once', () => {
    expect(decoded(`${new URLSearchParams(associate).toString()}&InstanceId=i-2`)).toMatchObject({ instanceId: 'i-1' })
    const ids = decoded(`${describeHaVips}&HaVipIds.2=b&HaVipIds.1=a&HaVipIds.3=a&HaVipIds.4=`)
    expect(typeof ids === 'object' && 'ids' in ids ? [...ids.ids] : ids).toEqual(['b', 'a'])
  })

  it('reads indexed names only as written: N as a plain number in range, nothing after the name', () => {
    for (const name of ['HaVipIds.1.5', 'HaVipIds.+1', 'HaVipIds.1e1', 'HaVipIds. 1', 'HaVipIds.101', 'TagFilters.1.Key.x', 'TagFilters.11.Key', 'TagFilters.1.Values.11', 'TagFilters.x.TagFilters.1.Key']) {
      expect(decoded(`${describeHaVips}&${name}=v`), name).toMatch(/^InvalidParameter: /)
    }
    expect(decoded(`${describeHaVips}&HaVipIds.100=v&TagFilters.10.Key=k&TagFilters.10.Values.10=a`)).toMatchObject({ ids: new Set(['v']), tags: [{ key: 'k', values: ['a'] }] })
  })

  it('gives the tag filters in the order of N, each key with its values in order, and the page asked for', () => {
    const r = decoded(`${describeHaVips}&TagFilters.2.Key=team&TagFilters.1.Values.2=b&TagFilters.1.Key=env&TagFilters.1.Values.1=a&TagFilters.3.Key=x&TagFilters.3.Values.1=`)
    expect(typeof r === 'object' && 'tags' in r && r.tags).toEqual([{ key: 'env', values: ['b', 'a'] }, { key: 'team', values: [] }, { key: 'x', values: [] }])
    expect(decoded(`${describeHaVips}&NextToken=havip-3&MaxResults=5`)).toMatchObject({ page: { kind: 'token', token: 'havip-3', size: 5 } })
    expect(decoded('Action=DescribeInstances&Version=2020-04-01')).toMatchObject({ tags: [], filters: [], page: { kind: 'token', size: 10 } })
  })

  it('strips only a leading ? or /? from a query, and reads a URL whose scheme has digits', () => {
    expect(decoded(`${new URLSearchParams(associate).toString()}&ClientToken=a?b`)).toMatchObject({ clientToken: 'a?b' })
    expect(decoded(`${new URLSearchParams(associate).toString()}&ClientToken=a/?b`)).toMatchObject({ clientToken: 'a/?b' })
    expect(decoded(`svc2://host/?${new URLSearchParams(associate).toString()}`)).toMatchObject({ instanceId: 'i-1' })
  })
})

describe('the typed API checks what it is given as the wire would', () => {
  it('answers MissingParameter for a request that is not an object, or whose ids are not text', () => {
    const s = load(baseJson())
    const refusal = (request: unknown) => {
      const r = associateHaVip(s, request as never)
      return E.isLeft(r) ? `${r.left.id}: ${r.left.facts}` : 'accepted'
    }
    expect(refusal(undefined)).toBe('MissingParameter: the request has no HaVipId')
    expect(refusal('havip-1')).toBe('MissingParameter: the request has no HaVipId')
    expect(refusal({ haVipId: 7, instanceId: 'i-1' })).toBe('MissingParameter: the request has no HaVipId')
    expect(refusal({ haVipId: 'havip-1', instanceId: ['i-1'] })).toBe('MissingParameter: the request has no InstanceId')
    expect(refusal({ haVipId: 'havip-1', instanceId: 'i-1', instanceType: 1 })).toBe('accepted')
  })
})
