import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** A validator of SARIF 2.1.0 logs, against the published schema: true, or false with its errors. */
export const sarifValidator = (): ((log: unknown) => boolean) & { errors?: unknown } => {
  const require = createRequire(import.meta.url)
  const Ajv = require('ajv-draft-04') as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } }
  const addFormats = require('ajv-formats') as (ajv: object) => void
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-2.1.0-rtm.5.schema.json', import.meta.url), 'utf8')) as object
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false })
  addFormats(ajv)
  return ajv.compile(schema)
}
