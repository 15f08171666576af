import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { loadSnapshot } from '../codec/snapshot.js'
import { buildSnapshot } from '../describe/build.js'
import type { DescribePage, ResourceKind } from '../describe/pages.js'
import { readJsonFile } from '../io/json-file.js'
import { defaultEndpoint, defaultPullLimits, endpointUrl, pullPages } from '../io/pull.js'
import { saveLocked } from '../io/snapshot-file.js'
import { snapshotText } from '../io/snapshot-text.js'
import { fsReason, UsageError } from '../io/usage-error.js'
import type { SnapshotJson } from '../model/json.js'
import { isSnapshot } from '../model/snapshot.js'
import type { CliIo } from './io.js'
import { parseCommandArgs, required } from './args.js'

export const snapshotUsage = `usage: havip snapshot build [--havips FILE...]... [--instances FILE...]... [--enis FILE...]... [--subnets FILE...]... [--route-entries FILE...]... [--region R] [--out FILE]
       havip snapshot pull --region R [--endpoint URL] [--vpc-id ID] [--max-pages N] [--out FILE]

build: makes a snapshot from saved Describe pages. Each FILE is one page as the API, the vendor SDK
or its command line saves it: the whole response ({ResponseMetadata, Result}), its Result, or the
bare list; UTF-8, with or without a byte order mark. A folder stands for its .json files. Any number
of pages of each kind, in any order:

  --havips FILE...     DescribeHaVips pages (Result.HaVips)
  --instances FILE...  ecs DescribeInstances pages (Result.Instances)
  --enis FILE...       DescribeNetworkInterfaces pages (Result.NetworkInterfaceSets)
  --subnets FILE...    DescribeSubnets pages (Result.Subnets)
  --route-entries FILE...  DescribeRouteEntryList pages (Result.RouteEntries), of any route tables
  --region R           the snapshot's Region (default: the one the pages name)

pull: reads the account itself with those calls (and DescribeRouteTableList, for the route
entries of every route table), signed with VOLC_ACCESSKEY and VOLC_SECRETKEY, every page to the
end, throttling and 5xx answers tried again.

  --region R         the account's region (required)
  --endpoint URL     default ${defaultEndpoint}; a havip serve or a private endpoint otherwise
  --vpc-id ID        only the resources of this VPC
  --max-pages N      pages of one call before the pull stops (default ${String(defaultPullLimits.maxPages)})

An endpoint is refused, and the pull stopped saying why, when it redirects, repeats a NextToken or
a page, answers more than N pages, a body over ${String(defaultPullLimits.maxBodyBytes / 2 ** 20)} MiB (decompressed) or over
${String(defaultPullLimits.maxTotalBytes / 2 ** 20)} MiB in all.

Both write the snapshot to standard output, or atomically to --out FILE. Every vendor field is kept.
Exit: 0 written; 2 a page that is not JSON, of the wrong kind, an error response, two pages that
disagree, a missing page, a refused or unreachable API: nothing written.`

const readPageFile = (kind: ResourceKind, file: string): DescribePage => ({ kind, source: file, json: readJsonFile(file) })

/** A page file as given, or every `.json` file of a folder, by name. */
const pageFiles = (path: string): ReadonlyArray<string> => {
  let folder: boolean
  try {
    folder = statSync(path).isDirectory()
  } catch (e) {
    throw new UsageError(`${path}: cannot read the page: ${fsReason(e)}`)
  }
  if (!folder) return [path]
  let names: ReadonlyArray<string>
  try {
    names = readdirSync(path).filter((name) => name.endsWith('.json')).sort()
  } catch (e) {
    throw new UsageError(`${path}: cannot read the folder: ${fsReason(e)}`)
  }
  if (names.length === 0) throw new UsageError(`${path}: a folder without a .json page`)
  return names.map((name) => join(path, name))
}

const kindFlags: Readonly<Record<string, ResourceKind>> = { havips: 'HaVips', instances: 'Instances', enis: 'NetworkInterfaces', subnets: 'Subnets', 'route-entries': 'RouteEntries' }

/** Writes the snapshot where asked: standard output, or a file, atomically and holding its lock. */
const emit = (json: SnapshotJson, out: string | undefined, io: CliIo): void => {
  const loaded = loadSnapshot(json)
  if (E.isLeft(loaded) || !isSnapshot(loaded.right)) throw new UsageError('the snapshot does not load')
  if (out !== undefined) saveLocked(out, loaded.right, 'havip snapshot')
  else for (const piece of snapshotText(loaded.right)) io.out(piece)
}

const build = (argv: ReadonlyArray<string>, io: CliIo): number => {
  // The page flags are read from the tokens below, each occurrence with the words after it: their values are not used.
  const { values, tokens } = parseCommandArgs('snapshot build', {
    havips: { type: 'string' },
    instances: { type: 'string' },
    enis: { type: 'string' },
    subnets: { type: 'string' },
    'route-entries': { type: 'string' },
    region: { type: 'string' },
    out: { type: 'string' },
  }, argv)
  // `--havips a.json b.json pages/`: the words after a kind's flag are its pages too, files or folders.
  const given: Array<readonly [ResourceKind, string]> = []
  let current: ResourceKind | undefined
  for (const token of tokens) {
    if (token.kind === 'option') current = kindFlags[token.name]
    // `--` has no value: it ends the flags, not the pages of the flag before it.
    const path = token.value
    if (token.kind === 'positional' && current === undefined) {
      throw new UsageError(`unexpected ${JSON.stringify(token.value)}: pages are given with --havips, --instances, --enis, --subnets or --route-entries (see havip snapshot --help)`)
    }
    if (current !== undefined && path !== undefined) given.push([current, path])
  }
  const pages = given.flatMap(([kind, path]) => pageFiles(path).map((file) => readPageFile(kind, file)))
  if (pages.length === 0) throw new UsageError('no page given (see havip snapshot --help)')
  const built = buildSnapshot(pages, values.region === undefined ? {} : { region: values.region })
  if (E.isLeft(built)) throw new UsageError(`the pages do not make a snapshot:\n${built.left.problems.map((p) => `  ${p.source}: ${p.path || '(root)'}: ${p.message}`).join('\n')}`)
  emit(built.right, values.out, io)
  return 0
}

const pull = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommandArgs('snapshot pull', {
    region: { type: 'string' },
    endpoint: { type: 'string' },
    'vpc-id': { type: 'string' },
    'max-pages': { type: 'string' },
    out: { type: 'string' },
  }, argv)
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])} (see havip snapshot --help)`)
  const region = required(values.region, 'region', 'snapshot')
  // A URL that cannot work fails before anything else is asked for.
  if (values.endpoint !== undefined) endpointUrl(values.endpoint)
  const accessKeyId = io.env.VOLC_ACCESSKEY
  const secretKey = io.env.VOLC_SECRETKEY
  if (accessKeyId === undefined || accessKeyId === '' || secretKey === undefined || secretKey === '') {
    throw new UsageError('set VOLC_ACCESSKEY and VOLC_SECRETKEY to the account\'s access key (see havip snapshot --help)')
  }
  const maxPages = values['max-pages'] === undefined ? defaultPullLimits.maxPages : Number(values['max-pages'])
  if (!Number.isSafeInteger(maxPages) || maxPages < 1) throw new UsageError(`--max-pages ${JSON.stringify(values['max-pages'])}: expected a whole number of pages, at least 1`)
  const counts: Partial<Record<ResourceKind, string>> = {}
  const pages = await pullPages({
    region,
    credentials: { accessKeyId, secretKey },
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    ...(values['vpc-id'] === undefined ? {} : { vpcId: values['vpc-id'] }),
    limits: { maxPages },
    ...(io.stderrIsTTY ? {
      onPage: (kind: ResourceKind, n: number, resources: number) => {
        counts[kind] = `${kind} ${String(resources)} (${String(n)} page${n === 1 ? '' : 's'})`
        io.err(`\rpulling: ${Object.values(counts).join(', ')}`)
      },
    } : {}),
  })
  if (io.stderrIsTTY) io.err('\n')
  const built = buildSnapshot(pages, { region })
  if (E.isLeft(built)) throw new UsageError(`the account's pages do not make a snapshot:\n${built.left.message}`)
  emit(built.right, values.out, io)
  return 0
}

/** `havip snapshot build|pull`. */
export const snapshotCommand = (argv: ReadonlyArray<string>, io: CliIo): number | Promise<number> => {
  const [sub, ...rest] = argv
  if (sub === 'build') return build(rest, io)
  if (sub === 'pull') return pull(rest, io)
  throw new UsageError(`havip snapshot ${sub === undefined ? 'needs' : `has no ${JSON.stringify(sub)}; it takes`} build or pull (see havip snapshot --help)`)
}
