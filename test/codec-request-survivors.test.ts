import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createHaVip, decodeRequest, deleteHaVip, getAsyncTaskStatus, modifyHaVipAttributes, snapshotToJson } from 'havip-rules'
import { lifecycle } from './support/lifecycle-account.js'

/**
 * What a client sees of the request checks the codec's mutation run left untested: the facts of each
 * refusal of CreateHaVip's checks 2–5 (shown by `explain`, the reports and the server's log), the tag
 * names and counts at the edge, the keys of a decoded request, and requests built in code that are
 * not objects at all.
 */

const version = { Version: '2020-04-01' }
const create = { Action: 'CreateHaVip', ...version, SubnetId: 'subnet-a' }

/** `id: facts` of a refusal, else the decoded request. */
const decoded = (input: unknown) => {
  const r = decodeRequest(input)
  return E.isLeft(r) ? `${r.left.id}: ${r.left.facts}` : r.right
}

/** The tags of the HaVip a CreateHaVip made, as the snapshot written back holds them. */
const newTags = (w: { readonly snapshot: Parameters<typeof snapshotToJson>[0]; readonly result: { readonly HaVipId: string } }) =>
  snapshotToJson(w.snapshot).HaVips?.find((h) => h.HaVipId === w.result.HaVipId)?.Tags

const tags = (n: number): Readonly<Record<string, string>> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`Tags.${String(i + 1)}.Key`, `k${String(i + 1)}`]))

describe('CreateHaVip request checks: the facts of each refusal', () => {
  it('names the length or the text of a bad name and description, the address, each bad tag and the tag count', () => {
    const cases: ReadonlyArray<readonly [Readonly<Record<string, string>>, string]> = [
      [{ HaVipName: 'a'.repeat(129) }, 'InvalidName.Malformed.TooLong: HaVipName has 129 characters; at most 128 are allowed'],
      [{ HaVipName: '-web' }, 'InvalidName.Malformed: HaVipName "-web" must start with a letter or a digit and hold only letters, digits, ".", "_" and "-"'],
      [{ Description: 'd'.repeat(256) }, 'InvalidDescription.Malformed.TooLong: Description has 256 characters; at most 255 are allowed'],
      [{ Description: '-d' }, 'InvalidDescription.Malformed: Description "-d" must start with a letter or a digit and hold only letters, digits, spaces and ",._=-，。"'],
      [{ IpAddress: '10.0.0.01' }, 'InvalidIpAddress.Malformed: IpAddress "10.0.0.01" is not four decimal numbers 0-255 without leading zeros'],
      [{ 'Tags.x.Key': 'k' }, 'InvalidParameter: Tags.x.Key: is not Tags.N.Key or Tags.N.Value (N from 1, written without leading zeros)'],
      [{ 'Tags.1.Value': 'v' }, 'InvalidParameter: Tags.1.Key: is missing; the tag has a value but no key'],
      [{ 'Tags.1.Key': 'k'.repeat(129) }, 'InvalidParameter: Tags.1.Key: has 129 characters; at most 128 are allowed'],
      [{ 'Tags.1.Key': 'volc:team' }, 'InvalidParameter: Tags.1.Key: "volc:team" starts with a prefix the system keeps for itself'],
      [{ 'Tags.1.Key': 'k', 'Tags.2.Key': 'k' }, 'InvalidParameter: Tags.2.Key: repeats the key "k" of an earlier tag'],
      [{ 'Tags.1.Key': 'k', 'Tags.1.Value': 'v'.repeat(257) }, 'InvalidParameter: Tags.1.Value: has 257 characters; at most 256 are allowed'],
      [tags(51), 'InvalidParameter: Tags: 51 tags; at most 50 are allowed'],
    ]
    for (const [params, facts] of cases) expect(decoded({ ...create, ...params }), JSON.stringify(params).slice(0, 80)).toBe(facts)
  })

  it('takes exactly 50 tags', () => {
    const r = decodeRequest({ ...create, ...tags(50) })
    expect(E.isRight(r) && r.right.action === 'CreateHaVip' ? r.right.tags?.length : r).toBe(50)
  })

  it('refuses a tag parameter that only holds Tags.N.Key or Tags.N.Value inside a longer name, or no N at all', () => {
    for (const name of ['Tags.Tags.1.Key', 'Tags.1.KeyX', 'Tags.1.Value.2', 'Tags.1', 'Tags.']) {
      expect(decoded({ ...create, [name]: 'k' }), name).toBe(`InvalidParameter: ${name}: is not Tags.N.Key or Tags.N.Value (N from 1, written without leading zeros)`)
    }
  })

  it('takes a key that holds volc: or sys: after its start', () => {
    const r = decodeRequest({ ...create, 'Tags.1.Key': 'team-volc:a', 'Tags.2.Key': 'x sys:b' })
    expect(E.isRight(r) && r.right.action === 'CreateHaVip' ? r.right.tags : r).toEqual([{ key: 'team-volc:a', value: '' }, { key: 'x sys:b', value: '' }])
  })

  it('counts a tag whose key is empty as absent (its value too), in a query and in a request built in code', () => {
    expect(decoded('Action=CreateHaVip&Version=2020-04-01&SubnetId=subnet-a&Tags.1.Key=&Tags.1.Value=')).toStrictEqual({ action: 'CreateHaVip', subnetId: 'subnet-a' })
    expect(decoded({ ...create, 'Tags.1.Key': '', 'Tags.2.Key': 'k' })).toStrictEqual({ action: 'CreateHaVip', subnetId: 'subnet-a', tags: [{ key: 'k', value: '' }] })
    const made = createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a', tags: [{ key: '', value: '' }] }, { requestId: 'r' })
    expect(E.isRight(made) ? newTags(made.right) : made).toEqual([])
  })
})

describe('a decoded request holds only the parameters given', () => {
  // A caller who spreads it over defaults ({ ...defaults, ...request }) keeps every default the request does not set.
  it('CreateHaVip and ModifyHaVipAttributes with no optional parameter have no key for them', () => {
    const defaults = { haVipName: 'n', description: 'd', ipAddress: '10.0.0.9', tags: [], clientToken: 't' }
    const r = decodeRequest(create)
    expect(E.isRight(r) ? Object.keys(r.right) : r).toEqual(['action', 'subnetId'])
    expect(E.isRight(r) ? { ...defaults, ...r.right } : r).toEqual({ ...defaults, action: 'CreateHaVip', subnetId: 'subnet-a' })
    const m = decodeRequest({ Action: 'ModifyHaVipAttributes', ...version, HaVipId: 'havip-1' })
    expect(E.isRight(m) ? Object.keys(m.right) : m).toEqual(['action', 'haVipId'])
  })

  it('each optional parameter given is a key of its own', () => {
    expect(Object.keys(E.getOrElseW(() => ({}))(decodeRequest({ ...create, HaVipName: 'n' })))).toEqual(['action', 'subnetId', 'haVipName'])
    expect(Object.keys(E.getOrElseW(() => ({}))(decodeRequest({ ...create, Description: 'd' })))).toEqual(['action', 'subnetId', 'description'])
    expect(Object.keys(E.getOrElseW(() => ({}))(decodeRequest({ ...create, ClientToken: 't' })))).toEqual(['action', 'subnetId', 'clientToken'])
  })
})

describe('Describe calls without an id list', () => {
  it('ignore parameters that only look like an id list (DescribeRouteTableList, DescribeRouteEntryList)', () => {
    for (const Action of ['DescribeRouteTableList', 'DescribeRouteEntryList']) {
      const r = decodeRequest({ Action, ...version, 'undefined.x': 'rtb-1', 'undefined.1': 'rtb-1' })
      expect(E.isRight(r) ? r.right.action : r.left.facts, Action).toBe(Action)
    }
  })
})

describe('requests built in code that are not objects', () => {
  it('are answered MissingParameter, never a thrown TypeError', () => {
    const s = lifecycle()
    for (const r of [null, undefined] as ReadonlyArray<unknown> as ReadonlyArray<never>) {
      const answers = [createHaVip(s, r), deleteHaVip(s, r), modifyHaVipAttributes(s, r), getAsyncTaskStatus(s, r)]
      expect(answers.map((a) => (E.isLeft(a) ? `${a.left.id}: ${a.left.facts}` : 'accepted')), String(r)).toEqual([
        'MissingParameter: the request has no SubnetId',
        'MissingParameter: the request has no HaVipId',
        'MissingParameter: the request has no HaVipId',
        'MissingParameter: the request has no AsyncTaskId',
      ])
    }
  })

  it('a tag that is null or undefined counts as an empty one', () => {
    const made = createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a', tags: [null, undefined, { key: 'k', value: 'v' }] } as never, { requestId: 'r' })
    expect(E.isRight(made) ? newTags(made.right) : made).toEqual([{ Key: 'k', Value: 'v' }])
  })
})
