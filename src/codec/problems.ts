import * as t from 'io-ts'

/** One thing wrong with a snapshot, at a JSON path such as `HaVips[3].SubnetId`. */
export interface Problem {
  readonly path: string
  readonly message: string
}

export const problemText = (p: Problem): string => `${p.path || '(root)'}: ${p.message}`

const identifier = /^[A-Za-z_$][\w$]*$/

export const childPath = (parent: string, key: string | number): string =>
  typeof key === 'number'
    ? `${parent}[${String(key)}]`
    : identifier.test(key)
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
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]?.type
    const entry = context[i]
    if (parent === undefined || entry === undefined || isCombinator(parent)) continue
    path = childPath(path, isArray(parent) ? Number(entry.key) : entry.key)
  }
  return path
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  const text = JSON.stringify(value)
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`
}

/** io-ts errors as problems; a missing field reads "required", a wrong one "expected X, got Y". */
export const fromValidationErrors = (errors: t.Errors): ReadonlyArray<Problem> =>
  errors.map((e) => {
    const expected = e.context[e.context.length - 1]?.type.name ?? 'a value'
    return {
      path: pathOf(e.context),
      message: e.value === undefined ? `required ${expected} is missing` : `expected ${expected}, got ${describeValue(e.value)}`,
    }
  })
