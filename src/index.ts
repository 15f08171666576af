/**
 * havip-rules: the reference rules engine for the Volcengine VPC AssociateHaVip and
 * DisassociateHaVip APIs. Everything here is pure and total: it never throws, never mutates its
 * arguments, and reads no clock or random source.
 *
 * @packageDocumentation
 * @module havip-rules
 */

// Snapshots (docs/snapshot.md)
export type { Snapshot } from './model/snapshot.js'
export type {
  SnapshotJson,
  HaVipJson,
  InstanceJson,
  InstanceInterfaceJson,
  NetworkInterfaceJson,
  LedgerEntryJson,
  CreateHaVipLedgerEntryJson,
  AnyLedgerEntryJson,
  SubnetJson,
  RouteEntryJson,
  AsyncTaskJson,
  TagJson,
  Quotas,
  InstanceType,
  VendorFields,
} from './model/json.js'
export type { SnapshotError } from './codec/snapshot.js'
export type { Problem } from './codec/problems.js'
export { loadSnapshot, snapshotToJson } from './codec/snapshot.js'
export type { BuildError, BuildOptions } from './describe/build.js'
export type { DescribePage, PageProblem, ResourceKind } from './describe/pages.js'
export { buildSnapshot } from './describe/build.js'

// Requests (docs/rules.md)
export type {
  Request,
  Action,
  BindingRequest,
  AssociateHaVipRequest,
  DisassociateHaVipRequest,
  DescribeHaVipsRequest,
  DescribeInstancesRequest,
  DescribeNetworkInterfacesRequest,
  DescribeRequest,
  DescribeAction,
  CreateHaVipRequest,
  DeleteHaVipRequest,
  ModifyHaVipAttributesRequest,
  GetAsyncTaskStatusRequest,
  LifecycleRequest,
  LifecycleAction,
  WriteAction,
  Tag,
  TagFilter,
  Page,
  Service,
} from './model/request.js'
export type { MutatingAction } from './model/ledger.js'
export { decodeRequest } from './codec/request.js'
export { isDescribe } from './model/request.js'

// Errors (docs/errors.md)
export type { ApiError, ErrorId } from './errors/catalog.js'
export { catalog, endpointErrorIds, errorIds } from './errors/catalog.js'

// The rules (docs/rules.md)
export type { Violation, Written } from './engine/operations.js'
export { associateHaVip, createHaVip, deleteHaVip, disassociateHaVip, explain, getAsyncTaskStatus, modifyHaVipAttributes } from './engine/operations.js'
export type { CreateHaVipOutput, TaskOutput } from './engine/evaluate.js'
export type { WriteContext } from './engine/lifecycle.js'
export type { TaskStatus } from './engine/tasks.js'
export { advance } from './engine/tasks.js'

// Terraform plans (docs/terraform.md)
export type { PlanError, PlanReport, PlanSummary, SourceLocation } from './plan/check-plan.js'
export type { PlanFinding, Unknown, Verdict } from './plan/check.js'
export { checkPlan, configAddress, withLocations } from './plan/check-plan.js'

// The wire (docs/errors.md)
export type {
  ResponseBody,
  ResponseMetadata,
  SuccessBody,
  ErrorBody,
  WireError,
  Results,
  BindingResult,
  CreateHaVipResult,
  GetAsyncTaskStatusResult,
  TaskResult,
  DescribeHaVipsResult,
  DescribeInstancesResult,
  DescribeNetworkInterfacesResult,
} from './wire/envelope.js'
export { isErrorBody } from './wire/envelope.js'
export type { HandleContext, Handled } from './wire/handle.js'
export { handle } from './wire/handle.js'
