import type { PlanFinding } from '../plan/check.js'
import type { Waiver } from '../plan/waivers.js'

/**
 * Text from a plan, made safe to show: a plan is input, and its ids, keys and addresses may hold
 * anything. A terminal acts on control characters (ESC clears it, a newline forges a line of the
 * report) and bidirectional controls reorder what is read; XML 1.0 forbids most control
 * characters even escaped. Each is written as `\uXXXX` text, and a long text is cut.
 */

/** The most characters of one value shown. */
export const maxShown = 1000

// C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional controls.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
// What XML 1.0 forbids even as a character reference: also U+FFFE, U+FFFF and lone surrogates.
const notXml = /[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

const cut = (text: string, max: number): string => {
  if (text.length <= max) return text
  // Never split a surrogate pair.
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max
  return `${text.slice(0, end)}… (${String(text.length - end)} more characters)`
}

/** One value, safe for a terminal and for XML: controls as `\uXXXX`, cut at `max` characters. */
export const printable = (text: string, max = maxShown): string => cut(text.replace(unsafe, escaped).replace(notXml, escaped), max)

/** A finding with every text it holds made printable, for the text and JUnit reports. */
export const printableFinding = (f: PlanFinding): PlanFinding => ({
  ...f,
  address: printable(f.address),
  ...(f.haVipId === undefined ? {} : { haVipId: printable(f.haVipId) }),
  ...(f.instanceId === undefined ? {} : { instanceId: printable(f.instanceId) }),
  ...(f.instanceType === undefined ? {} : { instanceType: printable(f.instanceType) }),
  violations: f.violations.map((v) => ({ ...v, message: printable(v.message), messageZh: printable(v.messageZh), facts: printable(v.facts) })),
  unknowns: f.unknowns.map((u) => ({ attribute: printable(u.attribute), reason: printable(u.reason) })),
  ...(f.location === undefined ? {} : { location: { ...f.location, file: printable(f.location.file) } }),
  ...(f.waivers === undefined ? {} : { waivers: f.waivers.map(printableWaiver) }),
})

/** A waiver with its texts made printable. */
export const printableWaiver = (w: Waiver): Waiver => ({ ...w, id: printable(w.id), reason: printable(w.reason), address: printable(w.address), where: printable(w.where) })
