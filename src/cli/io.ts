import type { ByteReader } from '../io/text-input.js'
import { standardInput } from '../io/text-input.js'

/**
 * What the command line takes from the process that runs it — and a test gives in its place. Its
 * two outputs: a reader that leaves (a closed pipe: `havip check … | head -1`) is not an error:
 * what is left to print is dropped and the command finishes what it was doing — a save it was asked
 * for included — and exits with the code it would have.
 */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Where `-` reads from. */
  readonly stdin: ByteReader
  /** The environment: VOLC_ACCESSKEY and VOLC_SECRETKEY, HAVIP_DEBUG, NO_COLOR, FORCE_COLOR, TERM. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  /**
   * Resolves once the process is asked to stop (SIGINT, SIGTERM): the end of `havip serve`. Called
   * before the server listens, so that a signal sent as soon as its address is printed is not missed.
   */
  readonly stopRequested: () => Promise<void>
}

/**
 * Colour only on a terminal, unless the user says otherwise: a non-empty `NO_COLOR` turns it off
 * (no-color.org), `FORCE_COLOR` (other than `0`) turns it on even in a pipe, `TERM=dumb` off.
 */
export const wantsColour = (isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return isTTY && env.TERM !== 'dumb'
}

/** Writes to `stream` until it fails (its reader left): then drops the rest, and never throws. */
export const safeWriter = (stream: NodeJS.WritableStream): ((text: string) => void) => {
  let open = true
  stream.on('error', () => { open = false })
  return (text) => {
    if (!open) return
    try {
      stream.write(text)
    } catch {
      open = false
    }
  }
}

/** The process's own streams, environment and signals. */
export const processIo = (): CliIo => ({
  out: safeWriter(process.stdout),
  err: safeWriter(process.stderr),
  stdin: standardInput,
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY,
  stderrIsTTY: process.stderr.isTTY,
  stopRequested: () => new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  }),
})
