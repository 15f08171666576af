/** How many addresses a message names before it counts the rest. */
export const shownAddresses = 3

/**
 * Addresses for a message: `a, b and c`, or the first few and a count (`a, b, c and 997 more`), so
 * that a finding about many changes stays short and a report stays linear in the plan.
 */
export const listed = (addresses: ReadonlyArray<string>): string => {
  if (addresses.length > shownAddresses) return `${addresses.slice(0, shownAddresses).join(', ')} and ${String(addresses.length - shownAddresses)} more`
  const last = addresses.length - 1
  return addresses.map((a, i) => (i === 0 ? a : i === last ? ` and ${a}` : `, ${a}`)).join('')
}
