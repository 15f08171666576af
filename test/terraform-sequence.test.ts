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
const setUp = async (snapshot: SnapshotJson = baseJson()) => {
  const path = `${tempFolder('havip-tf-')}/state.json`
  const emulator = await startEmulator({ snapshot, snapshotPath: path, credentials: { accessKeyId, secretKey } })
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
