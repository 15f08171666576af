import type { ErrorId } from 'havip-rules'

/** The errors CreateHaVip, DeleteHaVip, ModifyHaVipAttributes and GetAsyncTaskStatus add; lifecycle-errors.test.ts reaches each. */
export const lifecycleErrorIds: ReadonlyArray<ErrorId> = [
  'InvalidName.Malformed.TooLong', 'InvalidName.Malformed', 'InvalidDescription.Malformed.TooLong', 'InvalidDescription.Malformed',
  'InvalidHaVip.InUse.Eip', 'InvalidHaVip.InUse.RouteEntry', 'InvalidSubnet.NotFound', 'InvalidSubnet.InvalidStatus',
  'InvalidIpAddress.Malformed', 'InvalidIpAddress.OutOfRange', 'InvalidIpAddress.NotAvailable', 'InvalidIpAddress.InUse',
  'InsufficientIpAddress.Subnet', 'QuotaExceeded.HaVipsPerVpc', 'QuotaExceeded.HaVipsPerRegion', 'InvalidAsyncTask.NotFound',
]
