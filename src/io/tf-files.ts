import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { SourceLocation } from '../plan/check-plan.js'
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

/** The `resource "TYPE" "NAME"` blocks of a folder's `.tf` files: their line, by `TYPE.NAME`. */
const blocksIn = (folder: string, root: string, modulePath: string, into: Map<string, SourceLocation>): void => {
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
    const lines = readTextInput(file, maxTfBytes).split('\n')
    lines.forEach((line, i) => {
      const m = resourceBlock.exec(line)
      if (m === null) return
      const address = m.slice(1).join('.')
      const key = modulePath === '' ? address : `${modulePath}.${address}`
      if (!into.has(key)) into.set(key, { file: relative(root, file).split(sep).join('/'), line: i + 1 })
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
 * `base` (`sourceRoot` of the configuration unless given), lines from 1.
 */
export const readLocations = (root: string, localModules: ReadonlyArray<{ readonly path: string; readonly source: string }>, base = sourceRoot(root)): ReadonlyMap<string, SourceLocation> => {
  const locations = new Map<string, SourceLocation>()
  const folders = new Map<string, string>()
  blocksIn(resolve(root), resolve(base), '', locations)
  // Callers come before the modules they call (the plan lists them depth-first).
  for (const { path, source } of localModules) {
    // A top-level module's caller is the root, which is in no module.
    const parent = folders.get(path.replace(/\.module\.[^.]+$/, '')) ?? resolve(root)
    const folder = resolve(parent, source)
    folders.set(path, folder)
    blocksIn(folder, resolve(base), path, locations)
  }
  return locations
}
