import { printable } from './printable.js'
import { readTextInput } from './text-input.js'
import { UsageError } from './usage-error.js'

/** The most a JSON input file (a Describe page) may hold: far above any page the vendor answers. */
const maxJsonBytes = 256 * 1024 * 1024

/** A file's JSON: a bounded regular file, UTF-8 (`readTextInput`), then parsed; every failure a usage error naming the file. */
export const readJsonFile = (file: string): unknown => {
  const text = readTextInput(file, maxJsonBytes)
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${printable(e instanceof Error ? e.message : String(e))}`)
  }
}
