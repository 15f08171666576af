import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import type { ApiError } from '../errors/catalog.js'
import { apiError } from '../errors/catalog.js'
import { formatAddress, isReserved, parseAddress } from '../model/address.js'
import type { Subnet } from '../model/addresses.js'
import { lowestFree, useCount } from '../model/addresses.js'
import { lookup } from '../model/layered-map.js'
import type { CreateHaVipRequest } from '../model/request.js'
import type { SnapshotState } from '../model/snapshot.js'
import type { Check } from './context.js'
import { fail, pass } from './context.js'

const cidrText = (s: Subnet): string => `${formatAddress(s.cidr.first)}/${String(32 - Math.log2(s.cidr.last - s.cidr.first + 1))}`

/** What CreateHaVip's rules see: the snapshot, the request, its subnet found or the not-found error, and the address it asks for. */
export interface CreateContext {
  readonly snapshot: SnapshotState
  readonly request: CreateHaVipRequest
  readonly subnet: E.Either<ApiError, Subnet>
  /** `IpAddress` as a number; undefined when the request lets the subnet choose. */
  readonly address: number | undefined
  /** The address the HaVip gets: the one asked for, else the subnet's lowest free one, else why there is none (C2's or C7's error). */
  readonly chosen: E.Either<ApiError, number>
}

export type CreateRule = Check<CreateContext>

const lowestFreeOf = (snapshot: SnapshotState) => (s: Subnet): E.Either<ApiError, number> => {
  const free = lowestFree(snapshot.addresses, s)
  return free === undefined
    ? E.left(apiError('InsufficientIpAddress.Subnet', `every address of ${s.id}'s block ${cidrText(s)} is reserved or in use`))
    : E.right(free)
}

export const createContext = (snapshot: SnapshotState, request: CreateHaVipRequest): CreateContext => {
  const found = snapshot.subnets.get(request.subnetId)
  const subnet: E.Either<ApiError, Subnet> = found === undefined ? E.left(apiError('InvalidSubnet.NotFound', `no subnet ${request.subnetId} in the snapshot`)) : E.right(found)
  const address = request.ipAddress === undefined ? undefined : parseAddress(request.ipAddress)
  return { snapshot, request, subnet, address, chosen: address === undefined ? pipe(subnet, E.chain(lowestFreeOf(snapshot))) : E.right(address) }
}

// A rule about the subnet has nothing to say when there is none: C2 speaks for it.
const onSubnet = (rule: (subnet: Subnet, ctx: CreateContext) => ReturnType<CreateRule>): CreateRule => (ctx) =>
  E.isRight(ctx.subnet) ? rule(ctx.subnet.right, ctx) : pass

const onAddress = (rule: (address: number, subnet: Subnet, ctx: CreateContext) => ReturnType<CreateRule>): CreateRule =>
  onSubnet((subnet, ctx) => (ctx.address === undefined ? pass : rule(ctx.address, subnet, ctx)))

/** C2 [choice]: the subnet is one the snapshot lists. */
export const subnetExists: CreateRule = (ctx) => O.getLeft(ctx.subnet)

/** C3 [choice]: only an `Available` subnet takes a new HaVip. */
export const subnetAvailable: CreateRule = onSubnet((s) =>
  s.status === 'Available' ? pass : fail('InvalidSubnet.InvalidStatus', `subnet ${s.id} is ${s.status}; it must be Available`))

/** C4 [choice, after the sibling cloud]: the address asked for is inside the subnet's block. */
export const addressInSubnet: CreateRule = onAddress((a, s) =>
  a >= s.cidr.first && a <= s.cidr.last ? pass : fail('InvalidIpAddress.OutOfRange', `${formatAddress(a)} is not in ${s.id}'s block ${cidrText(s)}`))

/** C5 [choice]: the block's first address, the one after it and its last are the system's. */
export const addressNotReserved: CreateRule = onAddress((a, s) =>
  isReserved(s.cidr, a) ? fail('InvalidIpAddress.NotAvailable', `${formatAddress(a)} is reserved in ${s.id}'s block ${cidrText(s)}`) : pass)

/** C6 [choice]: the address asked for is used by nothing the snapshot lists in the subnet. */
export const addressNotInUse: CreateRule = onAddress((a, s, { snapshot }) =>
  useCount(snapshot.addresses, s.id, a) > 0 ? fail('InvalidIpAddress.InUse', `${formatAddress(a)} is in use in ${s.id}`) : pass)

/** C7 [choice]: without an address, the subnet must have a free one. */
export const subnetHasFreeAddress: CreateRule = onSubnet((_s, { chosen }) => O.getLeft(chosen))

/** C8 [choice]: the subnet's VPC holds fewer HaVips than `HaVipsPerVpc` (vendor: 5). */
export const withinHaVipsPerVpc: CreateRule = onSubnet((s, { snapshot }) => {
  const limit = snapshot.quotas.HaVipsPerVpc
  const count = lookup(snapshot.haVipsPerVpc, s.vpcId) ?? 0
  return count < limit ? pass : fail('QuotaExceeded.HaVipsPerVpc', `${s.vpcId} holds ${String(count)} HaVips; HaVipsPerVpc is ${String(limit)}`)
})

/** C9 [choice]: the snapshot holds fewer HaVips than `HaVipsPerRegion` (vendor: 20). */
export const withinHaVipsPerRegion: CreateRule = ({ snapshot }) => {
  const limit = snapshot.quotas.HaVipsPerRegion
  return snapshot.haVipCount < limit
    ? pass
    : fail('QuotaExceeded.HaVipsPerRegion', `the region holds ${String(snapshot.haVipCount)} HaVips; HaVipsPerRegion is ${String(limit)}`)
}
