import type { Problem } from './problems.js'
import { childPath } from './problems.js'

/** The only keys a snapshot may have at its top level. */
export const snapshotKeys = [
  'Region', 'HaVips', 'Instances', 'NetworkInterfaces', 'Quotas', 'ClientTokens', 'Subnets', 'RouteEntries', 'AsyncTasks', 'IdCounter', 'AsyncSteps',
] as const

// What the vendor's Describe responses call things, and where a user pasting one meets them.
const describeNames: Readonly<Record<string, string>> = {
  NetworkInterfaceSets: 'did you mean NetworkInterfaces? (the name DescribeNetworkInterfaces uses; see havip snapshot build)',
  RouteEntrySets: 'did you mean RouteEntries? (DescribeRouteEntryList lists them as RouteEntries)',
  RouteTables: 'a snapshot holds route entries, not route tables: list them under RouteEntries (DescribeRouteEntryList)',
  Tasks: 'did you mean AsyncTasks? (the task ledger)',
  ResponseMetadata: 'this is a whole Describe response, not a snapshot; build one from such pages with havip snapshot build',
  Result: 'this is a whole Describe response, not a snapshot; build one from such pages with havip snapshot build',
  TotalCount: 'this is a Describe result page, not a snapshot; build one from such pages with havip snapshot build',
  NextToken: 'this is a Describe result page, not a snapshot; build one from such pages with havip snapshot build',
}

/** Levenshtein distance, for "did you mean": keys are short, so the quadratic table is fine. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/**
 * The key a misspelt one was probably meant to be, case aside: the nearest, if at most two edits
 * away and one per three letters (so that short words are not all "near").
 */
const closest = (key: string): string | undefined => {
  const folded = key.toLowerCase()
  const [best, edits] = snapshotKeys
    .map((k) => [k, distance(folded, k.toLowerCase())] as const)
    .reduce((nearest, next) => (next[1] < nearest[1] ? next : nearest))
  return edits <= Math.min(2, Math.floor(key.length / 3)) ? best : undefined
}

const advice = (key: string): string => {
  const describeName = Object.hasOwn(describeNames, key) ? describeNames[key] : undefined
  if (describeName !== undefined) return describeName
  const suggestion = closest(key)
  return suggestion === undefined
    ? `a snapshot has only ${snapshotKeys.join(', ')}`
    : `did you mean ${suggestion}?`
}

/**
 * A top-level key the snapshot format does not have, each a problem: a misspelt or Describe-named
 * list would otherwise load as empty, and every request on it would be answered NotFound.
 */
export const unknownTopLevelKeys = (json: object): ReadonlyArray<Problem> =>
  Object.keys(json)
    .filter((key) => !(snapshotKeys as ReadonlyArray<string>).includes(key))
    .map((key) => ({ path: childPath('', key), message: `is not a snapshot key: ${advice(key)}` }))
