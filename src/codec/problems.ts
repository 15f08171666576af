import * as t from 'io-ts'

/** One thing wrong with a snapshot, at a JSON path such as `HaVips[3].SubnetId`. */
export interface Problem {
  readonly path: string
  readonly message: string
}

export const problemText = (p: Problem): string => `${p.path || '(root)'}: ${p.message}`

const identifier = /^[A-Za-z_$][\w$]*$/

/** `parent.key`, or `parent[3]` and `parent["a key"]` for an index or a name that is not an identifier. */
export const childPath = (parent: string, key: string | number): string =>
  typeof key === 'string' && identifier.test(key)
    ? parent === '' ? key : `${parent}.${key}`
    : `${parent}[${JSON.stringify(key)}]`

// io-ts puts an entry in the context for each member of an intersection or union; those are
// not steps in the JSON and are skipped.
const isCombinator = (type: t.Decoder<unknown, unknown>): boolean =>
  type instanceof t.IntersectionType || type instanceof t.UnionType

const isArray = (type: t.Decoder<unknown, unknown>): boolean =>
  type instanceof t.ArrayType || type instanceof t.ReadonlyArrayType

const pathOf = (context: t.Context): string => {
  let path = ''
  let parent: t.Decoder<unknown, unknown> | undefined
  for (const entry of context) {
    if (parent !== undefined && !isCombinator(parent)) path = childPath(path, isArray(parent) ? Number(entry.key) : entry.key)
    parent = entry.type
  }
  return path
}

// Never called with undefined: a missing value reads "required … is missing".
const describeValue = (value: unknown): string => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  const text = JSON.stringify(value)
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`
}

/**
 * The type expected at the error's place in the JSON: for a value that is not even an object, the
 * whole item's (`a HaVip object`), not one member's of the intersection that makes it up.
 */
const expectedAt = (context: t.Context): string => {
  let expected = 'a value'
  let parent: t.Decoder<unknown, unknown> | undefined
  for (const entry of context) {
    if (parent === undefined || !isCombinator(parent)) expected = entry.type.name
    parent = entry.type
  }
  return expected
}

/** io-ts errors as problems, each once; a missing field reads "required", a wrong one "expected X, got Y". */
export const fromValidationErrors = (errors: t.Errors): ReadonlyArray<Problem> => {
  const problems = new Map<string, Problem>()
  for (const e of errors) {
    const path = pathOf(e.context)
    const expected = expectedAt(e.context)
    const message = e.value === undefined ? `required ${expected} is missing` : `expected ${expected}, got ${describeValue(e.value)}`
    problems.set(`${path}\n${message}`, { path, message })
  }
  return [...problems.values()]
}
