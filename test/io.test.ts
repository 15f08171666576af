import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isUtf8 } from 'node:buffer'
import { fc, it as prop } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { decodeText, invalidUtf8Offset } from '../src/io/text-input.js'
import { printable } from '../src/io/printable.js'
import { pullPages } from '../src/io/pull.js'
import { ownership, resolveTarget } from '../src/io/target.js'
import { readLocations } from '../src/io/tf-files.js'
import { fsReason, UsageError } from '../src/io/usage-error.js'
import { verifySignature } from '../src/wire/signature.js'
import { tempFolder } from './support/temp.js'

/** Finding resource blocks in a Terraform configuration, for `havip plan --config`. */

const write = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

describe('readLocations', () => {
  it('finds each resource block in the root and in local modules, by configuration address, with its file and line', () => {
    const root = tempFolder('havip-tf-')
    write(join(root, 'main.tf'), 'terraform {}\n\nresource "volcengine_ha_vip" "db" {\n  subnet_id = "subnet-a"\n}\n  resource  "volcengine_ha_vip_associate"  "web" {\n}\n')
    write(join(root, 'b.tf'), '# resource "volcengine_ha_vip" "commented" {}\nresource "volcengine_network_interface" "nic" {}\n')
    write(join(root, 'notes.txt'), 'resource "volcengine_ha_vip" "not_terraform" {}\n')
    write(join(root, 'modules', 'app', 'main.tf'), '\nresource "volcengine_ha_vip_associate" "this" {}\n')
    write(join(root, 'common', 'net', 'net.tf'), 'resource "volcengine_ha_vip" "this" {}\n')
    const locations = readLocations(root, [
      { path: 'module.app', source: './modules/app' },
      // A module called by a module: its source is relative to its caller's folder.
      { path: 'module.app.module.net', source: '../../common/net' },
    ])
    expect(Object.fromEntries(locations)).toEqual({
      'volcengine_ha_vip.db': { file: 'main.tf', line: 3 },
      'volcengine_ha_vip_associate.web': { file: 'main.tf', line: 6 },
      'volcengine_network_interface.nic': { file: 'b.tf', line: 2 },
      'module.app.volcengine_ha_vip_associate.this': { file: 'modules/app/main.tf', line: 2 },
      'module.app.module.net.volcengine_ha_vip.this': { file: 'common/net/net.tf', line: 1 },
    })
  })

  it('keeps the first block of a name, in the order of the file names', () => {
    const root = tempFolder('havip-tf-')
    write(join(root, 'b.tf'), 'resource "volcengine_ha_vip" "db" {}\n')
    write(join(root, 'a.tf'), '\n\nresource "volcengine_ha_vip" "db" {}\n')
    expect(readLocations(root, []).get('volcengine_ha_vip.db')).toEqual({ file: 'a.tf', line: 3 })
  })

  it('names a configuration folder it cannot read', () => {
    const root = tempFolder('havip-tf-')
    expect(() => readLocations(join(root, 'missing'), [])).toThrow(/missing: cannot read the configuration folder: /)
    write(join(root, 'main.tf'), '')
    expect(() => readLocations(root, [{ path: 'module.gone', source: './gone' }])).toThrow(/gone: cannot read the configuration folder/)
  })
})

describe('fsReason', () => {
  it('says in words why a filesystem call failed, and passes anything else through', () => {
    const reason = (code: string) => fsReason(Object.assign(new Error(`${code}: raw`), { code }))
    expect(['ENOENT', 'EISDIR', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'ENOTDIR', 'EIO'].map(reason)).toEqual([
      'no such file or folder', 'it is a folder, not a file', 'permission denied', 'permission denied', 'no space left on the device',
      'disk quota exceeded', 'the filesystem is read-only', 'a part of the path is not a folder', 'EIO: raw',
    ])
    expect(fsReason('plain text')).toBe('plain text')
    expect(fsReason({ code: 'ENOSPC' })).toBe('no space left on the device')
    expect(new UsageError('x').name).toBe('UsageError')
  })
})

describe('resolveTarget and ownership', () => {
  it('follows links to the file they name, refuses loops and what is not a regular file, and reads mode and owner', () => {
    const dir = tempFolder('havip-target-')
    const file = join(dir, 'snapshot.json')
    writeFileSync(file, '{}')
    chmodSync(file, 0o640)
    symlinkSync('snapshot.json', join(dir, 'one'))
    symlinkSync(join(dir, 'one'), join(dir, 'two'))
    expect(resolveTarget(join(dir, 'two'))).toBe(file)
    expect(resolveTarget(join(dir, 'missing.json'))).toBe(join(dir, 'missing.json'))
    symlinkSync('loop-b', join(dir, 'loop-a'))
    symlinkSync('loop-a', join(dir, 'loop-b'))
    expect(() => resolveTarget(join(dir, 'loop-a'))).toThrow(`${join(dir, 'loop-a')}: too many symbolic links`)
    expect(() => resolveTarget(dir)).toThrow(`${dir}: not a regular file; havip writes only regular files`)
    symlinkSync(dir, join(dir, 'to-folder'))
    expect(() => resolveTarget(join(dir, 'to-folder'))).toThrow(`${join(dir, 'to-folder')}: not a regular file (${dir}); havip writes only regular files`)
    expect(() => resolveTarget(join(file, 'below'))).toThrow(`${join(file, 'below')}: a part of the path is not a folder`)
    expect(ownership(file)).toEqual({ mode: 0o640, uid: statSync(file).uid, gid: statSync(file).gid })
    expect(ownership(join(dir, 'missing.json'))).toBeUndefined()
  })

  it('follows as many links as the system does (40), and no more', () => {
    const dir = tempFolder('havip-target-')
    writeFileSync(join(dir, 'link-0'), '{}')
    for (let n = 1; n <= 41; n++) symlinkSync(`link-${String(n - 1)}`, join(dir, `link-${String(n)}`))
    expect(resolveTarget(join(dir, 'link-40'))).toBe(join(dir, 'link-0'))
    expect(() => resolveTarget(join(dir, 'link-41'))).toThrow(`${join(dir, 'link-41')}: too many symbolic links`)
  })
})

describe('pullPages', () => {
  const credentials = { accessKeyId: 'AKLTpull', secretKey: 'c2VjcmV0' }
  const listKeys: Readonly<Record<string, string>> = {
    DescribeHaVips: 'HaVips', DescribeInstances: 'Instances', DescribeNetworkInterfaces: 'NetworkInterfaceSets', DescribeSubnets: 'Subnets', DescribeRouteTableList: 'RouteTableList', DescribeRouteEntryList: 'RouteEntries',
  }

  it('pages each kind with NextToken to the end, signed, filtered by VPC, the route entries of each route table, reporting each page', async () => {
    const urls: Array<URL> = []
    const signed: Array<string> = []
    const verified: Array<boolean> = []
    const stub = (url: string, init: { headers: Record<string, string> }) => {
      const u = new URL(url)
      urls.push(u)
      signed.push(`${init.headers['X-Date'] ?? ''} ${init.headers.Authorization?.split(' ')[1] ?? ''}`)
      // What havip serve would check, on the path the request went to.
      const request = { method: 'GET', path: u.pathname, query: [...u.searchParams], headers: { 'x-date': init.headers['X-Date'] ?? '', authorization: init.headers.Authorization ?? '' }, body: Buffer.alloc(0) }
      const service = u.searchParams.get('Action') === 'DescribeInstances' ? 'ecs' : 'vpc'
      verified.push(E.isRight(verifySignature(request, new Map([[credentials.accessKeyId, credentials.secretKey]]), { region: 'cn-shanghai', service }, Date.UTC(2026, 10, 26, 12))))
      const action = u.searchParams.get('Action') ?? ''
      const token = u.searchParams.get('NextToken')
      // HaVips on two pages; the other kinds on one.
      const items = action === 'DescribeHaVips' ? (token === null ? [{ HaVipId: 'h-1' }] : [{ HaVipId: 'h-2' }, { HaVipId: 'h-3' }])
        : action === 'DescribeRouteTableList' ? [{ RouteTableId: 'vtb-1' }, { RouteTableId: 'vtb-2' }, { RouteTableId: 'vtb-1' }] : [{ Id: 'x' }]
      const next = action === 'DescribeHaVips' && token === null ? 'h-2' : ''
      return Promise.resolve(new Response(JSON.stringify({ ResponseMetadata: { Action: action }, Result: { [listKeys[action] ?? '']: items, NextToken: next } })))
    }
    const progress: Array<string> = []
    const pages = await pullPages({
      region: 'cn-shanghai', endpoint: 'http://127.0.0.1:9//', credentials, vpcId: 'vpc-7',
      fetch: stub as unknown as typeof fetch, now: () => new Date(Date.UTC(2026, 10, 26, 12)),
      onPage: (kind, n, resources) => progress.push(`${kind} ${String(n)} ${String(resources)}`),
    })
    expect(pages.map((p) => p.source)).toEqual(['DescribeHaVips page 1', 'DescribeHaVips page 2', 'DescribeInstances page 1', 'DescribeNetworkInterfaces page 1',
      'DescribeSubnets page 1', 'DescribeRouteEntryList of vtb-1 page 1', 'DescribeRouteEntryList of vtb-2 page 1'])
    expect(pages.map((p) => p.kind)).toEqual(['HaVips', 'HaVips', 'Instances', 'NetworkInterfaces', 'Subnets', 'RouteEntries', 'RouteEntries'])
    expect(progress).toEqual(['HaVips 1 1', 'HaVips 2 3', 'Instances 1 1', 'NetworkInterfaces 1 1', 'Subnets 1 1', 'RouteEntries 1 1', 'RouteEntries 2 2'])
    expect(urls.map((u) => `${u.origin}${u.pathname}?${u.search.slice(1)}`)).toEqual([
      'http://127.0.0.1:9/?Action=DescribeHaVips&Version=2020-04-01&MaxResults=100&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeHaVips&Version=2020-04-01&MaxResults=100&NextToken=h-2&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeInstances&Version=2020-04-01&MaxResults=100&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeNetworkInterfaces&Version=2020-04-01&MaxResults=100&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeSubnets&Version=2020-04-01&MaxResults=100&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeRouteTableList&Version=2020-04-01&MaxResults=100&VpcId=vpc-7',
      'http://127.0.0.1:9/?Action=DescribeRouteEntryList&Version=2020-04-01&MaxResults=100&RouteTableId=vtb-1',
      'http://127.0.0.1:9/?Action=DescribeRouteEntryList&Version=2020-04-01&MaxResults=100&RouteTableId=vtb-2',
    ])
    // Signed at the clock's time, for the region and the service of each action.
    expect(signed).toEqual([
      '20261126T120000Z Credential=AKLTpull/20261126/cn-shanghai/vpc/request,',
      '20261126T120000Z Credential=AKLTpull/20261126/cn-shanghai/vpc/request,',
      '20261126T120000Z Credential=AKLTpull/20261126/cn-shanghai/ecs/request,',
      '20261126T120000Z Credential=AKLTpull/20261126/cn-shanghai/vpc/request,',
      ...Array.from({ length: 4 }, () => '20261126T120000Z Credential=AKLTpull/20261126/cn-shanghai/vpc/request,'),
    ])
    expect(verified).toEqual(Array.from({ length: 8 }, () => true))
  })

  it('asks for every VPC unless told one, and stops where the answer gives no NextToken', async () => {
    const urls: Array<string> = []
    const stub = (url: string) => {
      urls.push(url)
      return Promise.resolve(new Response(JSON.stringify({ Result: { HaVips: [{}], Instances: [{}], NetworkInterfaceSets: [{}], Subnets: [{}], RouteTableList: [{}], NextToken: null } })))
    }
    const pages = await pullPages({ region: 'r', endpoint: 'http://127.0.0.1:9', credentials, fetch: stub as unknown as typeof fetch })
    expect(pages).toHaveLength(4)
    expect(urls[0]).toBe('http://127.0.0.1:9/?Action=DescribeHaVips&Version=2020-04-01&MaxResults=100')
  })

  it('tries again on throttling, 429 and 5xx, after waits that double, and on nothing else', async () => {
    const attempts = async (status: number, body: string, retries = 1): Promise<{ readonly calls: number; readonly waits: ReadonlyArray<number>; readonly error: string }> => {
      let calls = 0
      const waits: Array<number> = []
      const error = await pullPages({
        region: 'r', credentials, retries,
        fetch: () => { calls++; return Promise.resolve(new Response(body, { status })) },
        sleep: (ms) => { waits.push(ms); return Promise.resolve() },
      }).then(() => '', (e: unknown) => (e as Error).message)
      return { calls, waits, error }
    }
    const refusal = (code: string) => JSON.stringify({ ResponseMetadata: { Error: { Code: code, Message: 'm' } } })
    for (const code of ['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests', 'ServiceUnavailable', 'InternalError', 'UndefinedError']) {
      expect(await attempts(400, refusal(code))).toEqual({ calls: 2, waits: [500], error: `DescribeHaVips was refused: HTTP 400 ${code}: m` })
    }
    expect(await attempts(429, '', 4)).toEqual({ calls: 5, waits: [500, 1000, 2000, 4000], error: 'DescribeHaVips was refused: HTTP 429' })
    expect(await attempts(400, refusal('InvalidParameter'))).toEqual({ calls: 1, waits: [], error: 'DescribeHaVips was refused: HTTP 400 InvalidParameter: m' })
    // A 200 that is not a JSON object, or that carries an error, is a refusal too.
    for (const body of ['<html>', 'null', '7']) expect(await attempts(200, body)).toEqual({ calls: 1, waits: [], error: 'DescribeHaVips was refused: HTTP 200' })
    expect(await attempts(200, JSON.stringify({ ResponseMetadata: { Error: 'busy' } }))).toEqual({ calls: 1, waits: [], error: 'DescribeHaVips was refused: HTTP 200: busy' })
    expect(await attempts(200, JSON.stringify({ ResponseMetadata: { Error: null }, Result: {} }))).toEqual({ calls: 5, waits: [], error: '' })
  })

  it('stops at an empty page, refuses a NextToken given twice, and says why a call failed after its retries', async () => {
    const answer = (json: unknown, status = 200) => () => Promise.resolve(new Response(JSON.stringify(json), { status }))
    const options = { region: 'r', credentials, sleep: () => Promise.resolve() }
    const empty = await pullPages({ ...options, fetch: answer({ Result: { HaVips: [], Instances: [], NetworkInterfaceSets: [], Subnets: [], RouteTableList: [], NextToken: 'more' } }) })
    expect(empty).toHaveLength(4)
    await expect(pullPages({ ...options, fetch: answer({ Result: { HaVips: [{}], NextToken: 'same' } }) }))
      .rejects.toThrow('DescribeHaVips page 2 gives NextToken "same" again, as page 1 did: the pages loop; stopped')
    let calls = 0
    const throttled = () => { calls++; return answer({ ResponseMetadata: { Error: { Code: 'RequestLimitExceeded' } } })() }
    await expect(pullPages({ ...options, retries: 2, fetch: throttled })).rejects.toThrow('DescribeHaVips was refused: HTTP 200 RequestLimitExceeded')
    expect(calls).toBe(3)
    calls = 0
    const notJson = () => { calls++; return Promise.resolve(new Response('<html>', { status: 502 })) }
    await expect(pullPages({ ...options, retries: 0, fetch: notJson })).rejects.toThrow(/^DescribeHaVips was refused: HTTP 502$/)
    expect(calls).toBe(1)
    const unreachable = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }))
    await expect(pullPages({ ...options, endpoint: 'http://127.0.0.1:9', retries: 1, fetch: unreachable }))
      .rejects.toThrow('cannot reach http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9')
    await expect(pullPages({ ...options, retries: 0, fetch: () => Promise.reject(new Error('plain')) }))
      .rejects.toThrow('cannot reach https://open.volcengineapi.com: plain')
  })
})

describe('invalidUtf8Offset', () => {
  prop.prop([fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ unit: 'binary' }).map((t) => new Uint8Array(Buffer.from(t))), fc.tuple(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 3 }), fc.string({ unit: 'binary' })).map(([a, b, c]) => new Uint8Array(Buffer.concat([Buffer.from(a), b, Buffer.from(c)]))))])(
    'finds a byte exactly when the bytes are not UTF-8, the first such byte, everything before it being UTF-8',
    (bytes) => {
      const at = invalidUtf8Offset(bytes)
      expect(at === undefined).toBe(isUtf8(bytes))
      if (at !== undefined) {
        expect(isUtf8(bytes.subarray(0, at))).toBe(true)
        expect(at).toBeLessThan(bytes.length)
      }
    })

  it('refuses overlong forms, surrogates, code points past U+10FFFF and characters cut short, at their first byte', () => {
    for (const [bytes, at] of [[[0x41, 0xc0, 0x80], 1], [[0xe0, 0x80, 0x80], 0], [[0xed, 0xa0, 0x80], 0], [[0xf4, 0x90, 0x80, 0x80], 0], [[0x41, 0x42, 0xe2, 0x82], 2], [[0x80], 0]] as const) {
      expect(invalidUtf8Offset(new Uint8Array(bytes))).toBe(at)
    }
    expect(invalidUtf8Offset(new Uint8Array(Buffer.from('é€😀')))).toBeUndefined()
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x5d]), 'f')).toBe('[]')
  })
})

describe('printable', () => {
  it('escapes what moves a terminal\'s cursor or reorders a line, keeps other text, and cuts long text saying how much', () => {
    expect(printable('a\u001b[2Jb\r\n\u0000\u007f\u009b\u2028\u202e\u2067é😀\ud800')).toBe('a\\u001b[2Jb\\u000d\\u000a\\u0000\\u007f\\u009b\\u2028\\u202e\\u2067é😀\\ud800')
    expect(printable('x'.repeat(301))).toBe(`${'x'.repeat(300)}… (1 more characters)`)
    expect(printable('x'.repeat(300))).toBe('x'.repeat(300))
  })
})
