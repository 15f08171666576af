import * as t from 'io-ts'

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

const boundType = t.keyof({ EcsInstance: null, NetworkInterface: null, '': null }, '"EcsInstance", "NetworkInterface" or ""')

export const HaVipCodec = t.intersection(
  [
    t.type({ HaVipId: t.string, SubnetId: t.string, Status: t.string }),
    t.partial({
      AssociatedInstanceType: boundType,
      AssociatedInstanceIds: t.readonlyArray(t.string, 'an array of strings'),
      MasterInstanceId: t.string,
      SupportsAssociation: t.boolean,
    }),
  ],
  'a HaVip object',
)

const InstanceInterfaceCodec = t.type({ SubnetId: t.string, Type: t.string }, 'a network interface object')

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
    t.partial({ DeviceId: t.string, ServiceManaged: t.boolean }),
  ],
  'a network interface object',
)

export const LedgerEntryCodec = t.intersection(
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
    t.partial({ RequestId: t.string }),
  ],
  'a ClientTokens entry',
)

export const SnapshotCodec = t.partial(
  {
    Region: t.string,
    HaVips: t.readonlyArray(HaVipCodec, 'an array of HaVips'),
    Instances: t.readonlyArray(InstanceCodec, 'an array of instances'),
    NetworkInterfaces: t.readonlyArray(EniCodec, 'an array of network interfaces'),
    Quotas: t.partial({ InstancesPerHaVip: positiveInteger, HaVipsPerInstance: positiveInteger }, 'a Quotas object'),
    ClientTokens: t.readonlyArray(LedgerEntryCodec, 'an array of ClientTokens entries'),
  },
  'a snapshot object',
)

/** A snapshot whose shape the codec checked; `SnapshotJson` is what users write. */
export type DecodedSnapshot = t.TypeOf<typeof SnapshotCodec>
