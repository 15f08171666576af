/** How a report marks things for a person: ANSI colours on a terminal, nothing elsewhere. */
export interface Style {
  readonly good: (text: string) => string
  readonly bad: (text: string) => string
  readonly warn: (text: string) => string
  readonly strong: (text: string) => string
  readonly faint: (text: string) => string
}

const ansi = (open: number, close: number) => (text: string): string => `\u001b[${String(open)}m${text}\u001b[${String(close)}m`
const plainText = (text: string): string => text

export const style = (colour: boolean): Style =>
  colour
    ? { good: ansi(32, 39), bad: ansi(31, 39), warn: ansi(33, 39), strong: ansi(1, 22), faint: ansi(2, 22) }
    : { good: plainText, bad: plainText, warn: plainText, strong: plainText, faint: plainText }

/** `1 query`, `7 queries`. */
export const count = (n: number, one: string, many: string): string => `${String(n)} ${n === 1 ? one : many}`
