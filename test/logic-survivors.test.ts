import { Signer } from '@volcengine/openapi'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from 'havip-rules'
import { createHaVip, deleteHaVip, getAsyncTaskStatus, handle, modifyHaVipAttributes, snapshotToJson } from 'havip-rules'
import type { SignedRequest } from '../src/wire/signature.js'
import { verifySignature } from '../src/wire/signature.js'
import { lifecycle, lifecycleJson, q } from './support/lifecycle-account.js'
import { load } from './support/snapshots.js'

/**
 * What the logic set's mutation run (with the HaVip's life's tests) left untested: the route tables
 * DescribeRouteTableList derives from odd route entries, CreateHaVip's ClientToken compared and
 * recorded field by field, the HaVip's life's functions given something that is not a snapshot, and
 * a credential scope without a region.
 */

const tokened = { SubnetId: 'subnet-a', ClientToken: 'tok' }

/** `id: facts` of a refusal, or the HaVipId made. */
const outcome = (s: Snapshot, params: Readonly<Record<string, string>>): string => {
  const h = handle(s, q('CreateHaVip', params), { requestId: 'r2' })
  const body = h.body as { readonly Result?: { readonly HaVipId: string }; readonly ResponseMetadata: { readonly Error?: { readonly Code: string } } }
  return body.Result?.HaVipId ?? `${String(h.status)} ${String(body.ResponseMetadata.Error?.Code)}`
}

/** The snapshot after a tokened CreateHaVip with these parameters, and the HaVipId it made. */
const created = (params: Readonly<Record<string, string>>) => {
  const h = handle(lifecycle(), q('CreateHaVip', { ...tokened, ...params }), { requestId: 'r1' })
  expect(h.status).toBe(200)
  return { snapshot: h.snapshot, id: (h.body as { readonly Result: { readonly HaVipId: string } }).Result.HaVipId }
}

describe('DescribeRouteTableList: the tables the route entries name', () => {
  it('lists each named table once, with the VPC of its first entry when that is a name, and skips entries naming none', () => {
    const entry = (id: string, more: Readonly<Record<string, unknown>>) => ({ RouteEntryId: id, NextHopType: 'Instance', NextHopId: 'i-1', ...more })
    const s = load(lifecycleJson({
      RouteEntries: [
        entry('rte-a', { RouteTableId: 'vtb-1', VpcId: 'vpc-1' }),
        entry('rte-b', { RouteTableId: 'vtb-1', VpcId: 'vpc-2' }),
        entry('rte-c', {}),
        entry('rte-d', { RouteTableId: '' }),
        entry('rte-e', { RouteTableId: 5 }),
        entry('rte-f', { RouteTableId: 'vtb-2', VpcId: '' }),
        entry('rte-g', { RouteTableId: 'vtb-3', VpcId: 7 }),
        entry('rte-h', { RouteTableId: 'vtb-4' }),
      ],
    }))
    const h = handle(s, q('DescribeRouteTableList'), { requestId: 'r' })
    expect((h.body as { readonly Result: unknown }).Result).toEqual({
      RouteTableList: [{ RouteTableId: 'vtb-1', VpcId: 'vpc-1' }, { RouteTableId: 'vtb-2' }, { RouteTableId: 'vtb-3' }, { RouteTableId: 'vtb-4' }],
      TotalCount: 4, PageNumber: 1, PageSize: 10, NextToken: '', RequestId: 'r',
    })
  })
})

describe('CreateHaVip with a known ClientToken: parameters compared as given', () => {
  it('compares the tags as an ordered list of keys and values', () => {
    const first = created({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1', 'Tags.2.Key': 'b', 'Tags.2.Value': '2' })
    const again = (tags: Readonly<Record<string, string>>) => outcome(first.snapshot, { ...tokened, ...tags })
    expect(again({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1', 'Tags.2.Key': 'b', 'Tags.2.Value': '2' })).toBe(first.id)
    const mismatch = '400 IdempotentParameterMismatch'
    expect(again({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1', 'Tags.2.Key': 'b', 'Tags.2.Value': '3' })).toBe(mismatch)
    expect(again({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1', 'Tags.2.Key': 'c', 'Tags.2.Value': '2' })).toBe(mismatch)
    expect(again({ 'Tags.1.Key': 'b', 'Tags.1.Value': '2', 'Tags.2.Key': 'a', 'Tags.2.Value': '1' })).toBe(mismatch)
    expect(again({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1' })).toBe(mismatch)
    expect(again({ 'Tags.1.Key': 'a', 'Tags.1.Value': '1', 'Tags.2.Key': 'b', 'Tags.2.Value': '2', 'Tags.3.Key': 'c', 'Tags.3.Value': '3' })).toBe(mismatch)
  })

  it('compares the description', () => {
    const first = created({ Description: 'db' })
    expect(outcome(first.snapshot, { ...tokened, Description: 'db' })).toBe(first.id)
    expect(outcome(first.snapshot, { ...tokened, Description: 'web' })).toBe('400 IdempotentParameterMismatch')
  })

  it('records only the parameters given, and a RequestId only when there is one', () => {
    const first = created({})
    const entry = snapshotToJson(first.snapshot).ClientTokens?.[0]
    expect(Object.keys(entry?.Parameters ?? {})).toEqual(['SubnetId'])
    const bare = createHaVip(lifecycle(), { action: 'CreateHaVip', subnetId: 'subnet-a', clientToken: 'tok' })
    const recorded = E.isRight(bare) ? snapshotToJson(bare.right.snapshot).ClientTokens?.[0] : undefined
    expect(Object.keys(recorded ?? {})).toEqual(['Action', 'ClientToken', 'Status', 'Parameters', 'Result'])
  })

  it('takes a request without a token as a new one, even when a token "undefined" is recorded', () => {
    const first = created({ ClientToken: 'undefined', HaVipName: 'web' })
    const another = outcome(first.snapshot, { SubnetId: 'subnet-a', HaVipName: 'web' })
    expect(another).toMatch(/^havip-/)
    expect(another).not.toBe(first.id)
    expect(outcome(first.snapshot, { SubnetId: 'subnet-a' })).toMatch(/^havip-/)
  })

  it('says which token, and what was given each time', () => {
    const first = created({ HaVipName: 'web' })
    const refused = createHaVip(first.snapshot, { action: 'CreateHaVip', subnetId: 'subnet-a', clientToken: 'tok', haVipName: 'db' })
    expect(E.isLeft(refused) && `${refused.left.id}: ${refused.left.facts}`).toBe(
      'IdempotentParameterMismatch: ClientToken "tok" was used for CreateHaVip with {"SubnetId":"subnet-a","HaVipName":"web"}; ' +
      'this request gives {"SubnetId":"subnet-a","HaVipName":"db"}')
    const inProcess = load(lifecycleJson({
      ClientTokens: [{ Action: 'CreateHaVip', ClientToken: 'tok', Status: 'InProgress', Parameters: { SubnetId: 'subnet-a' }, Result: { HaVipId: 'havip-1', IpAddress: '192.168.0.9' } }],
    }))
    const busy = createHaVip(inProcess, { action: 'CreateHaVip', subnetId: 'subnet-a', clientToken: 'tok' })
    expect(E.isLeft(busy) && `${busy.left.id}: ${busy.left.facts}`).toBe('IdempotentProcessing: ClientToken "tok" belongs to a CreateHaVip still in process')
  })
})

describe('the HaVip\'s life given something that is not a snapshot', () => {
  it('refuses it as InternalError, never reading it', () => {
    const notOne = snapshotToJson(lifecycle()) as unknown as Snapshot
    const results = [
      createHaVip(notOne, { action: 'CreateHaVip', subnetId: 'subnet-a' }),
      deleteHaVip(notOne, { action: 'DeleteHaVip', haVipId: 'havip-1' }),
      modifyHaVipAttributes(notOne, { action: 'ModifyHaVipAttributes', haVipId: 'havip-1', haVipName: 'x' }),
      getAsyncTaskStatus(notOne, { action: 'GetAsyncTaskStatus', asyncTaskId: 'at-1' }),
    ]
    expect(results.map((r) => (E.isLeft(r) ? r.left.id : 'right'))).toEqual(['InternalError', 'InternalError', 'InternalError', 'InternalError'])
  })
})

describe('a credential scope without a region', () => {
  it('is a scope that is not the expected one, not a request "signed for region undefined"', () => {
    const at = new Date(Date.UTC(2026, 10, 26, 12, 0, 0))
    const request = { region: 'cn-beijing', method: 'GET', pathname: '/', params: { Action: 'DescribeHaVips', Version: '2020-04-01' }, headers: {} as Record<string, string> }
    new Signer(request, 'vpc').addAuthorization({ accessKeyId: 'AK', secretKey: 'SK' }, at)
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]))
    const r: SignedRequest = {
      method: 'GET', path: '/', query: Object.entries(request.params),
      headers: { ...headers, authorization: String(headers.authorization).replace('/cn-beijing/vpc/request,', ',') },
      body: Buffer.from(''),
    }
    const checked = verifySignature(r, new Map([['AK', 'SK']]), { region: 'cn-beijing', service: 'vpc' }, at.getTime())
    expect(E.isLeft(checked) && `${checked.left.id}: ${checked.left.facts}`).toBe(
      'SignatureDoesNotMatch: the credential scope 20261126 is not 20261126/cn-beijing/vpc/request (the X-Date\'s day, the served region, the action\'s service)')
  })
})
