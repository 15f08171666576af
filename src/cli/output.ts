/**
 * The command line's two outputs. A reader that leaves (a closed pipe: `havip check … | head -1`)
 * is not an error: what is left to print is dropped and the command finishes what it was doing —
 * a save it was asked for included — and exits with the code it would have.
 */
export interface Output {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Whether to colour standard output (`wantsColour`). */
  readonly colour: boolean
}

const safeWriter = (stream: NodeJS.WriteStream): ((text: string) => void) => {
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

/**
 * Colour only on a terminal, unless the user says otherwise: a non-empty `NO_COLOR` turns it off
 * (no-color.org), `FORCE_COLOR` (other than `0`) turns it on even in a pipe, `TERM=dumb` off.
 */
export const wantsColour = (isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return isTTY && env.TERM !== 'dumb'
}

export const processOutput = (): Output => ({
  out: safeWriter(process.stdout),
  err: safeWriter(process.stderr),
  colour: wantsColour(process.stdout.isTTY, process.env),
})
