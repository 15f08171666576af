import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import type { ErrorId, Snapshot } from 'havip-rules'
import { decodeRequest, explain, handle } from 'havip-rules'
import { lifecycleErrorIds } from './support/lifecycle.js'
import { lifecycle, q } from './support/lifecycle-account.js'

const reached = new Set<string>()

/** What the request answers through handle, and every reason explain gives (decoding errors: that one). */
const outcome = (query: string, s: Snapshot = lifecycle()) => {
  const handled = handle(s, query, { requestId: 'r' })
  const decoded = decodeRequest(query)
  const reasons = E.isLeft(decoded) ? [decoded.left] : explain(s, decoded.right)
  return { handled, reasons }
}

/** Asserts the exact wire answer and the catalogue's texts, and that explain's first reason is it. */
const expectError = (query: string, id: ErrorId, status: number, code: string, en: string, zh: string, s?: Snapshot): ReadonlyArray<string> => {
  const { handled, reasons } = outcome(query, s)
  expect(handled.status).toBe(status)
  expect(handled.body.ResponseMetadata).toMatchObject({ Error: { Code: code, Message: en } })
  expect(reasons[0]).toMatchObject({ id, code, status, message: en, messageZh: zh })
  reached.add(id)
  return reasons.map((r) => r.id)
}

const create = (params: Readonly<Record<string, string>>) => q('CreateHaVip', params)

describe('the errors of the HaVip\'s life, each by a named example', () => {
  it('InvalidName.Malformed.TooLong: a name over 128 characters (CJK counted as one each)', () => {
    expectError(create({ SubnetId: 'subnet-a', HaVipName: '名'.repeat(129) }), 'InvalidName.Malformed.TooLong', 400, 'InvalidName.Malformed',
      'The specified name is malformed. Ensure the maximum length of name is 128.', '指定的名称格式不合法。名称长度不能超过128个字符。')
    expect(handle(lifecycle(), create({ SubnetId: 'subnet-a', HaVipName: '名'.repeat(128) })).status).toBe(200)
  })
  it('InvalidName.Malformed: a name starting with "-" or holding a space', () => {
    for (const name of ['-web', 'web vip']) {
      expectError(create({ SubnetId: 'subnet-a', HaVipName: name }), 'InvalidName.Malformed', 400, 'InvalidName.Malformed',
        'The specified name is malformed.', '指定的名称格式不合法。')
    }
    expect(handle(lifecycle(), create({ SubnetId: 'subnet-a', HaVipName: '高可用.vip_1-a' })).status).toBe(200)
  })
  it('InvalidDescription.Malformed.TooLong: a description over 255 characters', () => {
    expectError(q('ModifyHaVipAttributes', { HaVipId: 'havip-1', Description: 'd'.repeat(256) }), 'InvalidDescription.Malformed.TooLong', 400, 'InvalidDescription.Malformed',
      'The specified description is malformed. Ensure the maximum length of description is 255.', '指定的描述格式不合法。描述长度不能超过255个字符。')
  })
  it('InvalidDescription.Malformed: a description starting with a space or holding "!"', () => {
    for (const description of [' web', 'web!']) {
      expectError(create({ SubnetId: 'subnet-a', Description: description }), 'InvalidDescription.Malformed', 400, 'InvalidDescription.Malformed',
        'The specified description is malformed.', '指定的描述格式不合法。')
    }
    expect(handle(lifecycle(), create({ SubnetId: 'subnet-a', Description: '主 VIP, a=b. c_d-e，。' })).status).toBe(200)
  })
  it('InvalidIpAddress.Malformed: an address with a leading zero', () => {
    expectError(create({ SubnetId: 'subnet-a', IpAddress: '192.168.0.05' }), 'InvalidIpAddress.Malformed', 400, 'InvalidIpAddress.Malformed',
      'The specified IP address is malformed.', '指定的IP地址格式不合法。')
  })
  it('InvalidSubnet.NotFound (404): a subnet the snapshot does not list', () => {
    expectError(create({ SubnetId: 'subnet-x' }), 'InvalidSubnet.NotFound', 404, 'InvalidSubnet.NotFound',
      'The specified subnet does not exist.', '指定的子网不存在。')
  })
  it('InvalidSubnet.InvalidStatus: a Pending subnet', () => {
    expectError(create({ SubnetId: 'subnet-p' }), 'InvalidSubnet.InvalidStatus', 400, 'InvalidSubnet.InvalidStatus',
      'The specified subnet is not in the correct status for the request.', '指定的子网所处状态无法响应该请求。')
  })
  it('InvalidIpAddress.OutOfRange: an address outside the block', () => {
    expectError(create({ SubnetId: 'subnet-a', IpAddress: '192.168.1.5' }), 'InvalidIpAddress.OutOfRange', 400, 'InvalidIpAddress.OutOfRange',
      'The specified IP address is not in the CIDR block of the subnet.', '指定的IP地址不在子网的网段内。')
  })
  it('InvalidIpAddress.NotAvailable: the first, second and last address of the block', () => {
    for (const ip of ['192.168.0.0', '192.168.0.1', '192.168.0.255']) {
      expectError(create({ SubnetId: 'subnet-a', IpAddress: ip }), 'InvalidIpAddress.NotAvailable', 400, 'InvalidIpAddress.NotAvailable',
        'The specified IP address is reserved by the system.', '指定的IP地址为系统保留地址。')
    }
  })
  it('InvalidIpAddress.InUse: a HaVip\'s, an instance interface\'s, an ENI\'s primary or private address', () => {
    for (const ip of ['192.168.0.9', '192.168.0.2', '192.168.0.3', '192.168.0.4']) {
      expectError(create({ SubnetId: 'subnet-a', IpAddress: ip }), 'InvalidIpAddress.InUse', 400, 'InvalidIpAddress.InUse',
        'The specified IP address is in use.', '指定的IP地址已被占用。')
    }
  })
  it('InsufficientIpAddress.Subnet: a /29 whose five free addresses are taken', () => {
    let s = lifecycle({ Quotas: { HaVipsPerVpc: 10 } })
    for (let i = 0; i < 5; i++) s = handle(s, create({ SubnetId: 'subnet-s' })).snapshot
    expectError(create({ SubnetId: 'subnet-s' }), 'InsufficientIpAddress.Subnet', 400, 'InsufficientIpAddress.Subnet',
      'The subnet has no free IP address.', '子网没有可用的IP地址。', s)
  })
  it('QuotaExceeded.HaVipsPerVpc: a VPC that holds HaVipsPerVpc HaVips', () => {
    expectError(create({ SubnetId: 'subnet-a' }), 'QuotaExceeded.HaVipsPerVpc', 400, 'QuotaExceeded.HaVipsPerVpc',
      "You've reached the limit on the number of HaVips in a VPC.", '已达到每个私有网络的高可用虚拟IP数量上限。', lifecycle({ Quotas: { HaVipsPerVpc: 4 } }))
  })
  it('QuotaExceeded.HaVipsPerRegion: a region that holds HaVipsPerRegion HaVips', () => {
    expectError(create({ SubnetId: 'subnet-a' }), 'QuotaExceeded.HaVipsPerRegion', 400, 'QuotaExceeded.HaVipsPerRegion',
      "You've reached the limit on the number of HaVips in a region.", '已达到每个地域的高可用虚拟IP数量上限。', lifecycle({ Quotas: { HaVipsPerRegion: 5 } }))
  })
  it('InvalidHaVip.InUse (EIP) and (route entry): what DeleteHaVip refuses', () => {
    expectError(q('DeleteHaVip', { HaVipId: 'havip-eip' }), 'InvalidHaVip.InUse.Eip', 400, 'InvalidHaVip.InUse',
      'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is disassociated with elastic IP.',
      '指定的高可用虚拟IP正在使用中。如需删除该高可用虚拟IP，请先解绑弹性公网IP。')
    expectError(q('DeleteHaVip', { HaVipId: 'havip-rt' }), 'InvalidHaVip.InUse.RouteEntry', 400, 'InvalidHaVip.InUse',
      'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is not referenced by route entry.',
      '指定的高可用虚拟IP正在使用中。如需删除该高可用虚拟IP，请确保没有路由条目引用它。')
  })
  it('InvalidAsyncTask.NotFound (404): a task id the ledger does not hold', () => {
    expectError(q('GetAsyncTaskStatus', { AsyncTaskId: 'at-0' }), 'InvalidAsyncTask.NotFound', 404, 'InvalidAsyncTask.NotFound',
      'The specified async task does not exist.', '指定的异步任务不存在。')
  })
  it('the existing errors the new actions answer', () => {
    expect(outcome(q('DeleteHaVip', { HaVipId: 'havip-x' })).reasons.map((r) => r.id)).toEqual(['InvalidHaVip.NotFound'])
    expect(outcome(q('DeleteHaVip', { HaVipId: 'havip-2' })).reasons.map((r) => r.id)).toEqual(['InvalidHaVip.InvalidStatus'])
    expect(outcome(q('ModifyHaVipAttributes', { HaVipId: 'havip-c', HaVipName: 'n' })).reasons.map((r) => r.id)).toEqual(['InvalidHaVip.InvalidStatus'])
    expect(outcome(q('ModifyHaVipAttributes', { HaVipId: 'havip-x' })).reasons.map((r) => r.id)).toEqual(['InvalidHaVip.NotFound'])
    for (const query of [q('CreateHaVip'), q('DeleteHaVip'), q('ModifyHaVipAttributes'), q('GetAsyncTaskStatus', { AsyncTaskId: '' })]) {
      expect(outcome(query).reasons.map((r) => r.id)).toEqual(['MissingParameter'])
    }
  })
  it('InvalidParameter for each malformed tag, naming it', () => {
    const named = (tags: Readonly<Record<string, string>>) => outcome(create({ SubnetId: 'subnet-a', ...tags })).reasons.map((r) => `${r.id} ${r.message}`)
    const invalid = (name: string) => [`InvalidParameter The specified parameter ${name} is invalid.`]
    expect(named({ 'Tags.01.Key': 'k' })).toEqual(invalid('Tags.01.Key'))
    expect(named({ 'Tags.0.Key': 'k' })).toEqual(invalid('Tags.0.Key'))
    expect(named({ 'Tags.1.Value': 'v' })).toEqual(invalid('Tags.1.Key'))
    expect(named({ 'Tags.1.Key': 'k'.repeat(129) })).toEqual(invalid('Tags.1.Key'))
    expect(named({ 'Tags.1.Key': 'Volc:x' })).toEqual(invalid('Tags.1.Key'))
    expect(named({ 'Tags.1.Key': 'sys:x' })).toEqual(invalid('Tags.1.Key'))
    expect(named({ 'Tags.3.Key': 'k', 'Tags.7.Key': 'k' })).toEqual(invalid('Tags.7.Key'))
    expect(named({ 'Tags.2.Key': 'k', 'Tags.2.Value': 'v'.repeat(257) })).toEqual(invalid('Tags.2.Value'))
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Tags.${String(i + 1)}.Key`, `k${String(i)}`]))
    expect(named(many)).toEqual(invalid('Tags'))
    // Checked tag by tag in ascending N: tag 2's key comes before tag 10's value.
    expect(named({ 'Tags.10.Key': 'a', 'Tags.10.Value': 'v'.repeat(257), 'Tags.2.Key': 'sys:a' })).toEqual(invalid('Tags.2.Key'))
    expect(named({ 'Tags.1.Key': 'K', 'Tags.2.Key': 'k' })).toEqual([])
  })

  afterAll(() => {
    expect([...reached].sort()).toEqual([...lifecycleErrorIds].sort())
  })
})

describe('the order of the checks: a request breaking two adjacent ones gets the first, and explain lists both', () => {
  const ids = (query: string, s?: Snapshot) => {
    const { handled, reasons } = outcome(query, s)
    const code = 'Error' in handled.body.ResponseMetadata ? handled.body.ResponseMetadata.Error.Code : 'OK'
    return { code, reasons: reasons.map((r) => r.id) }
  }
  const token = { Action: 'CreateHaVip', ClientToken: 't', Status: 'Succeeded', Parameters: { SubnetId: 'subnet-a' }, Result: { HaVipId: 'havip-1', IpAddress: '192.168.0.9' } }

  it('request checks 1–6 of CreateHaVip, in order', () => {
    expect(ids(create({ HaVipName: '-' })).code).toBe('MissingParameter')
    expect(ids(create({ SubnetId: 's', HaVipName: '-', Description: '!' })).reasons).toEqual(['InvalidName.Malformed'])
    expect(ids(create({ SubnetId: 's', Description: '!', IpAddress: '1' })).reasons).toEqual(['InvalidDescription.Malformed'])
    expect(ids(create({ SubnetId: 's', IpAddress: '1', 'Tags.0.Key': 'k' })).reasons).toEqual(['InvalidIpAddress.Malformed'])
    expect(ids(create({ SubnetId: 's', 'Tags.0.Key': 'k', ClientToken: 'x'.repeat(65) })).reasons).toEqual(['InvalidParameter'])
  })
  it('C1 then C2, C2 then C9', () => {
    expect(ids(create({ SubnetId: 'subnet-x', ClientToken: 't' }), lifecycle({ ClientTokens: [token] })).reasons).toEqual(['IdempotentParameterMismatch', 'InvalidSubnet.NotFound'])
    expect(ids(create({ SubnetId: 'subnet-x' }), lifecycle({ Quotas: { HaVipsPerRegion: 1 } })).reasons).toEqual(['InvalidSubnet.NotFound', 'QuotaExceeded.HaVipsPerRegion'])
  })
  it('C3 then C4, C4 then C8', () => {
    expect(ids(create({ SubnetId: 'subnet-p', IpAddress: '10.0.1.5' })).reasons).toEqual(['InvalidSubnet.InvalidStatus', 'InvalidIpAddress.OutOfRange'])
    expect(ids(create({ SubnetId: 'subnet-a', IpAddress: '10.0.1.5' }), lifecycle({ Quotas: { HaVipsPerVpc: 4 } })).reasons).toEqual(['InvalidIpAddress.OutOfRange', 'QuotaExceeded.HaVipsPerVpc'])
  })
  it('C5 then C6, C6 then C8', () => {
    const s = lifecycle({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0', SubnetId: 'subnet-a', Status: 'InUse', PrimaryIpAddress: '192.168.0.1' }] })
    expect(ids(create({ SubnetId: 'subnet-a', IpAddress: '192.168.0.1' }), s).reasons).toEqual(['InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse'])
    expect(ids(create({ SubnetId: 'subnet-a', IpAddress: '192.168.0.9' }), lifecycle({ Quotas: { HaVipsPerVpc: 4 } })).reasons).toEqual(['InvalidIpAddress.InUse', 'QuotaExceeded.HaVipsPerVpc'])
  })
  it('C7 then C8, C8 then C9', () => {
    let s = lifecycle({ Quotas: { HaVipsPerVpc: 6, HaVipsPerRegion: 10 } })
    for (let i = 0; i < 5; i++) s = handle(s, create({ SubnetId: 'subnet-s' })).snapshot
    expect(ids(create({ SubnetId: 'subnet-s' }), s).reasons).toEqual(['InsufficientIpAddress.Subnet', 'QuotaExceeded.HaVipsPerVpc', 'QuotaExceeded.HaVipsPerRegion'])
    expect(ids(create({ SubnetId: 'subnet-a' }), lifecycle({ Quotas: { HaVipsPerVpc: 4, HaVipsPerRegion: 5 } })).reasons).toEqual(['QuotaExceeded.HaVipsPerVpc', 'QuotaExceeded.HaVipsPerRegion'])
  })
  it('X2 then X3, X3 then X4; M1 then M2 of ModifyHaVipAttributes', () => {
    const s = lifecycle({
      HaVips: [{ HaVipId: 'h', SubnetId: 'subnet-a', Status: 'InUse', AssociatedEipId: 'eip-1', AssociatedInstanceType: 'EcsInstance', AssociatedInstanceIds: ['i-1'] }],
      RouteEntries: [{ RouteEntryId: 'rte-1', NextHopType: 'HaVip', NextHopId: 'h' }],
    })
    expect(ids(q('DeleteHaVip', { HaVipId: 'h' }), s)).toEqual({ code: 'InvalidHaVip.InvalidStatus', reasons: ['InvalidHaVip.InvalidStatus', 'InvalidHaVip.InUse.Eip', 'InvalidHaVip.InUse.RouteEntry'] })
    const eipAndRoute = lifecycle({ HaVips: [{ HaVipId: 'h', SubnetId: 'subnet-a', Status: 'Available', AssociatedEipId: 'eip-1' }], RouteEntries: [{ RouteEntryId: 'rte-1', NextHopType: 'HaVip', NextHopId: 'h' }] })
    expect(ids(q('DeleteHaVip', { HaVipId: 'h' }), eipAndRoute)).toEqual({ code: 'InvalidHaVip.InUse', reasons: ['InvalidHaVip.InUse.Eip', 'InvalidHaVip.InUse.RouteEntry'] })
    // A route entry of another next-hop type does not hold it.
    expect(ids(q('DeleteHaVip', { HaVipId: 'havip-1' }), lifecycle({ RouteEntries: [{ RouteEntryId: 'r', NextHopType: 'Instance', NextHopId: 'havip-1' }] })).code).toBe('OK')
    expect(ids(q('ModifyHaVipAttributes', { HaVipId: 'havip-c', HaVipName: '-' })).reasons).toEqual(['InvalidName.Malformed'])
  })
})
