import { afterEach, describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import type { Emulator } from 'havip-rules/server'
import { startEmulator } from 'havip-rules/server'
import type { SdkReply } from './support/server.js'
import { accessKeyId, call, savedJson, sdk, secretKey } from './support/server.js'
import { baseJson } from './support/snapshots.js'
import { tempFolder } from './support/temp.js'

const emulators: Array<Emulator> = []
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()))
})

/** An emulator that checks signatures, its state in a file and journal, and the vendor SDK pointed at it. */
const setUp = async (snapshot: SnapshotJson = baseJson(), asyncSteps?: number) => {
  const path = `${tempFolder('havip-tf-')}/state.json`
  const emulator = await startEmulator({ snapshot, snapshotPath: path, credentials: { accessKeyId, secretKey }, ...(asyncSteps === undefined ? {} : { asyncSteps }) })
  emulators.push(emulator)
  return { emulator, path, vpc: sdk(Number(new URL(emulator.url).port)) }
}

/** The codes that mean "try again", as a user of `@volcengine/openapi` (which returns bodies only) reads them. */
const retryable = new Set(['Throttling', 'FlowLimitExceeded', 'ServiceUnavailable', 'InternalError'])

/**
 * What a user of `@volcengine/openapi` writes to retry, since the SDK does not (docs/control.md):
 * resend the same parameters (the same ClientToken) on a throttle, a server error or a lost answer,
 * up to `retries` more times — the Go SDK's default of 3, which Terraform's provider uses.
 */
const withRetries = async (send: () => Promise<SdkReply>, retries = 3): Promise<SdkReply> => {
  for (let attempt = 0; ; attempt++) {
    let reply: SdkReply | undefined
    try {
      reply = await send()
    } catch (e) {
      // The connection closed without an answer: the change may or may not have happened.
      if (attempt >= retries) throw e
      continue
    }
    if (!retryable.has(reply.body.ResponseMetadata.Error?.Code ?? '') || attempt >= retries) return reply
  }
}

describe('lost answers and throttles, as a vendor SDK client meets them', () => {
  const bind = { Action: 'AssociateHaVip', HaVipId: 'havip-1', InstanceId: 'i-1', InstanceType: 'EcsInstance', ClientToken: 'c6f1e2a0-5b7d-4e44-9d8e-1f2a3b4c5d6e' }

  it('drop-after: the bind is made and saved, the answer lost; the retry with the same ClientToken binds once and answers the first RequestId', async () => {
    const { emulator, path, vpc } = await setUp()
    emulator.faults.add({ action: 'AssociateHaVip', effect: 'drop-after' })
    await expect(call(vpc, bind)).rejects.toThrow(/socket hang up|ECONNRESET/)
    // Done and durable although nobody heard of it: in the file and journal a restart would load.
    expect(savedJson(path).HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual(['i-1'])
    const retried = await withRetries(() => call(vpc, bind))
    expect(retried.status).toBe(200)
    const [lost, replay] = emulator.trace.list()
    expect(lost).toMatchObject({ action: 'AssociateHaVip', status: 200, fault: 0, dropped: true, params: { ClientToken: bind.ClientToken } })
    expect(replay).toMatchObject({ action: 'AssociateHaVip', status: 200, params: { ClientToken: bind.ClientToken } })
    expect(replay?.fault).toBeUndefined()
    expect(retried.body.ResponseMetadata.RequestId).toBe(lost?.requestId)
    expect(emulator.state().HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual(['i-1'])
  })

  it('@volcengine/openapi does not retry a throttle by itself: one request, one 429', async () => {
    const { emulator, vpc } = await setUp()
    emulator.faults.add({ action: 'AssociateHaVip', effect: 'error', code: 'Throttling', times: 2 })
    const once = await call(vpc, bind)
    expect([once.status, once.body.ResponseMetadata.Error?.Code]).toEqual([429, 'Throttling'])
    expect(emulator.trace.list().length).toBe(1)
  })

  it('Throttling ×2: the client\'s retry gets through on the third request, which binds', async () => {
    const { emulator, vpc } = await setUp()
    emulator.faults.add({ action: 'AssociateHaVip', effect: 'error', code: 'Throttling', times: 2 })
    const reply = await withRetries(() => call(vpc, bind))
    expect(reply.status).toBe(200)
    expect(emulator.trace.list().map((x) => [x.status, x.code ?? null, x.fault ?? null])).toEqual([[429, 'Throttling', 0], [429, 'Throttling', 0], [200, null, null]])
    expect(emulator.faults.list()[0]).toMatchObject({ hits: 2, remaining: 0 })
    expect(emulator.state().HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds).toEqual(['i-1'])
  })
})

describe('Terraform\'s calls for a volcengine_ha_vip and a volcengine_ha_vip_associate, replayed through the vendor SDK', () => {
  const account: SnapshotJson = {
    Region: 'cn-beijing',
    Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '172.16.0.0/24' }],
    Instances: [{ InstanceId: 'i-1', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Type: 'primary' }] }],
  }
  interface HaVip { readonly HaVipId: string; readonly Status: string; readonly AssociatedInstanceIds: ReadonlyArray<string> }

  it('apply then destroy with --async-steps 2: the provider\'s exact sequence, as the trace shows it', async () => {
    const { emulator, vpc } = await setUp(account, 2)
    const describe = async (id: string, pageSize: '100' | '10'): Promise<ReadonlyArray<HaVip>> => {
      const r = await call(vpc, { Action: 'DescribeHaVips', 'HaVipIds.1': id, PageSize: pageSize, PageNumber: '1' })
      if (r.status !== 200) throw new Error(`DescribeHaVips: ${String(r.status)}`)
      return r.body.Result?.HaVips as ReadonlyArray<HaVip>
    }
    /** The provider's waiter: poll until the target (its back-off is time, not calls, so it is left out); any error, Failed or an empty answer aborts. */
    const waitFor = async (id: string, pageSize: '100' | '10', target: (h: HaVip) => boolean): Promise<ReadonlyArray<string>> => {
      const seen: Array<string> = []
      for (;;) {
        const [h] = await describe(id, pageSize)
        if (h === undefined || h.Status === 'Failed') throw new Error(`the waiter stops: ${h?.Status ?? 'nothing listed'}`)
        seen.push(h.Status)
        if (target(h)) return seen
      }
    }
    const waitGone = async (id: string): Promise<number> => {
      for (let polls = 1; ; polls++) if ((await describe(id, '100')).length === 0) return polls
    }

    // terraform apply
    const created = await call(vpc, { Action: 'CreateHaVip', SubnetId: 'subnet-a', HaVipName: 'tf-havip', ClientToken: '5f0c1a8e-0d6b-4c1e-9d2a-7b3c4d5e6f70' })
    expect(created.status).toBe(200)
    const id = String(created.body.Result?.HaVipId)
    expect(await waitFor(id, '100', (h) => h.Status === 'Available')).toEqual(['Creating', 'Available'])
    await describe(id, '100')
    expect((await call(vpc, { Action: 'AssociateHaVip', HaVipId: id, InstanceId: 'i-1', InstanceType: 'EcsInstance', ClientToken: '0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b' })).status).toBe(200)
    expect(await waitFor(id, '10', (h) => h.Status === 'InUse' && h.AssociatedInstanceIds.includes('i-1'))).toEqual(['InUse'])
    await describe(id, '10')
    // terraform destroy
    await describe(id, '100')
    await describe(id, '10')
    expect((await call(vpc, { Action: 'DisassociateHaVip', HaVipId: id, InstanceId: 'i-1', InstanceType: 'EcsInstance', ClientToken: '1a2b3c4d-5e6f-4a0b-8c9d-0e1f2a3b4c5d' })).status).toBe(200)
    expect((await call(vpc, { Action: 'DeleteHaVip', HaVipId: id })).status).toBe(200)
    expect(await waitGone(id)).toBe(2)

    const trace = emulator.trace.list()
    expect(trace.every((x) => x.status === 200)).toBe(true)
    const shown = trace.map((x) => [x.action, x.params.PageSize ?? x.params.ClientToken ?? x.params.HaVipId ?? ''])
    expect(shown).toEqual([
      ['CreateHaVip', '5f0c1a8e-0d6b-4c1e-9d2a-7b3c4d5e6f70'],
      ['DescribeHaVips', '100'], ['DescribeHaVips', '100'], ['DescribeHaVips', '100'],
      ['AssociateHaVip', '0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b'],
      ['DescribeHaVips', '10'], ['DescribeHaVips', '10'],
      ['DescribeHaVips', '100'], ['DescribeHaVips', '10'],
      ['DisassociateHaVip', '1a2b3c4d-5e6f-4a0b-8c9d-0e1f2a3b4c5d'],
      ['DeleteHaVip', id],
      ['DescribeHaVips', '100'], ['DescribeHaVips', '100'],
    ])
    // "CreateHaVip once, then DescribeHaVips until Available": every write once, each with its task.
    expect(trace.filter((x) => x.action === 'CreateHaVip').length).toBe(1)
    expect(trace.filter((x) => x.action !== 'DescribeHaVips').every((x) => x.asyncTaskId?.startsWith('at-'))).toBe(true)
    expect(emulator.state().HaVips ?? []).toEqual([])
  })
})
