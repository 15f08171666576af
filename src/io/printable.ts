// C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional overrides and
// isolates, and (the `u` flag matching code points) lone surrogates: what could move the cursor, clear a terminal or reorder a line.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu

/** The longest text from outside (a server's message, say) a message quotes: beyond it, a count of what was cut. */
export const printableLength = 300

/**
 * Text that came from outside, made safe to print in one line of a message: every control
 * character written as `\u001b`, and at most `max` characters of it kept, the rest counted.
 */
export const printable = (text: string, max: number = printableLength): string => {
  const cut = text.slice(0, max)
  const escaped = cut.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return text.length > max ? `${escaped}… (${String(text.length - max)} more characters)` : escaped
}
