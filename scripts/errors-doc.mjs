// Writes the catalogue tables of docs/errors.md from src/errors/catalog.ts (built into dist/), so
// that the document and the code cannot disagree. `npm run docs` runs it; a test checks it is current.
import { readFileSync, writeFileSync } from 'node:fs'
import { catalog } from '../dist/errors/catalog.js'

/** Where each error comes from, in the order the document lists them. */
export const groups = [
  {
    title: 'AssociateHaVip and DisassociateHaVip',
    origin: "The vendor's AssociateHaVip error table, word for word (the five `Forbidden` rows share one code and are told apart by their id), its DisassociateHaVip page's `InvalidEni.InvalidStatus`, and `ResourceNotAssociated` (a choice, after the vendor's sibling cloud).",
    ids: [
      'IdempotentProcessing', 'IdempotentParameterMismatch', 'InvalidHaVip.NotFound', 'InvalidInstance.NotFound', 'InvalidEniId.NotFound',
      'InvalidHaVip.InvalidStatus', 'InvalidHaVip.NotSupport', 'InvalidInstance.InvalidStatus', 'Forbidden.ServiceManagedEni',
      'InvalidEni.InvalidStatus', 'Forbidden.EniNotAttachedToEcs', 'Forbidden.MixedInstanceTypes', 'InvalidInstance.HaVipMismatch',
      'Forbidden.InstanceAlreadyAssociated', 'Forbidden.TwoEnisOfOneInstance', 'LimitExceeded.InstancesPerHaVip',
      'LimitExceeded.HaVipsPerInstance', 'ResourceNotAssociated', 'InvalidInstanceType.Malformed', 'InvalidParameter.ClientTokenMalformed',
    ],
  },
  {
    title: 'CreateHaVip, DeleteHaVip, ModifyHaVipAttributes and GetAsyncTaskStatus',
    origin: "The vendor's texts where it publishes them: the name and description errors of its ModifyHaVipAttributes table (their Chinese texts from its sibling VPC pages) and the two `InvalidHaVip.InUse` of its DeleteHaVip table (told apart by their id). Every other error here is a choice, after the vendor's naming of its sibling VPC errors. A Chinese text marked *(own)* is havip-rules' own: the vendor publishes none.",
    ids: [
      'InvalidName.Malformed.TooLong', 'InvalidName.Malformed', 'InvalidDescription.Malformed.TooLong', 'InvalidDescription.Malformed',
      'InvalidIpAddress.Malformed', 'InvalidSubnet.NotFound', 'InvalidSubnet.InvalidStatus', 'InvalidIpAddress.OutOfRange',
      'InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse', 'InsufficientIpAddress.Subnet', 'QuotaExceeded.HaVipsPerVpc',
      'QuotaExceeded.HaVipsPerRegion', 'InvalidHaVip.InUse.Eip', 'InvalidHaVip.InUse.RouteEntry', 'InvalidAsyncTask.NotFound',
    ],
  },
  {
    title: 'The gateway',
    origin: "The vendor's public error codes, with their `CodeN`: what the API gateway answers before an action runs (the vendor publishes them in English only; the Chinese texts are havip-rules' own and never reach the wire); and `InvalidParameter` for a Describe parameter out of range (a choice: no VPC page of public codes was found).",
    ids: ['MissingParameter', 'InvalidActionOrVersion', 'InvalidParameter', 'InternalError'],
  },
  {
    title: 'The endpoint (`havip serve`)',
    origin: "The gateway's signature errors, with their `CodeN`, and what havip serve answers for an HTTP request that never reaches an action (a choice: the vendor documents none of these).",
    ids: [
      'MissingAuthenticationToken', 'InvalidAccessKey', 'InvalidTimestamp', 'SignatureDoesNotMatch',
      'RequestEntityTooLarge', 'MalformedRequest', 'RequestTimeout', 'RequestHeaderFieldsTooLarge', 'MalformedRequestBody', 'InvalidPath', 'MethodNotAllowed',
    ],
  },
]

const cell = (text) => String(text).replaceAll('|', '\\|')

/** The errors whose Chinese text is havip-rules' own, the vendor publishing none. */
const ownChinese = new Set([
  'InvalidName.Malformed', 'InvalidDescription.Malformed', 'InvalidHaVip.InUse.Eip', 'InvalidHaVip.InUse.RouteEntry',
  'InvalidSubnet.NotFound', 'InvalidSubnet.InvalidStatus', 'InvalidIpAddress.Malformed', 'InvalidIpAddress.OutOfRange',
  'InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse', 'InsufficientIpAddress.Subnet', 'QuotaExceeded.HaVipsPerVpc',
  'QuotaExceeded.HaVipsPerRegion', 'InvalidAsyncTask.NotFound',
])

/** The tables, one a group; every catalogue id in exactly one group, or an error. */
export const catalogTables = () => {
  const listed = groups.flatMap((g) => g.ids)
  const missing = Object.keys(catalog).filter((id) => !listed.includes(id))
  const unknown = listed.filter((id) => !Object.hasOwn(catalog, id))
  if (missing.length > 0 || unknown.length > 0 || new Set(listed).size !== listed.length) {
    throw new Error(`scripts/errors-doc.mjs: groups out of date (missing ${missing.join(', ') || 'none'}; unknown ${unknown.join(', ') || 'none'})`)
  }
  return groups.map((g) => [
    `### ${g.title}`,
    '',
    g.origin,
    '',
    '| Id | Code | CodeN | HTTP | Message | 中文 |',
    '|---|---|---|---|---|---|',
    ...g.ids.map((id) => {
      const e = catalog[id]
      return `| \`${id}\` | \`${e.code}\` | ${e.codeN ?? ''} | ${e.status} | ${cell(e.en)} | ${cell(e.zh)}${ownChinese.has(id) ? ' *(own)*' : ''} |`
    }),
  ].join('\n')).join('\n\n')
}

const start = '<!-- catalogue: written by scripts/errors-doc.mjs -->'
const end = '<!-- end of catalogue -->'

/** docs/errors.md with its catalogue section brought up to date. */
export const withCatalogue = (text) => {
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from === -1 || to === -1) throw new Error('docs/errors.md: the catalogue markers are missing')
  return `${text.slice(0, from + start.length)}\n\n${catalogTables()}\n\n${text.slice(to)}`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../docs/errors.md', import.meta.url)
  writeFileSync(path, withCatalogue(readFileSync(path, 'utf8')))
}
