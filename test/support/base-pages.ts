import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { handle } from 'havip-rules'
import { base } from './snapshots.js'

/** Writes `json` (or the text as it is) to `dir/name`; the path. */
export const writeJson = (dir: string, name: string, json: unknown): string => {
  const path = join(dir, name)
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json))
  return path
}

/** A Describe page of the base snapshot, as the API answers it. */
export const basePage = (action: string, params: Readonly<Record<string, string>> = {}): unknown =>
  handle(base(), { Action: action, Version: '2020-04-01', ...params }, { requestId: 'r' }).body

/** The base snapshot's Describe pages, one file a kind in `dir`; `dir`. */
export const writeBasePages = (dir: string): string => {
  const page = basePage
  writeJson(dir, 'havips.json', page('DescribeHaVips', { PageSize: '100' }))
  writeJson(dir, 'instances.json', page('DescribeInstances', { MaxResults: '100' }))
  writeJson(dir, 'enis.json', page('DescribeNetworkInterfaces', { PageSize: '100' }))
  writeJson(dir, 'subnets.json', page('DescribeSubnets', { PageSize: '100' }))
  writeJson(dir, 'routes.json', page('DescribeRouteEntryList', { RouteTableId: 'vtb-1', PageSize: '100' }))
  return dir
}
