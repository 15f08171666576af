import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { SourceLocation } from '../plan/check-plan.js'
import type { Waiver } from '../plan/waivers.js'
import { unknownId, waivableIds } from '../plan/waivers.js'
import { readTextInput } from './text-input.js'
import { fsReason, UsageError } from './usage-error.js'

/** The largest `.tf` file read: hand-written configuration is a few hundred KiB at most. */
export const maxTfBytes = 8 * 1024 * 1024

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false // the read that follows names the problem
  }
}

const resourceBlock = /^\s*resource\s+"([^"]+)"\s+"([^"]+)"/
// A block's end: its closing brace at the start of a line, or the next top-level block.
const blockEnd = /^(\}|[A-Za-z_][\w-]*(\s+"[^"]*")*\s*\{)/
const waiverComment = /^\s*(?:#|\/\/)\s*havip:ignore\b(.*)$/

/** What the configuration says: where each resource block is, and the waivers written in them. */
export interface Configuration {
  readonly locations: ReadonlyMap<string, SourceLocation>
  readonly waivers: ReadonlyArray<Waiver>
}

/** A `# havip:ignore ID REASON` comment, inside the block it waives; anything else is a usage error naming file and line. */
const waiverIn = (text: string, where: string, block: string | undefined): Waiver => {
  const [id = '', ...words] = text.trim().split(/\s+/)
  const reason = words.join(' ')
  if (id === '') throw new UsageError(`${where}: havip:ignore needs an error id and a reason: # havip:ignore ERROR_ID REASON`)
  if (!waivableIds.includes(id)) throw new UsageError(`${where}: havip:ignore ${JSON.stringify(id)}: not an error id havip plan reports (see docs/errors.md), nor ${unknownId}`)
  if (reason === '') throw new UsageError(`${where}: havip:ignore ${id} needs a reason after the error id: say why the finding is accepted`)
  if (block === undefined) throw new UsageError(`${where}: havip:ignore is outside a resource block: put it inside the block it waives`)
  return { id, reason, address: block, scope: 'block', kind: 'inline', where }
}

/** The `resource "TYPE" "NAME"` blocks of a folder's `.tf` files: their line, by `TYPE.NAME`; and their waivers. */
const blocksIn = (folder: string, base: string, modulePath: string, into: Map<string, SourceLocation>, waivers: Array<Waiver>): void => {
  let names: ReadonlyArray<string>
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.tf')).sort()
  } catch (e) {
    throw new UsageError(`${folder}: cannot read the configuration folder: ${fsReason(e)}`)
  }
  for (const name of names) {
    const file = join(folder, name)
    // A folder named like a file is skipped, as Terraform skips it; anything else must be a regular file.
    if (isFolder(file)) continue
    const shown = relative(base, file).split(sep).join('/')
    const lines = readTextInput(file, maxTfBytes).split('\n')
    let block: string | undefined
    lines.forEach((line, i) => {
      const m = resourceBlock.exec(line)
      if (m !== null) {
        const address = m.slice(1).join('.')
        block = modulePath === '' ? address : `${modulePath}.${address}`
        if (!into.has(block)) into.set(block, { file: shown, line: i + 1 })
        return
      }
      if (blockEnd.test(line)) block = undefined
      const comment = waiverComment.exec(line)
      if (comment !== null) waivers.push(waiverIn(comment[1] ?? '', `${shown}:${String(i + 1)}`, block))
    })
  }
}

/**
 * The folder findings' files are named from: the repository that holds the configuration (the
 * nearest folder at or above it with a `.git`), as code scanning and CI systems resolve paths from
 * the repository root; the configuration folder itself outside a repository.
 */
export const sourceRoot = (config: string): string => {
  const start = resolve(config)
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git'))) return folder
    if (dirname(folder) === folder) return start
  }
}

/**
 * Where each resource block is, in the root configuration folder and the local modules it calls
 * (`source` starting with `./` or `../`, each relative to its caller's folder): files relative to
 * `base` (`sourceRoot` of the configuration unless given), lines from 1; and the `# havip:ignore`
 * waivers written inside resource blocks.
 */
export const readConfiguration = (root: string, localModules: ReadonlyArray<{ readonly path: string; readonly source: string }>, base = sourceRoot(root)): Configuration => {
  const locations = new Map<string, SourceLocation>()
  const waivers: Array<Waiver> = []
  const folders = new Map<string, string>()
  blocksIn(resolve(root), resolve(base), '', locations, waivers)
  // Callers come before the modules they call (the plan lists them depth-first).
  for (const { path, source } of localModules) {
    // A top-level module's caller is the root, which is in no module.
    const parent = folders.get(path.replace(/\.module\.[^.]+$/, '')) ?? resolve(root)
    const folder = resolve(parent, source)
    folders.set(path, folder)
    blocksIn(folder, resolve(base), path, locations, waivers)
  }
  return { locations, waivers }
}

/** Where each resource block is (`readConfiguration`'s locations). */
export const readLocations = (root: string, localModules: ReadonlyArray<{ readonly path: string; readonly source: string }>, base = sourceRoot(root)): ReadonlyMap<string, SourceLocation> =>
  readConfiguration(root, localModules, base).locations
