/**
 * IPv4 addresses as the numbers 0 … 2³²−1, so that a subnet's addresses sort and compare as numbers.
 */

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const quad = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`)

/** A dotted quad (four decimal numbers 0–255, no leading zeros) as a number; anything else: undefined. */
export const parseAddress = (text: string): number | undefined => {
  const m = quad.exec(text)
  return m === null ? undefined : ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4])
}

export const isAddress = (text: string): boolean => quad.test(text)

export const formatAddress = (n: number): string =>
  `${String(Math.floor(n / 2 ** 24) % 256)}.${String(Math.floor(n / 2 ** 16) % 256)}.${String(Math.floor(n / 2 ** 8) % 256)}.${String(n % 256)}`

/** An IPv4 block: its first (network) and last (broadcast) address. */
export interface Cidr {
  readonly first: number
  readonly last: number
}

/** `a.b.c.d/n` (n 0–32, no leading zeros) whose host bits are zero; anything else: undefined. */
export const parseCidr = (text: string): Cidr | undefined => {
  const m = /^([^/]+)\/(3[0-2]|[12]?\d)$/.exec(text)
  const first = m?.[1] === undefined ? undefined : parseAddress(m[1])
  if (m === null || first === undefined) return undefined
  const size = 2 ** (32 - Number(m[2]))
  return first % size === 0 ? { first, last: first + size - 1 } : undefined
}

/** The addresses the vendor keeps for itself in a block: its first, the one after it, and its last. */
export const isReserved = (c: Cidr, address: number): boolean => address === c.first || address === c.first + 1 || address === c.last
