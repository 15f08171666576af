import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { PullOptions } from '../src/io/pull.js'
import { endpointUrl, pullPages } from '../src/io/pull.js'

// `pullPages` and `endpointUrl` called in the test process, against an injected `fetch` (what the
// endpoint answers, exactly) or a loopback server: what a user of `havip snapshot pull` sees.

const listKeys: Readonly<Record<string, string>> = {
  DescribeHaVips: 'HaVips',
  DescribeInstances: 'Instances',
  DescribeNetworkInterfaces: 'NetworkInterfaceSets',
  DescribeSubnets: 'Subnets',
  DescribeRouteTableList: 'RouteTableList',
  DescribeRouteEntryList: 'RouteEntries',
}

/** The last page of an action: its list empty. */
const emptyPage = (action: string): unknown => ({ Result: { [listKeys[action] ?? 'Unknown']: [] } })

const jsonResponse = (body: unknown, init: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}): Response =>
  new Response(JSON.stringify(body), { status: 200, ...init, headers: { 'content-type': 'application/json', ...init.headers } })

interface Request {
  readonly action: string
  readonly query: URLSearchParams
}

/** An injected `fetch` answering each request with `answer` (the nth request of that action, from 1); every request is recorded. */
const endpoint = (answer: (action: string, n: number, query: URLSearchParams) => Response | undefined) => {
  const requests: Array<Request> = []
  const perAction = new Map<string, number>()
  const doFetch = ((input: string | URL) => {
    const query = new URL(String(input)).searchParams
    const action = query.get('Action') ?? ''
    const n = (perAction.get(action) ?? 0) + 1
    perAction.set(action, n)
    requests.push({ action, query })
    const known = Object.hasOwn(listKeys, action)
    return Promise.resolve(answer(action, n, query) ?? (known
      ? jsonResponse(emptyPage(action))
      : jsonResponse({ ResponseMetadata: { Error: { Code: 'InvalidAction', Message: `no ${action}` } } }, { status: 400 })))
  }) as typeof fetch
  return { fetch: doFetch, requests, actions: () => requests.map((r) => r.action) }
}

const base = (doFetch: typeof fetch, more: Partial<PullOptions> = {}): PullOptions => ({
  region: 'cn-beijing',
  endpoint: 'http://127.0.0.1:1',
  credentials: { accessKeyId: 'AKsurvivor', secretKey: 'SKsurvivor' },
  fetch: doFetch,
  sleep: () => Promise.resolve(),
  ...more,
})

/** The message of the usage error `f` rejects with (or throws), or a description of what else happened. */
const refusal = async (f: () => unknown): Promise<string> => {
  try {
    await f()
  } catch (e) {
    return e instanceof Error && e.name === 'UsageError' ? e.message : `not a usage error: ${String(e)}`
  }
  return 'accepted'
}

const servers: Array<() => Promise<void>> = []
afterEach(async () => { for (const stop of servers.splice(0)) await stop() })

describe('--endpoint, checked before any call', () => {
  it('accepts http and https URLs, and a special scheme written without its slashes', () => {
    expect(endpointUrl('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/')
    expect(endpointUrl('https://open.example.com/').href).toBe('https://open.example.com/')
    expect(endpointUrl('http:127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/')
    expect(endpointUrl('https:open.example.com').href).toBe('https://open.example.com/')
  })

  it('asks for the scheme when it is left out, whether or not the rest parses as a URL', async () => {
    expect(await refusal(() => endpointUrl('localhost:8080'))).toBe('--endpoint localhost:8080: the scheme is missing: write http://localhost:8080 (or https://)')
    expect(await refusal(() => endpointUrl('127.0.0.1:8080'))).toBe('--endpoint 127.0.0.1:8080: the scheme is missing: write http://127.0.0.1:8080 (or https://)')
    // A URL further on in the text is not the endpoint's scheme.
    expect(await refusal(() => endpointUrl('127.0.0.1:8080/?next=http://x'))).toBe('--endpoint 127.0.0.1:8080/?next=http://x: the scheme is missing: write http://127.0.0.1:8080/?next=http://x (or https://)')
  })

  it('refuses another scheme, and a text that is not a URL without printing its password', async () => {
    expect(await refusal(() => endpointUrl('ftp://files.example.com'))).toBe('--endpoint ftp://files.example.com: the scheme must be http or https')
    expect(await refusal(() => endpointUrl('http://operator:hunter2@exa mple.com'))).toBe('--endpoint http://operator:***@exa mple.com: not a URL')
  })

  it('refuses a user name, a password, or both in the URL, never printing the password', async () => {
    const tail = ': a user name or password in the URL is not sent (every request is signed with the access key); leave it out'
    expect(await refusal(() => endpointUrl('http://operator@127.0.0.1:8080'))).toBe(`--endpoint http://operator@127.0.0.1:8080${tail}`)
    expect(await refusal(() => endpointUrl('http://:hunter2@127.0.0.1:8080'))).toBe(`--endpoint http://:***@127.0.0.1:8080${tail}`)
    expect(await refusal(() => endpointUrl('http://operator:hunter2@127.0.0.1:8080//'))).toBe(`--endpoint http://operator:***@127.0.0.1:8080${tail}`)
  })
})

describe('a pull that goes through', () => {
  it('follows the route tables of every page and reads their entries', async () => {
    const e = endpoint((action, n) => {
      if (action === 'DescribeRouteTableList' && n === 1) return jsonResponse({ Result: { RouteTableList: [{ RouteTableId: 'vtb-1' }], NextToken: 't1' } })
      if (action === 'DescribeRouteTableList' && n === 2) return jsonResponse({ Result: { RouteTableList: [{ RouteTableId: 'vtb-2' }], NextToken: '' } })
      return undefined
    })
    const pages = await pullPages(base(e.fetch))
    expect(e.actions()).toEqual(['DescribeHaVips', 'DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DescribeRouteTableList', 'DescribeRouteTableList', 'DescribeRouteEntryList', 'DescribeRouteEntryList'])
    expect(e.requests.filter((r) => r.action === 'DescribeRouteEntryList').map((r) => r.query.get('RouteTableId'))).toEqual(['vtb-1', 'vtb-2'])
    expect(pages.map((p) => p.source)).toEqual(['DescribeHaVips page 1', 'DescribeInstances page 1', 'DescribeNetworkInterfaces page 1', 'DescribeSubnets page 1', 'DescribeRouteEntryList of vtb-1 page 1', 'DescribeRouteEntryList of vtb-2 page 1'])
  })

  it('takes a route table page without a Result as a page without route tables', async () => {
    const e = endpoint((action) => (action === 'DescribeRouteTableList' ? jsonResponse({ ResponseMetadata: { Action: action } }) : undefined))
    await pullPages(base(e.fetch))
    expect(e.actions()).not.toContain('DescribeRouteEntryList')
  })

  it('skips items that are null or have no id, and does not count an empty id as a resource listed before', async () => {
    const e = endpoint((action, n) => {
      if (action === 'DescribeHaVips' && n < 3) return jsonResponse({ Result: { HaVips: [null, 'havip-x', { HaVipId: '' }, { HaVipId: `havip-${String(n)}` }], NextToken: `t${String(n)}` } })
      if (action === 'DescribeSubnets' && n < 3) return jsonResponse({ Result: { Subnets: [{ SubnetId: '' }], NextToken: `s${String(n)}` } })
      if (action === 'DescribeRouteTableList' && n === 1) return jsonResponse({ Result: { RouteTableList: [null, { RouteTableId: '' }, { RouteTableId: 'vtb-1' }], NextToken: 'r1' } })
      return undefined
    })
    const pages = await pullPages(base(e.fetch))
    expect(pages.filter((p) => p.kind === 'HaVips')).toHaveLength(3)
    expect(pages.filter((p) => p.kind === 'Subnets')).toHaveLength(3)
    expect(e.requests.filter((r) => r.action === 'DescribeRouteEntryList').map((r) => r.query.get('RouteTableId'))).toEqual(['vtb-1'])
  })

  it('goes on when a page lists some resources listed before and some new ones', async () => {
    const e = endpoint((action, n) => {
      if (action === 'DescribeHaVips' && n === 1) return jsonResponse({ Result: { HaVips: [{ HaVipId: 'havip-1' }], NextToken: 't1' } })
      if (action === 'DescribeHaVips' && n === 2) return jsonResponse({ Result: { HaVips: [{ HaVipId: 'havip-1' }, { HaVipId: 'havip-2' }], NextToken: 't2' } })
      return undefined
    })
    const pages = await pullPages(base(e.fetch))
    expect(pages.filter((p) => p.kind === 'HaVips').map((p) => p.source)).toEqual(['DescribeHaVips page 1', 'DescribeHaVips page 2', 'DescribeHaVips page 3'])
  })

  it('reads exactly --max-pages pages of a call', async () => {
    const e = endpoint((action, n) => (action === 'DescribeHaVips' && n === 1 ? jsonResponse({ Result: { HaVips: [{ HaVipId: 'havip-1' }], NextToken: 't1' } }) : undefined))
    const pages = await pullPages(base(e.fetch, { limits: { maxPages: 2 } }))
    expect(pages.filter((p) => p.kind === 'HaVips')).toHaveLength(2)
  })

  it('waits before trying a failed call again when no sleep is given', async () => {
    const e = endpoint((action, n) => (action === 'DescribeHaVips' && n === 1 ? jsonResponse({}, { status: 503 }) : undefined))
    const { sleep: _sleep, ...options } = base(e.fetch, { retries: 1 })
    await pullPages(options)
    expect(e.actions().slice(0, 2)).toEqual(['DescribeHaVips', 'DescribeHaVips'])
  })
})

describe('the pages of a call that do not advance', () => {
  it('stops when a new NextToken brings only resources listed before', async () => {
    const e = endpoint((action, n) => (action === 'DescribeHaVips' ? jsonResponse({ Result: { HaVips: [{ HaVipId: 'havip-1' }], NextToken: `t${String(n)}` } }) : undefined))
    expect(await refusal(() => pullPages(base(e.fetch)))).toBe('DescribeHaVips page 2 lists only HaVips earlier pages listed, with a new NextToken: the pages do not advance; stopped')
  })

  it('stops when the route table pages list the same route tables again', async () => {
    const e = endpoint((action, n) => (action === 'DescribeRouteTableList' ? jsonResponse({ Result: { RouteTableList: [{ RouteTableId: 'vtb-1' }], NextToken: `t${String(n)}` } }) : undefined))
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxPages: 5 } })))).toBe('DescribeRouteTableList page 2 lists only RouteTableList earlier pages listed, with a new NextToken: the pages do not advance; stopped')
  })
})

describe('the size of the answers', () => {
  const big = (bytes: number) => jsonResponse({ Result: { HaVips: [], Pad: 'x'.repeat(bytes) } })

  it('names the limit of one page in MiB when it is a whole number of MiB, in bytes otherwise', async () => {
    const e = endpoint((action) => (action === 'DescribeHaVips' ? big(2 ** 20) : undefined))
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 2 ** 20 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1 MiB (the limit of one page): stopped")
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1000 bytes (the limit of one page): stopped")
  })

  it('names the limit of the whole pull when what is left of it is less than one page, the limit of one page otherwise', async () => {
    const e = endpoint((action) => (action === 'DescribeHaVips' ? big(2000) : undefined))
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 1500, maxTotalBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answers' bodies together are larger than 1000 bytes (the limit of one pull): stopped")
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 1000, maxTotalBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1000 bytes (the limit of one page): stopped")
  })

  it('says "once decompressed" of a compressed answer, for either limit', async () => {
    const gzipped = (action: string) => (action === 'DescribeHaVips' ? new Response(JSON.stringify({ Result: { HaVips: [], Pad: 'x'.repeat(5000) } }), { headers: { 'content-encoding': 'gzip' } }) : undefined)
    expect(await refusal(() => pullPages(base(endpoint(gzipped).fetch, { limits: { maxBodyBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1000 bytes once decompressed (the limit of one page): stopped")
    expect(await refusal(() => pullPages(base(endpoint(gzipped).fetch, { limits: { maxTotalBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answers' bodies together are larger than 1000 bytes once decompressed (the limit of one pull): stopped")
  })

  it('refuses a body declared larger than the limit without reading it', async () => {
    let pulled = 0
    let cancelled = 0
    const e = endpoint((action) => (action === 'DescribeHaVips'
      ? new Response(new ReadableStream<Uint8Array>({ pull: (ctl) => { pulled++; ctl.enqueue(new Uint8Array(10)) }, cancel: () => { cancelled++ } }, { highWaterMark: 0 }), { headers: { 'content-length': '5000' } })
      : undefined))
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1000 bytes (the limit of one page): stopped")
    expect([pulled, cancelled]).toEqual([0, 1])
  })

  it('refuses a declared-too-large answer that has no body at all', async () => {
    const e = endpoint((action) => (action === 'DescribeHaVips' ? new Response(null, { headers: { 'content-length': '5000' } }) : undefined))
    expect(await refusal(() => pullPages(base(e.fetch, { limits: { maxBodyBytes: 1000 } })))).toBe("DescribeHaVips page 1: the answer's body is larger than 1000 bytes (the limit of one page): stopped")
  })

  it('takes a compressed answer whose compressed length is over the limit but not its decompressed body', async () => {
    // As long as the longest of the other (empty) pages.
    const body = JSON.stringify({ Result: { HaVips: [], Pad: 'x'.repeat(30) } })
    const e = endpoint((action) => (action === 'DescribeHaVips' ? new Response(body, { headers: { 'content-encoding': 'gzip', 'content-length': String(body.length + 20) } }) : undefined))
    const pages = await pullPages(base(e.fetch, { limits: { maxBodyBytes: body.length } }))
    expect(pages[0]?.json).toEqual(JSON.parse(body))
  })

  it('takes a body of exactly the limit, whether its length is declared or not', async () => {
    const body = JSON.stringify({ Result: { HaVips: [], Pad: 'x'.repeat(100) } })
    const declared = endpoint((action) => (action === 'DescribeHaVips' ? new Response(body, { headers: { 'content-length': String(body.length) } }) : undefined))
    expect((await pullPages(base(declared.fetch, { limits: { maxBodyBytes: body.length } })))[0]?.json).toEqual(JSON.parse(body))
    const streamed = endpoint((action) => (action === 'DescribeHaVips' ? new Response(new Blob([body]).stream()) : undefined))
    expect((await pullPages(base(streamed.fetch, { limits: { maxBodyBytes: body.length } })))[0]?.json).toEqual(JSON.parse(body))
  })

  it('counts an answer without a body as no bytes of the whole pull', async () => {
    const bodies = new Map(Object.keys(listKeys).map((action) => [action, JSON.stringify(emptyPage(action))]))
    const total = [...bodies.values()].reduce((sum, b) => sum + b.length, 0)
    const e = endpoint((action, n) => (action === 'DescribeHaVips' && n === 1 ? new Response(null, { status: 503 }) : new Response(bodies.get(action) ?? '')))
    const pages = await pullPages(base(e.fetch, { limits: { maxTotalBytes: total - (bodies.get('DescribeRouteEntryList') ?? '').length } }))
    expect(pages).toHaveLength(4)
  })

  it('refuses an answer of status 200 without a body', async () => {
    const e = endpoint(() => new Response(null))
    expect(await refusal(() => pullPages(base(e.fetch)))).toBe('DescribeHaVips was refused: HTTP 200')
  })
})

describe('a redirect is not followed', () => {
  const redirecting = (status: number, headers: Record<string, string>) => endpoint((action) => (action === 'DescribeHaVips' ? new Response(null, { status, headers }) : undefined))
  const tail = ': not followed (signed requests go only where --endpoint says)'

  it('names where it goes, on the same host or another, its password hidden', async () => {
    expect(await refusal(() => pullPages(base(redirecting(302, { location: '/elsewhere' }).fetch)))).toBe(`DescribeHaVips page 1: the endpoint redirects to http://127.0.0.1:1/elsewhere${tail}`)
    expect(await refusal(() => pullPages(base(redirecting(300, { location: 'http://127.0.0.1:1/other' }).fetch)))).toBe(`DescribeHaVips page 1: the endpoint redirects to http://127.0.0.1:1/other${tail}`)
    expect(await refusal(() => pullPages(base(redirecting(307, { location: 'https://u:hunter2@attacker.example/x' }).fetch)))).toBe(`DescribeHaVips page 1: the endpoint redirects to https://u:***@attacker.example/x (another host)${tail}`)
  })

  it('names a redirect without a Location, or with one that is not a URL, as given', async () => {
    expect(await refusal(() => pullPages(base(redirecting(301, {}).fetch)))).toBe(`DescribeHaVips page 1: the endpoint redirects to (no Location)${tail}`)
    expect(await refusal(() => pullPages(base(redirecting(308, { location: 'http://[bad' }).fetch)))).toBe(`DescribeHaVips page 1: the endpoint redirects to http://[bad${tail}`)
  })

  it('is refused from a real server, with fetch left to its default', async () => {
    const server = createServer((_req, res) => { res.writeHead(302, { location: '/moved' }); res.end('moved') })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
    const { fetch: _fetch, ...options } = base(fetch, { endpoint: url })
    expect(await refusal(() => pullPages(options))).toBe(`DescribeHaVips page 1: the endpoint redirects to ${url}/moved${tail}`)
  })
})
