import type { ApiError } from '../errors/catalog.js'

/** One violation, for a person: the id and code on the first line, both messages, then the facts. */
export const violationText = (v: ApiError): string =>
  [
    `  ✗ ${v.id} (HTTP ${String(v.status)}${v.id === v.code ? '' : `, Code ${v.code}`})`,
    `      ${v.message}`,
    `      ${v.messageZh}`,
    `      because ${v.facts}`,
  ].join('\n')

export const violationJson = (v: ApiError) => ({
  id: v.id,
  Code: v.code,
  status: v.status,
  ...(v.codeN === undefined ? {} : { CodeN: v.codeN }),
  Message: v.message,
  MessageZh: v.messageZh,
  facts: v.facts,
})
