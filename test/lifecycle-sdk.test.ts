import { afterEach, describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import type { Emulator } from 'havip-rules/server'
import { startEmulator } from 'havip-rules/server'
import { accessKeyId, call, sdk, secretKey } from './support/server.js'
import { tempFolder } from './support/temp.js'

const emulators: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()))
})

const account: SnapshotJson = {
  Region: 'cn-beijing',
  Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '172.16.0.0/24' }],
  Instances: [{ InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Type: 'primary', PrimaryIpAddress: '172.16.0.2' }] }],
}

interface HaVip { readonly HaVipId: string; readonly Status: string; readonly IpAddress: string; readonly AssociatedInstanceIds: ReadonlyArray<string> }

describe('a HaVip\'s whole life through the vendor SDK against havip serve --async-steps 2', () => {
  it('creates (a retried ClientToken answers the same HaVip), polls to Available, binds, unbinds, is refused deletion while an EIP or a route entry holds it, then deletes; every task followed to Succeeded', async () => {
    const emulator = await startEmulator({ snapshot: account, snapshotPath: `${tempFolder('havip-life-')}/state.json`, credentials: { accessKeyId, secretKey }, asyncSteps: 2 })
    emulators.push(emulator)
    const vpc = sdk(Number(new URL(emulator.url).port))
    const ok = async (params: Readonly<Record<string, string>>) => {
      const r = await call(vpc, params)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return r.body.Result as Readonly<Record<string, unknown>>
    }
    const listed = async (id: string): Promise<HaVip | undefined> => ((await ok({ Action: 'DescribeHaVips', 'HaVipIds.1': id })).HaVips as ReadonlyArray<HaVip>)[0]
    const taskStatus = async (task: unknown) => (await ok({ Action: 'GetAsyncTaskStatus', AsyncTaskId: String(task) })).AsyncTaskStatus

    // CreateHaVip, then its retry with the same ClientToken: the same HaVip, the same task.
    const create = { Action: 'CreateHaVip', SubnetId: 'subnet-a', HaVipName: 'web', ClientToken: 'tok-create-1' }
    const created = await ok(create)
    expect(await ok(create)).toEqual(created)
    const id = String(created.HaVipId)
    // The lowest free address: .0 and .1 are reserved, .2 is the instance's.
    expect(created.IpAddress).toBe('172.16.0.3')
    // Two polls: Creating, then Available (each answered read takes one step).
    expect((await listed(id))?.Status).toBe('Creating')
    expect((await listed(id))?.Status).toBe('Available')
    expect(await taskStatus(created.AsyncTaskId)).toBe('Succeeded')

    // A second HaVip followed by GetAsyncTaskStatus alone: InProgress, then Succeeded.
    const other = await ok({ Action: 'CreateHaVip', SubnetId: 'subnet-a' })
    expect(other.IpAddress).toBe('172.16.0.4')
    expect(await taskStatus(other.AsyncTaskId)).toBe('InProgress')
    expect(await taskStatus(other.AsyncTaskId)).toBe('Succeeded')
    expect((await listed(String(other.HaVipId)))?.Status).toBe('Available')

    // A bind is listed at once; its task only reports progress.
    const bound = await ok({ Action: 'AssociateHaVip', HaVipId: id, InstanceId: 'i-1', ClientToken: 'tok-bind-1' })
    const afterBind = await listed(id)
    expect([afterBind?.Status, afterBind?.AssociatedInstanceIds]).toEqual(['InUse', ['i-1']])
    expect(await taskStatus(bound.AsyncTaskId)).toBe('Succeeded')
    const unbound = await ok({ Action: 'DisassociateHaVip', HaVipId: id, InstanceId: 'i-1' })
    expect((await listed(id))?.Status).toBe('Available')
    expect(await taskStatus(unbound.AsyncTaskId)).toBe('Succeeded')

    // An EIP and a route entry hold it (put in place through the control plane, as a test would).
    const held = emulator.state()
    await emulator.setState({
      ...held,
      HaVips: (held.HaVips ?? []).map((h) => (h.HaVipId === id ? { ...h, AssociatedEipId: 'eip-1', AssociatedEipAddress: '1.2.3.4' } : h)),
      RouteEntries: [{ RouteEntryId: 'rte-1', RouteTableId: 'vtb-1', NextHopType: 'HaVip', NextHopId: id }],
    })
    const refused = async () => {
      const r = await call(vpc, { Action: 'DeleteHaVip', HaVipId: id })
      return [r.status, r.body.ResponseMetadata.Error?.Code, r.body.ResponseMetadata.Error?.Message]
    }
    expect(await refused()).toEqual([400, 'InvalidHaVip.InUse', 'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is disassociated with elastic IP.'])
    const eipFreed = emulator.state()
    await emulator.setState({ ...eipFreed, HaVips: (eipFreed.HaVips ?? []).map((h) => (h.HaVipId === id ? { ...h, AssociatedEipId: '', AssociatedEipAddress: '' } : h)) })
    expect(await refused()).toEqual([400, 'InvalidHaVip.InUse', 'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is not referenced by route entry.'])
    await emulator.setState({ ...emulator.state(), RouteEntries: [] })

    // Deleting, then gone after two polls; its task Succeeded.
    const deleted = await ok({ Action: 'DeleteHaVip', HaVipId: id })
    expect((await listed(id))?.Status).toBe('Deleting')
    expect(await listed(id)).toBeUndefined()
    expect(await taskStatus(deleted.AsyncTaskId)).toBe('Succeeded')
    // Its address is free again: the next HaVip takes it.
    expect((await ok({ Action: 'CreateHaVip', SubnetId: 'subnet-a' })).IpAddress).toBe('172.16.0.3')
  })
})
