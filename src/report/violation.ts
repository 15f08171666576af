import type { ApiError } from '../errors/catalog.js'
import type { Style } from './style.js'

/** A violation as JSON, in the library's casing (`Violation` minus nothing, plus whether the API answers it). */
export interface ViolationJson {
  readonly id: string
  readonly code: string
  readonly status: number
  readonly codeN?: number
  readonly message: string
  readonly messageZh: string
  readonly facts: string
}

// `codeN: undefined` is left out by JSON.stringify, which every caller writes it with.
export const violationJson = (v: ApiError): ViolationJson => ({
  id: v.id,
  code: v.code,
  status: v.status,
  codeN: v.codeN,
  message: v.message,
  messageZh: v.messageZh,
  facts: v.facts,
})

/**
 * One violation for a person: its id and status (and the wire code where it differs), both
 * messages, and the facts behind it. `note` goes after the first line.
 */
export const violationText = (v: ApiError, st: Style, indent: string, note = ''): string =>
  [
    `${indent}${st.bad('✗')} ${st.strong(v.id)} (HTTP ${String(v.status)}${v.id === v.code ? '' : `, Code ${v.code}`})${note}`,
    `${indent}    ${v.message}`,
    `${indent}    ${v.messageZh}`,
    `${indent}    ${st.faint(`because ${v.facts}`)}`,
  ].join('\n')
