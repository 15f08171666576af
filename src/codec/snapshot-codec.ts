import * as t from 'io-ts'
import { isAddress, parseCidr } from '../model/address.js'
import type { AnyLedgerEntryJson } from '../model/json.js'

/**
 * The structural shape of a snapshot (docs/snapshot.md), as io-ts codecs. They check only the fields
 * the rules read; every other field passes through untouched. Names are what an error says was
 * expected.
 */

const isPositiveInteger = (u: unknown): u is number => Number.isSafeInteger(u) && (u as number) > 0

const positiveInteger = new t.Type<number, number, unknown>(
  'a positive integer',
  isPositiveInteger,
  (u, c) => (isPositiveInteger(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const isWholeNumber = (u: unknown): u is number => Number.isSafeInteger(u) && (u as number) >= 0

const wholeNumber = new t.Type<number, number, unknown>(
  'a whole number ≥ 0',
  isWholeNumber,
  (u, c) => (isWholeNumber(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const isFilled = (u: unknown): u is string => typeof u === 'string' && u !== ''

/** A required text: `""` is as good as missing. */
const filled = new t.Type<string, string, unknown>('a non-empty string', isFilled, (u, c) => (isFilled(u) ? t.success(u) : t.failure(u, c)), t.identity)

const isAddressText = (u: unknown): u is string => typeof u === 'string' && (u === '' || isAddress(u))

/** An address field: a dotted quad (no leading zeros), or `""` (absent). */
const addressText = new t.Type<string, string, unknown>(
  'a dotted quad (a.b.c.d, each 0-255, no leading zeros) or ""',
  isAddressText,
  (u, c) => (isAddressText(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const isCidrText = (u: unknown): u is string => typeof u === 'string' && parseCidr(u) !== undefined

const cidrText = new t.Type<string, string, unknown>(
  'an IPv4 CIDR block (a.b.c.d/n, n 0-32) with its host bits zero',
  isCidrText,
  (u, c) => (isCidrText(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const TagCodec = t.type({ Key: t.string, Value: t.string }, 'a tag object')

const boundType = t.keyof({ EcsInstance: null, NetworkInterface: null, '': null }, '"EcsInstance", "NetworkInterface" or ""')

export const HaVipCodec = t.intersection(
  [
    t.type({ HaVipId: t.string, SubnetId: t.string, Status: t.string }),
    t.partial({
      AssociatedInstanceType: boundType,
      AssociatedInstanceIds: t.readonlyArray(t.string, 'an array of strings'),
      MasterInstanceId: t.string,
      SupportsAssociation: t.boolean,
      IpAddress: addressText,
      VpcId: t.string,
      HaVipName: t.string,
      Description: t.string,
      AssociatedEipId: t.string,
      ProjectName: t.string,
    }),
  ],
  'a HaVip object',
)

const InstanceInterfaceCodec = t.intersection(
  [t.type({ SubnetId: t.string, Type: t.string }), t.partial({ PrimaryIpAddress: addressText })],
  'a network interface object',
)

export const InstanceCodec = t.type(
  {
    InstanceId: t.string,
    Status: t.string,
    NetworkInterfaces: t.readonlyArray(InstanceInterfaceCodec, 'an array of network interfaces'),
  },
  'an instance object',
)

export const EniCodec = t.intersection(
  [
    t.type({ NetworkInterfaceId: t.string, SubnetId: t.string, Status: t.string }),
    t.partial({
      DeviceId: t.string,
      ServiceManaged: t.boolean,
      PrimaryIpAddress: addressText,
      PrivateIpSets: t.partial({
        PrivateIpSet: t.readonlyArray(t.partial({ PrivateIpAddress: addressText }, 'a private address object'), 'an array of private address objects'),
      }, 'a PrivateIpSets object'),
    }),
  ],
  'a network interface object',
)

const BindingLedgerEntryCodec = t.intersection(
  [
    t.type({
      Action: t.string,
      ClientToken: t.string,
      Status: t.keyof({ Succeeded: null, InProgress: null }, '"Succeeded" or "InProgress"'),
      Parameters: t.intersection(
        [t.type({ HaVipId: t.string, InstanceId: t.string }), t.partial({ InstanceType: t.string })],
        'a parameters object',
      ),
    }),
    t.partial({ RequestId: t.string, AsyncTaskId: t.string }),
  ],
  'a ClientTokens entry',
)

const CreateLedgerEntryCodec = t.intersection(
  [
    t.type({
      Action: t.literal('CreateHaVip'),
      ClientToken: t.string,
      Status: t.keyof({ Succeeded: null, InProgress: null }, '"Succeeded" or "InProgress"'),
      Parameters: t.intersection(
        [
          t.type({ SubnetId: t.string }),
          t.partial({ IpAddress: t.string, HaVipName: t.string, Description: t.string, Tags: t.readonlyArray(TagCodec, 'an array of tags') }),
        ],
        'a parameters object',
      ),
      Result: t.intersection([t.type({ HaVipId: t.string, IpAddress: t.string }), t.partial({ AsyncTaskId: t.string })], 'a result object'),
    }),
    t.partial({ RequestId: t.string, AsyncTaskId: t.string }),
  ],
  'a ClientTokens entry',
)

const isCreateEntry = (u: unknown): boolean => typeof u === 'object' && u !== null && (u as { readonly Action?: unknown }).Action === 'CreateHaVip'

/**
 * A ledger entry: CreateHaVip's records its parameters and `Result`; every other action's the
 * binding parameters. The entry's place in the context is handed to the codec of its kind, so
 * that a problem's path and expected type read as that codec's.
 */
export const LedgerEntryCodec = new t.Type<AnyLedgerEntryJson, AnyLedgerEntryJson, unknown>(
  'a ClientTokens entry',
  (u): u is AnyLedgerEntryJson => (isCreateEntry(u) ? CreateLedgerEntryCodec.is(u) : BindingLedgerEntryCodec.is(u)),
  (u, c) => {
    const codec = isCreateEntry(u) ? CreateLedgerEntryCodec : BindingLedgerEntryCodec
    const last = c[c.length - 1]
    return codec.validate(u, last === undefined ? c : [...c.slice(0, -1), { ...last, type: codec }])
  },
  t.identity,
)

const SubnetCodec = t.intersection(
  [t.type({ SubnetId: filled, VpcId: filled, CidrBlock: cidrText }), t.partial({ Status: t.string })],
  'a subnet object',
)

const RouteEntryCodec = t.type({ RouteEntryId: filled, NextHopType: filled, NextHopId: filled }, 'a route entry object')

const AsyncTaskCodec = t.intersection(
  [
    t.type({ AsyncTaskId: filled, Action: filled, Status: filled }),
    t.partial({ ResourceId: t.string, RequestId: t.string, StepsLeft: wholeNumber }),
  ],
  'an AsyncTasks entry',
)

export const SnapshotCodec = t.partial(
  {
    Region: t.string,
    HaVips: t.readonlyArray(HaVipCodec, 'an array of HaVips'),
    Instances: t.readonlyArray(InstanceCodec, 'an array of instances'),
    NetworkInterfaces: t.readonlyArray(EniCodec, 'an array of network interfaces'),
    Quotas: t.partial({
      InstancesPerHaVip: positiveInteger,
      HaVipsPerInstance: positiveInteger,
      HaVipsPerRegion: positiveInteger,
      HaVipsPerVpc: positiveInteger,
    }, 'a Quotas object'),
    ClientTokens: t.readonlyArray(LedgerEntryCodec, 'an array of ClientTokens entries'),
    Subnets: t.readonlyArray(SubnetCodec, 'an array of subnets'),
    RouteEntries: t.readonlyArray(RouteEntryCodec, 'an array of route entries'),
    AsyncTasks: t.readonlyArray(AsyncTaskCodec, 'an array of AsyncTasks entries'),
    IdCounter: wholeNumber,
    AsyncSteps: wholeNumber,
  },
  'a snapshot object',
)

/** A snapshot whose shape the codec checked; `SnapshotJson` is what users write. */
export type DecodedSnapshot = t.TypeOf<typeof SnapshotCodec>
