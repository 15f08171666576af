import type { CliIo } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/run.js'
import type { ByteReader } from '../../src/io/text-input.js'

/**
 * The `havip` command run in the test process (runCli, the code the bin runs), so that a mutant of
 * src/cli is seen. Its environment is only what a test gives (not the test process's: a VOLC_*
 * key in the developer's shell must not change an answer), standard input is empty unless given,
 * and neither output is a terminal unless said.
 */
export interface HavipOptions {
  /** Standard input: text, bytes, or a reader of its own (a folder's descriptor, a failing read). */
  readonly stdin?: string | Uint8Array | ByteReader
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly stdoutIsTTY?: boolean
  readonly stderrIsTTY?: boolean
}

export interface HavipRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A reader of the given bytes, as a pipe holding them would answer. */
export const bytesReader = (bytes: Uint8Array): ByteReader => {
  let at = 0
  return (chunk) => {
    const n = Math.min(chunk.length, bytes.length - at)
    chunk.set(bytes.subarray(at, at + n))
    at += n
    return n
  }
}

const reader = (stdin: HavipOptions['stdin']): ByteReader =>
  typeof stdin === 'function' ? stdin : bytesReader(typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin ?? new Uint8Array())

/** A command running (`havip serve`): what it printed so far, a wait for some output, and SIGTERM. */
export interface RunningHavip {
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves once standard output holds a match, with the match. */
  readonly printed: (pattern: RegExp) => Promise<RegExpMatchArray>
  /** What SIGINT or SIGTERM does to the process. */
  readonly stop: () => void
  readonly done: Promise<HavipRun>
}

/** Starts `havip ARGV…` in the test process. */
export const startHavip = (argv: ReadonlyArray<string>, options: HavipOptions = {}): RunningHavip => {
  let stdout = ''
  let stderr = ''
  const waiting: Array<() => void> = []
  let stop = (): void => undefined
  const stopRequested = new Promise<void>((resolve) => { stop = resolve })
  const io: CliIo = {
    out: (text) => {
      stdout += text
      for (const check of waiting.splice(0)) check()
    },
    err: (text) => { stderr += text },
    stdin: reader(options.stdin),
    env: options.env ?? {},
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    stopRequested: () => stopRequested,
  }
  const done = runCli(argv, io).then((code) => ({ code, stdout, stderr }))
  const printed = (pattern: RegExp): Promise<RegExpMatchArray> => new Promise((resolve, reject) => {
    const check = (): void => {
      const match = stdout.match(pattern)
      if (match !== null) resolve(match)
      else waiting.push(check)
    }
    check()
    // A command that ends without printing it fails the wait rather than hanging it.
    void done.then((r) => { if (stdout.match(pattern) === null) reject(new Error(`havip ${argv.join(' ')} exited ${String(r.code)} without printing ${String(pattern)}: ${r.stderr}`)) })
  })
  return { stdout: () => stdout, stderr: () => stderr, printed, stop: () => { stop() }, done }
}

/** `havip ARGV…` run to its end in the test process: its exit code and both outputs. */
export const runHavip = (argv: ReadonlyArray<string>, options: HavipOptions = {}): Promise<HavipRun> => startHavip(argv, options).done
