/**
 * havip-rules: the reference rules engine for Volcengine VPC AssociateHaVip / DisassociateHaVip.
 * Everything here is pure and total: it never throws, never mutates its arguments, and reads no
 * clock or random source.
 */

// Snapshots (CONTRACT §2)
export type { Snapshot, Quotas } from './model/snapshot.js'
export type { HaVip, Instance, Eni, Target, InstanceType } from './model/resources.js'
export type { LedgerEntry } from './model/ledger.js'
export type { SnapshotError } from './codec/snapshot.js'
export type { Problem } from './codec/problems.js'
export { loadSnapshot, snapshotToJson } from './codec/snapshot.js'

// Requests (CONTRACT §3, §10)
export type {
  Request,
  Action,
  AssociateHaVipRequest,
  DisassociateHaVipRequest,
  DescribeHaVipsRequest,
} from './model/request.js'
export { decodeRequest } from './codec/request.js'

// Errors (CONTRACT §7)
export type { ApiError, ErrorId } from './errors/catalog.js'
export { catalog, endpointErrorIds, errorIds } from './errors/catalog.js'

// The rules (CONTRACT §4–§7)
export type { Violation } from './engine/operations.js'
export { associateHaVip, disassociateHaVip, explain } from './engine/operations.js'

// The wire (CONTRACT §7, §8, §10)
export type { ResponseBody, ResponseMetadata, SuccessBody, ErrorBody, WireError } from './wire/envelope.js'
export type { HandleContext, Handled } from './wire/handle.js'
export { handle } from './wire/handle.js'
export type { HaVipPage } from './engine/describe.js'
