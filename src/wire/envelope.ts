import type { ApiError } from '../errors/catalog.js'
import type { HaVipJson, InstanceJson, NetworkInterfaceJson } from '../model/json.js'
import type { Service } from '../model/request.js'
import { serviceOf } from '../model/request.js'

/** Every response's `ResponseMetadata` (docs/errors.md, "The wire"). */
export interface ResponseMetadata {
  readonly RequestId: string
  readonly Action: string
  readonly Version: string
  /** `ecs` for DescribeInstances, `vpc` for the rest. */
  readonly Service: Service
  readonly Region: string
}

/** `ResponseMetadata.Error`: `CodeN` only for the gateway's own errors. */
export interface WireError {
  readonly CodeN?: number
  readonly Code: string
  readonly Message: string
}

/** AssociateHaVip's and DisassociateHaVip's `Result`. */
export interface BindingResult {
  readonly RequestId: string
  /** The write's task; absent only in the replay of a ledger entry older than tasks. */
  readonly AsyncTaskId?: string
}

/** CreateHaVip's `Result`. */
export interface CreateHaVipResult {
  readonly RequestId: string
  readonly HaVipId: string
  readonly IpAddress: string
  readonly AsyncTaskId?: string
}

/** DeleteHaVip's and ModifyHaVipAttributes' `Result`. */
export interface TaskResult {
  readonly RequestId: string
  readonly AsyncTaskId?: string
}

/** GetAsyncTaskStatus' `Result`. */
export interface GetAsyncTaskStatusResult {
  readonly RequestId: string
  readonly AsyncTaskId: string
  /** `InProgress`, `Succeeded` or `Failed`. */
  readonly AsyncTaskStatus: string
}

/** DescribeHaVips' `Result`: one page of the HaVips that match, as the snapshot holds them. */
export interface DescribeHaVipsResult {
  readonly HaVips: ReadonlyArray<HaVipJson>
  readonly TotalCount: number
  readonly PageNumber: number
  readonly PageSize: number
  /** The next page's token; `""` on the last page. */
  readonly NextToken: string
  readonly RequestId: string
}

/** DescribeNetworkInterfaces' `Result` (service `vpc`). */
export interface DescribeNetworkInterfacesResult {
  readonly NetworkInterfaceSets: ReadonlyArray<NetworkInterfaceJson>
  readonly TotalCount: number
  readonly PageNumber: number
  readonly PageSize: number
  readonly NextToken: string
  readonly RequestId: string
}

/** ecs DescribeInstances' `Result`: it pages by token only. */
export interface DescribeInstancesResult {
  readonly Instances: ReadonlyArray<InstanceJson>
  readonly TotalCount: number
  readonly NextToken: string
  readonly RequestId: string
}

/** Each action's `Result`. */
export interface Results {
  readonly AssociateHaVip: BindingResult
  readonly DisassociateHaVip: BindingResult
  readonly CreateHaVip: CreateHaVipResult
  readonly DeleteHaVip: TaskResult
  readonly ModifyHaVipAttributes: TaskResult
  readonly GetAsyncTaskStatus: GetAsyncTaskStatusResult
  readonly DescribeHaVips: DescribeHaVipsResult
  readonly DescribeNetworkInterfaces: DescribeNetworkInterfacesResult
  readonly DescribeInstances: DescribeInstancesResult
}

/** A success (HTTP 200) of one action, or of any when `A` is not given. */
export type SuccessBody<A extends keyof Results = keyof Results> = {
  readonly [K in A]: { readonly ResponseMetadata: ResponseMetadata; readonly Result: Results[K] }
}[A]

/** A failure, with the error's HTTP status. */
export interface ErrorBody {
  readonly ResponseMetadata: ResponseMetadata & { readonly Error: WireError }
}

export type ResponseBody = SuccessBody | ErrorBody

export interface Response {
  readonly status: number
  readonly body: ResponseBody
}

export const metadata = (RequestId: string, Action: string, Version: string, Region: string): ResponseMetadata =>
  ({ RequestId, Action, Version, Service: serviceOf(Action), Region })

export const success = (meta: ResponseMetadata, result: Results[keyof Results]): Response => ({
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

/** Whether a response body is a failure. */
export const isErrorBody = (body: ResponseBody): body is ErrorBody => 'Error' in body.ResponseMetadata
