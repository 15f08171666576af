import { parseArgs } from 'node:util'
import type { ByteReader } from '../io/text-input.js'
import { readUpTo } from '../io/text-input.js'
import { UsageError } from '../io/usage-error.js'


/** A command's flag: a string (given once, or any number of times) or a switch. */
interface FlagSpec {
  readonly type: 'string' | 'boolean'
  readonly multiple?: boolean
}

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean' ? boolean : F['multiple'] extends true ? Array<string> : string

/** What was given on the command line. */
export interface ParsedArgs<O extends Readonly<Record<string, FlagSpec>>> {
  readonly values: { readonly [K in keyof O]?: FlagValue<O[K]> }
  readonly positionals: ReadonlyArray<string>
  /** Flags and positional arguments in the order given, for a command whose flag takes the words after it. */
  readonly tokens: ReadonlyArray<{ readonly kind: 'option'; readonly name: string; readonly value?: string | undefined } | { readonly kind: 'positional'; readonly value: string } | { readonly kind: 'option-terminator'; readonly value?: undefined }>
}

/** A command's flags and positional arguments; a flag it does not take is a usage error naming the command. */
export const parseCommandArgs = <const O extends Readonly<Record<string, FlagSpec>>>(command: string, options: O, argv: ReadonlyArray<string>): ParsedArgs<O> => {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true })
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)} (see havip ${command} --help)`)
  }
}

/** A flag's value that must be given. */
export const required = (value: string | undefined, flag: string, command: string): string => {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required (see havip ${command} --help)`)
  return value
}

/** The most queries read from standard input: about 300,000 of them, far more than one check needs. */
const maxQueryInputBytes = 64 * 1024 * 1024

/** Standard input as text; a folder, a closed input or an endless one is a usage error, not a stack trace. */
const readStdin = (stdin: ByteReader): string =>
  readUpTo(stdin, maxQueryInputBytes, 'standard input', (why) => `cannot read standard input: ${why}`).toString('utf8')

/**
 * The queries of `call` and `check`: each argument is one, and `-` stands for standard input, one
 * a line (blank lines and lines starting with `#` skipped).
 */
export const readQueries = (args: ReadonlyArray<string>, command: string, stdin: ByteReader): ReadonlyArray<string> => {
  // `Action=A Version=V …` unquoted: each word would be a query of its own, all but the first without an Action.
  const split = args.length > 1 ? args.find((arg) => /^[A-Za-z][\w.]*=[^&?]*$/.test(arg) && !arg.startsWith('Action=')) : undefined
  if (split !== undefined) {
    throw new UsageError(`${JSON.stringify(split)} is one parameter, not a query: join the parameters of a query with & and quote it, as in '${args.filter((a) => a !== '-').join('&')}' (see havip ${command} --help)`)
  }
  const queries = args.flatMap((arg) =>
    arg === '-'
      ? readStdin(stdin).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
      : [arg])
  if (queries.length === 0) throw new UsageError(`no QUERY given (see havip ${command} --help)`)
  return queries
}
