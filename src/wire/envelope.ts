import type { ApiError } from '../errors/catalog.js'

/** The vendor's response metadata (CONTRACT §7). */
export interface ResponseMetadata {
  readonly RequestId: string
  readonly Action: string
  readonly Version: string
  readonly Service: 'vpc'
  readonly Region: string
}

export interface WireError {
  readonly CodeN?: number
  readonly Code: string
  readonly Message: string
}

export interface SuccessBody<R = unknown> {
  readonly ResponseMetadata: ResponseMetadata
  readonly Result: R
}

export interface ErrorBody {
  readonly ResponseMetadata: ResponseMetadata & { readonly Error: WireError }
}

export type ResponseBody = SuccessBody | ErrorBody

export interface Response {
  readonly status: number
  readonly body: ResponseBody
}

export const metadata = (RequestId: string, Action: string, Version: string, Region: string): ResponseMetadata =>
  ({ RequestId, Action, Version, Service: 'vpc', Region })

export const success = (meta: ResponseMetadata, result: unknown): Response => ({
  status: 200,
  body: { ResponseMetadata: meta, Result: result },
})

export const failure = (meta: ResponseMetadata, e: ApiError): Response => ({
  status: e.status,
  body: {
    ResponseMetadata: {
      ...meta,
      Error: e.codeN === undefined ? { Code: e.code, Message: e.message } : { CodeN: e.codeN, Code: e.code, Message: e.message },
    },
  },
})

export const isErrorBody = (body: ResponseBody): body is ErrorBody => 'Error' in body.ResponseMetadata
