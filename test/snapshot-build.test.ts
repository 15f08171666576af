import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { DescribePage, ResourceKind, SnapshotJson } from 'havip-rules'
import { buildSnapshot, handle, snapshotToJson } from 'havip-rules'
import { pullPages } from '../src/io/pull.js'
import { flagOf } from '../src/describe/pages.js'
import { snapshotFile } from './support/server.js'
import { load } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname

/** A hand-written account of 150 of each resource, with bindings of both kinds. */
const account = (): SnapshotJson => {
  const n = 150
  return {
    Region: 'cn-guangzhou',
    HaVips: Array.from({ length: n }, (_, i) => ({
      HaVipId: `havip-${String(i)}`, HaVipName: `vip-${String(i)}`, SubnetId: `subnet-${String(i % 3)}`, VpcId: 'vpc-1',
      Status: i < 2 ? 'InUse' : 'Available', AssociatedInstanceType: i === 0 ? 'EcsInstance' : i === 1 ? 'NetworkInterface' : '',
      AssociatedInstanceIds: i === 0 ? ['i-0', 'i-3'] : i === 1 ? ['eni-1'] : [], Tags: [{ Key: 'n', Value: String(i) }],
    })),
    Instances: Array.from({ length: n }, (_, i) => ({
      InstanceId: `i-${String(i)}`, Status: i % 5 === 0 && i > 3 ? 'STOPPED' : 'RUNNING', VpcId: 'vpc-1', ZoneId: 'cn-guangzhou-a',
      NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: `subnet-${String(i % 3)}`, Type: 'primary', PrimaryIpAddress: `10.0.0.${String(i)}` }],
    })),
    NetworkInterfaces: Array.from({ length: n }, (_, i) => ({
      NetworkInterfaceId: `eni-${String(i)}`, SubnetId: `subnet-${String(i % 3)}`, VpcId: 'vpc-1', Type: 'secondary',
      Status: 'InUse', DeviceId: `i-${String(i)}`, ServiceManaged: false, MacAddress: `00:16:3e:00:00:${String(i % 100).padStart(2, '0')}`,
    })),
    Subnets: Array.from({ length: n }, (_, i) => ({
      SubnetId: `subnet-${String(i)}`, VpcId: `vpc-${String(i % 2)}`, CidrBlock: `10.${String(i)}.0.0/24`, ZoneId: `cn-guangzhou-${i % 2 === 0 ? 'a' : 'b'}`, Status: 'Available',
    })),
    // Three route tables of 50 entries each: each table's entries take a page and more.
    RouteEntries: Array.from({ length: n }, (_, i) => ({
      RouteEntryId: `rte-${String(i)}`, RouteTableId: `vtb-${String(i % 3)}`, VpcId: 'vpc-1', DestinationCidrBlock: `172.16.${String(i)}.0/24`,
      NextHopType: i % 2 === 0 ? 'HaVip' : 'Instance', NextHopId: i % 2 === 0 ? `havip-${String(i)}` : `i-${String(i)}`,
    })),
  }
}

const kindOf: Readonly<Record<string, ResourceKind>> = { DescribeHaVips: 'HaVips', DescribeInstances: 'Instances', DescribeNetworkInterfaces: 'NetworkInterfaces', DescribeSubnets: 'Subnets', DescribeRouteEntryList: 'RouteEntries' }

/** Every page of one Describe call as the API would answer it: by token for ecs, by page number for vpc. */
const pagesOf = (json: SnapshotJson, action: string, filters: Readonly<Record<string, string>> = {}): ReadonlyArray<unknown> => {
  const s = load(json)
  const bodies: Array<unknown> = []
  let token = ''
  for (let page = 1; page < 100; page++) {
    const paging = action === 'DescribeInstances'
      ? { MaxResults: '100', ...(token === '' ? {} : { NextToken: token }) }
      : { PageNumber: String(page), PageSize: '60' }
    const { body } = handle(s, { Action: action, Version: '2020-04-01', ...filters, ...paging }, { requestId: `r-${String(page)}` })
    bodies.push(body)
    const result = (body as { Result: { NextToken: string } }).Result
    token = result.NextToken
    if (token === '') break
  }
  return bodies
}

/** The pages of every call, in the three forms a user may save: whole bodies, Results, bare lists, in shuffled order. */
const savedPages = (json: SnapshotJson): ReadonlyArray<DescribePage> => {
  const pages: Array<DescribePage> = []
  const calls = [['DescribeHaVips'], ['DescribeInstances'], ['DescribeNetworkInterfaces'], ['DescribeSubnets'],
    ...[0, 1, 2].map((t) => ['DescribeRouteEntryList', `vtb-${String(t)}`])] as const
  for (const [action, table] of calls) {
    pagesOf(json, action, table === undefined ? {} : { RouteTableId: table }).forEach((body, i) => {
      const result = (body as { Result: Record<string, unknown> }).Result
      const list = Object.values(result).find(Array.isArray)
      const form = i % 3
      pages.push({ kind: kindOf[action] ?? 'HaVips', source: `${action}${table ?? ''}-${String(i)}.json`, json: form === 0 ? body : form === 1 ? result : list })
    })
  }
  return pages.reverse()
}

const probe = [
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-0&InstanceId=i-6',
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-0&InstanceId=i-7',
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=eni-4&InstanceType=NetworkInterface',
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=eni-7&InstanceType=NetworkInterface',
  'Action=DisassociateHaVip&Version=2020-04-01&HaVipId=havip-0&InstanceId=i-3',
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-2&InstanceId=i-149',
  'Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-5&InstanceId=i-10',
  'Action=DescribeHaVips&Version=2020-04-01&HaVipIds.1=havip-0&HaVipIds.2=havip-1&HaVipIds.3=havip-149&HaVipIds.4=havip-77',
]

// Pages may come in any order, and resources are listed in the order of their pages: a listing is compared as a set.
const unordered = (body: unknown): unknown => {
  const result = (body as { Result?: Record<string, unknown> }).Result
  if (result === undefined) return body
  return { ...body as object, Result: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort() : v])) }
}

const answers = (json: SnapshotJson) => {
  let s = load(json)
  return probe.map((q, i) => {
    const h = handle(s, q, { requestId: `r-${String(i)}` })
    s = h.snapshot
    return [h.status, unordered(h.body)]
  })
}

describe('buildSnapshot', () => {
  it('makes, from raw paged responses in every form, an account that answers every request as the hand-written one', () => {
    const pages = savedPages(account())
    expect(pages.length).toBeGreaterThan(6)
    const built = buildSnapshot(pages)
    if (E.isLeft(built)) throw new Error(built.left.message)
    expect(built.right.Region).toBe('cn-guangzhou')
    for (const kind of ['HaVips', 'Instances', 'NetworkInterfaces', 'Subnets', 'RouteEntries'] as const) {
      expect(new Map((built.right[kind] ?? []).map((x) => [JSON.stringify(x), true])).size).toBe(150)
      expect(new Set((built.right[kind] ?? []).map((x) => JSON.stringify(x)))).toEqual(new Set((account()[kind] ?? []).map((x) => JSON.stringify(x))))
    }
    expect(answers(built.right)).toEqual(answers(account()))
  })

  it('takes a resource on two pages once when it is the same, and names both pages when it is not', () => {
    const item = account().HaVips?.[5]
    const page = (source: string, json: unknown): DescribePage => ({ kind: 'HaVips', source, json })
    const once = buildSnapshot([page('a.json', [item]), page('b.json', { HaVips: [item] })])
    expect(E.isRight(once) && once.right.HaVips).toHaveLength(1)
    const twice = buildSnapshot([page('a.json', [item]), page('b.json', { HaVips: [{ ...item, Status: 'Deleting' }] })])
    expect(E.isLeft(twice) && twice.left.message).toBe('b.json: HaVips[0]: HaVipId "havip-5" differs from a.json [0]')
  })

  it('refuses a page of the wrong kind, an error response, and items without their id, each with its JSON path', () => {
    const [instancesPage] = pagesOf(account(), 'DescribeInstances')
    const errorPage = { ResponseMetadata: { RequestId: 'r', Action: 'DescribeHaVips', Error: { Code: 'SignatureDoesNotMatch', Message: 'no' } } }
    const built = buildSnapshot([
      { kind: 'HaVips', source: 'instances.json', json: instancesPage },
      { kind: 'HaVips', source: 'error.json', json: errorPage },
      { kind: 'NetworkInterfaces', source: 'result.json', json: { Instances: [] } },
      { kind: 'Instances', source: 'bad.json', json: [{ InstanceId: 'i-1' }, { Status: 'RUNNING' }, 7] },
    ])
    expect(E.isLeft(built) && built.left.message.split('\n')).toEqual([
      'instances.json: ResponseMetadata.Action: is DescribeInstances; --havips takes DescribeHaVips pages',
      'error.json: ResponseMetadata.Error: the page is an error response: SignatureDoesNotMatch (no)',
      'result.json: (root): is a DescribeInstances page (Instances); give it as --instances, not --enis',
      'bad.json: [1].InstanceId: expected an item with its InstanceId',
      'bad.json: [2]: expected an item with its InstanceId',
    ])
  })

  it('refuses pages that hold fewer resources than they report: a page is missing', () => {
    const pages = pagesOf(account(), 'DescribeHaVips').slice(1).map((json, i): DescribePage => ({ kind: 'HaVips', source: `p${String(i)}.json`, json }))
    const built = buildSnapshot(pages)
    expect(E.isLeft(built) && built.left.message).toBe('p0.json: Result.TotalCount: the pages hold 90 HaVips of the 150 they report: a page is missing')
  })

  it('takes the region asked for, else the pages\' own, and refuses pages of two regions', () => {
    const body = (region: string) => ({ ResponseMetadata: { Action: 'DescribeHaVips', Region: region }, Result: { HaVips: [] } })
    expect(buildSnapshot([{ kind: 'HaVips', source: 'a', json: body('cn-beijing') }], { region: 'cn-shanghai' })).toEqual(E.right({ Region: 'cn-shanghai', HaVips: [] }))
    const mixed = buildSnapshot([{ kind: 'HaVips', source: 'a', json: body('cn-beijing') }, { kind: 'HaVips', source: 'b', json: body('cn-shanghai') }])
    expect(E.isLeft(mixed) && mixed.left.message).toBe('b: ResponseMetadata.Region: is cn-shanghai; a is cn-beijing (give --region)')
  })

  it('reports a problem of the snapshot in the page its resource came from', () => {
    const built = buildSnapshot([{ kind: 'HaVips', source: 'vips.json', json: { Result: { HaVips: account().HaVips?.slice(0, 1) } } }])
    expect(E.isLeft(built) && built.left.message.split('\n')).toEqual([
      'vips.json: Result.HaVips[0].AssociatedInstanceIds[0]: "i-0" is not in Instances',
      'vips.json: Result.HaVips[0].AssociatedInstanceIds[1]: "i-3" is not in Instances',
    ])
  })
})

describe('havip snapshot build', () => {
  it('writes the snapshot atomically to --out, from files of every form', () => {
    const folder = tempFolder('havip-build-')
    const files = savedPages(account()).map((page) => {
      const path = join(folder, page.source)
      writeFileSync(path, JSON.stringify(page.json))
      return [flagOf[page.kind], path]
    })
    const out = join(folder, 'snapshot.json')
    const r = spawnSync(process.execPath, [cli, 'snapshot', 'build', ...files.flat(), '--out', out], { encoding: 'utf8' })
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(answers(JSON.parse(readFileSync(out, 'utf8')) as SnapshotJson)).toEqual(answers(account()))
  })

  it('exits 2 naming the file for a page that is not JSON, a wrong kind or an error response, and writes nothing', () => {
    const folder = tempFolder('havip-build-')
    const bad = join(folder, 'bad.json')
    writeFileSync(bad, '{"Result": ')
    const instances = join(folder, 'instances.json')
    writeFileSync(instances, JSON.stringify(pagesOf(account(), 'DescribeInstances')[0]))
    const out = join(folder, 'out.json')
    for (const [args, words] of [[['--havips', bad], `${bad}: not JSON`], [['--havips', instances], `${instances}: ResponseMetadata.Action: is DescribeInstances`]] as const) {
      const r = spawnSync(process.execPath, [cli, 'snapshot', 'build', ...args, '--out', out], { encoding: 'utf8' })
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(words)
      expect(existsSync(out)).toBe(false)
    }
  })
})

describe('havip snapshot build, pages as tools save them', () => {
  const build = (...args: ReadonlyArray<string>) => spawnSync(process.execPath, [cli, 'snapshot', 'build', ...args], { encoding: 'utf8' })
  const pageFile = (folder: string, name: string, bytes: Buffer | string) => {
    const path = join(folder, name)
    writeFileSync(path, bytes)
    return path
  }
  const havipsPage = (ids: ReadonlyArray<string>) => JSON.stringify({ Result: { HaVips: ids.map((HaVipId) => ({ HaVipId, SubnetId: 's', Status: 'Available' })) } })
  const ids = (stdout: string) => ((JSON.parse(stdout) as SnapshotJson).HaVips ?? []).map((h) => h.HaVipId)

  it('takes several files after one flag, and a folder for its .json files by name', () => {
    const folder = tempFolder('havip-build-')
    const pages = join(folder, 'pages')
    mkdirSync(pages)
    pageFile(pages, 'b.json', havipsPage(['h-3']))
    pageFile(pages, 'a.json', havipsPage(['h-2']))
    pageFile(pages, 'notes.txt', 'not a page')
    const r = build('--havips', pageFile(folder, '1.json', havipsPage(['h-0'])), pageFile(folder, '2.json', havipsPage(['h-1'])), pages, '--region', 'r')
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(ids(r.stdout)).toEqual(['h-0', 'h-1', 'h-2', 'h-3'])
    const stray = build('--region', 'r', pageFile(folder, '3.json', havipsPage(['h-4'])))
    expect([stray.status, stray.stderr]).toEqual([2, `havip: unexpected ${JSON.stringify(join(folder, '3.json'))}: pages are given with --havips, --instances, --enis, --subnets or --route-entries (see havip snapshot --help)\n`])
    expect(build('--havips', join(folder, 'empty')).stderr).toContain('no such file or folder')
    mkdirSync(join(folder, 'empty'))
    expect(build('--havips', join(folder, 'empty')).stderr).toBe(`havip: ${join(folder, 'empty')}: a folder without a .json page\n`)
  })

  it('reads a UTF-8 page with a byte order mark, and names UTF-16 instead of misreading it', () => {
    const folder = tempFolder('havip-build-')
    const bom = build('--havips', pageFile(folder, 'bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(havipsPage(['h-é']))])))
    expect([bom.status, bom.stderr, ids(bom.stdout)]).toEqual([0, '', ['h-é']])
    const le = pageFile(folder, 'le.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(havipsPage(['h']), 'utf16le')]))
    expect(build('--havips', le)).toMatchObject({ status: 2, stderr: `havip: ${le}: the file is UTF-16 (little-endian, with a byte order mark); save it as UTF-8 (Windows PowerShell's > writes UTF-16: use | Out-File -Encoding utf8)\n` })
    const be = pageFile(folder, 'be.json', Buffer.from(havipsPage(['h']), 'utf16le').swap16())
    expect(build('--havips', be)).toMatchObject({ status: 2, stderr: `havip: ${be}: the file is UTF-16 (big-endian); save it as UTF-8 (Windows PowerShell's > writes UTF-16: use | Out-File -Encoding utf8)\n` })
  })

  it('refuses bytes that are not UTF-8, naming the file and the offset, rather than merge two ids into one', () => {
    const folder = tempFolder('havip-build-')
    const text = havipsPage(['h-X', 'h-Y'])
    const bytes = Buffer.from(text)
    // Two ids that differ only in a byte that is not UTF-8 (0xff and 0xfe); each would decode as U+FFFD.
    const at = text.indexOf('h-X') + 2
    bytes[at] = 0xff
    bytes[text.indexOf('h-Y') + 2] = 0xfe
    const file = pageFile(folder, 'latin.json', bytes)
    expect(build('--havips', file)).toMatchObject({ status: 2, stdout: '', stderr: `havip: ${file}: not UTF-8: byte ${String(at)} (0xff) starts no UTF-8 character; save the file as UTF-8\n` })
  })

  it('treats a page whose ResponseMetadata.Error is a text as an error response, as pull does', () => {
    const built = buildSnapshot([{ kind: 'HaVips', source: 'busy.json', json: { ResponseMetadata: { Error: 'busy' }, Result: { HaVips: [] } } }])
    expect(E.isLeft(built) && built.left.message).toBe('busy.json: ResponseMetadata.Error: the page is an error response: (no code) (busy)')
  })

  it('refuses an item nested 5,000 deep with its path, not a stack overflow', () => {
    const folder = tempFolder('havip-build-')
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const file = pageFile(folder, 'deep.json', `{"Result":{"HaVips":[{"HaVipId":"h","SubnetId":"s","Status":"Available","X":${deep}}]}}`)
    const r = build('--havips', file)
    expect([r.status, r.stdout]).toEqual([2, ''])
    expect(r.stderr).toBe(`havip: the pages do not make a snapshot:\n  ${file}: Result.HaVips[0].X${'[0]'.repeat(64)}: nested more than 64 levels deep in the item: not a resource of the vendor's\n`)
  })
})

describe('havip snapshot pull', () => {
  const serve = async (json: unknown) => {
    const child = spawn(process.execPath, [cli, 'serve', '--snapshot', snapshotFile(json), '--port', '0', '--access-key', 'AKpull', '--secret-key', 'SKpull'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const url = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const m = /listening on (\S+)/.exec(chunk.toString())
        if (m?.[1] !== undefined) resolve(m[1])
      })
    })
    return { url, stop: () => new Promise((resolve) => { child.on('exit', resolve); child.kill('SIGTERM') }) }
  }
  const pull = (url: string, out: string, secret = 'SKpull') => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'snapshot', 'pull', '--region', 'cn-guangzhou', '--endpoint', url, '--out', out], {
      env: { ...process.env, VOLC_ACCESSKEY: 'AKpull', VOLC_SECRETKEY: secret }, stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.on('exit', (code) => { resolve({ code, stderr }) })
  })

  it('gives back the account a havip serve serves, signed, paging every kind to the end', async () => {
    const server = await serve(account())
    const out = join(tempFolder('havip-pull-'), 'pulled.json')
    const r = await pull(server.url, out)
    await server.stop()
    expect([r.code, r.stderr]).toEqual([0, ''])
    const pulled = JSON.parse(readFileSync(out, 'utf8')) as SnapshotJson
    for (const kind of ['HaVips', 'Instances', 'NetworkInterfaces', 'Subnets'] as const) expect(pulled[kind]).toEqual(account()[kind])
    // Table by table.
    expect(pulled.RouteEntries).toEqual([0, 1, 2].flatMap((t) => (account().RouteEntries ?? []).filter((e) => e.RouteTableId === `vtb-${String(t)}`)))
    expect(snapshotToJson(load(pulled)).Region).toBe('cn-guangzhou')
  })

  it('exits 2 with the vendor\'s code for a refused signature, and with the network error for an unreachable endpoint, writing nothing', async () => {
    const server = await serve(account())
    const out = join(tempFolder('havip-pull-'), 'pulled.json')
    const refused = await pull(server.url, out, 'wrong')
    await server.stop()
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('DescribeHaVips was refused: HTTP 401 SignatureDoesNotMatch')
    const unreachable = await pull('http://127.0.0.1:9', out)
    expect(unreachable.code).toBe(2)
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9: /)
    expect(existsSync(out)).toBe(false)
  }, 30_000)
})

describe('pullPages', () => {
  const body = (action: string, list: string, token = '') => ({ ResponseMetadata: { Action: action }, Result: { [list]: [], NextToken: token } })
  const answer = (status: number, json: unknown) => new Response(JSON.stringify(json), { status })

  it('tries throttled and failed calls again, with waits that double, and gives up on a refusal at once', async () => {
    const calls: Array<string> = []
    const scripted = [answer(429, { ResponseMetadata: { Error: { Code: 'Throttling', Message: 'slow down' } } }), answer(503, {})]
    const fetchStub = (url: string) => {
      const action = new URL(url).searchParams.get('Action') ?? ''
      calls.push(action)
      const next = scripted.shift()
      if (next !== undefined) return Promise.resolve(next)
      const lists: Readonly<Record<string, string>> = { DescribeHaVips: 'HaVips', DescribeInstances: 'Instances', DescribeSubnets: 'Subnets', DescribeRouteTableList: 'RouteTableList' }
      return Promise.resolve(answer(200, body(action, lists[action] ?? 'NetworkInterfaceSets')))
    }
    const pages = await pullPages({ region: 'r', credentials: { accessKeyId: 'a', secretKey: 's' }, fetch: fetchStub as unknown as typeof fetch, sleep: () => Promise.resolve() })
    expect(calls).toEqual(['DescribeHaVips', 'DescribeHaVips', 'DescribeHaVips', 'DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DescribeRouteTableList'])
    expect(pages.map((p) => p.kind)).toEqual(['HaVips', 'Instances', 'NetworkInterfaces', 'Subnets'])
    let refusals = 0
    const refusing = () => { refusals++; return Promise.resolve(answer(403, { ResponseMetadata: { Error: { Code: 'AccessDenied', Message: 'no' } } })) }
    await expect(pullPages({ region: 'r', credentials: { accessKeyId: 'a', secretKey: 's' }, fetch: refusing, sleep: () => Promise.resolve() }))
      .rejects.toThrow('DescribeHaVips was refused: HTTP 403 AccessDenied: no')
    expect(refusals).toBe(1)
    let failures = 0
    const failing = () => { failures++; return Promise.resolve(answer(500, {})) }
    const waits: Array<number> = []
    const sleep = (ms: number) => { waits.push(ms); return Promise.resolve() }
    await expect(pullPages({ region: 'r', credentials: { accessKeyId: 'a', secretKey: 's' }, fetch: failing, sleep, retries: 3 })).rejects.toThrow('HTTP 500')
    expect(failures).toBe(4)
    expect(waits).toEqual([500, 1000, 2000])
  })
})

describe('a snapshot key the format does not have', () => {
  it('makes havip check exit 2 naming the key and the one it was probably meant to be', () => {
    for (const [key, words] of [['Instnces', 'Instnces: is not a snapshot key: did you mean Instances?'], ['NetworkInterfaceSets', 'did you mean NetworkInterfaces? (the name DescribeNetworkInterfaces uses; see havip snapshot build)']] as const) {
      const path = snapshotFile({ HaVips: [], [key]: [] })
      const r = spawnSync(process.execPath, [cli, 'check', '--snapshot', path, 'Action=DescribeHaVips&Version=2020-04-01'], { encoding: 'utf8' })
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(words)
    }
  })
})
