import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { SnapshotJson } from 'havip-rules'
import { snapshotToJson } from 'havip-rules'
import type { Emulator } from 'havip-rules/server'
import { startEmulator } from 'havip-rules/server'
import { readSnapshotFile } from '../src/io/snapshot-file.js'
import { tempFolder } from './support/temp.js'
import { call, sdk } from './support/server.js'

/** An account of `n` running instances in one subnet, and one HaVip that can hold them all. */
const account = (n: number) => ({
  Region: 'cn-beijing',
  HaVips: [{ HaVipId: 'havip-1', SubnetId: 'subnet-a', Status: 'Available', AssociatedInstanceType: '', AssociatedInstanceIds: [] as Array<string> }],
  Instances: Array.from({ length: n }, (_, i) => ({
    InstanceId: `i-${String(i)}`, Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: `eni-p${String(i)}`, SubnetId: 'subnet-a', Type: 'primary' }],
  })),
  NetworkInterfaces: [],
  Quotas: { InstancesPerHaVip: n + 1, HaVipsPerInstance: 5 },
}) satisfies SnapshotJson

const running: Array<Emulator> = []
const start = async (...args: Parameters<typeof startEmulator>): Promise<Emulator> => {
  const emulator = await startEmulator(...args)
  running.push(emulator)
  return emulator
}
afterEach(async () => {
  // A second close of an emulator a test closed already: what a suite's afterEach does.
  await Promise.all(running.splice(0).map((e) => e.close()))
})

const bind = async (emulator: Emulator, instance: string): Promise<number> =>
  (await fetch(`${emulator.url}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=${instance}`)).status

const bound = (json: SnapshotJson): ReadonlyArray<string> => json.HaVips?.find((h) => h.HaVipId === 'havip-1')?.AssociatedInstanceIds ?? []

describe('startEmulator under a careless or hostile caller', () => {
  it('closes once: a second close returns the same promise and never touches the next emulator\'s file', async () => {
    const path = join(tempFolder('havip-close-'), 'state.json')
    const first = await start({ snapshot: account(3), snapshotPath: path })
    expect(await bind(first, 'i-0')).toBe(200)
    const closing = first.close()
    expect(first.close()).toBe(closing)
    await closing
    const second = await start({ snapshotPath: path })
    expect(await bind(second, 'i-1')).toBe(200)
    // The first one's close again (afterEach, say): nothing saved, unlinked or closed twice.
    await first.close()
    expect(bound(snapshotToJson(readSnapshotFile(path).snapshot))).toEqual(['i-0', 'i-1'])
    expect(await bind(second, 'i-2')).toBe(200)
    await second.close()
    expect(bound(snapshotToJson(readSnapshotFile(path).snapshot))).toEqual(['i-0', 'i-1', 'i-2'])
  })

  it('copies the snapshot it is given: changing the caller\'s objects afterwards changes nothing it serves', async () => {
    const json = account(2)
    const emulator = await start({ snapshot: json })
    json.Instances.push({ InstanceId: 'i-late', Status: 'RUNNING', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-late', SubnetId: 'subnet-a', Type: 'primary' }] })
    const [first] = json.HaVips
    if (first !== undefined) first.SubnetId = 'subnet-z'
    const instances = await (await fetch(`${emulator.url}/?Action=DescribeInstances&Version=2020-04-01`)).json() as { Result: { Instances: ReadonlyArray<{ InstanceId: string }> } }
    expect(instances.Result.Instances.map((i) => i.InstanceId)).toEqual(['i-0', 'i-1'])
    const haVips = await (await fetch(`${emulator.url}/?Action=DescribeHaVips&Version=2020-04-01`)).json() as { Result: { HaVips: ReadonlyArray<{ SubnetId: string }> } }
    expect(haVips.Result.HaVips[0]?.SubnetId).toBe('subnet-a')
    expect(await bind(emulator, 'i-1')).toBe(200)
  })

  it('refuses an empty host rather than listen on every interface', async () => {
    await expect(startEmulator({ host: '' })).rejects.toThrow('host is empty')
    await expect(startEmulator({ host: ' ' })).rejects.toThrow('host is empty')
  })

  it('refuses an empty secret key (or access key) rather than accept whatever is signed with it', async () => {
    await expect(startEmulator({ credentials: { accessKeyId: 'AK', secretKey: '' } })).rejects.toThrow('the secretKey of AK is empty')
    await expect(startEmulator({ credentials: [{ accessKeyId: 'AK', secretKey: 'SK' }, { accessKeyId: '', secretKey: 'SK' }] })).rejects.toThrow('accessKeyId is empty')
  })

  it('refuses a damaged or foreign journal beside snapshotPath before it overwrites anything', async () => {
    const folder = tempFolder('havip-leftover-')
    const path = join(folder, 'state.json')
    writeFileSync(path, JSON.stringify(account(1)))
    for (const journal of ['not a journal\n', '00000000 {"journal":"havip-rules","version":1}\n']) {
      writeFileSync(`${path}.journal`, journal)
      await expect(startEmulator({ snapshot: account(4), snapshotPath: path })).rejects.toThrow(`${path}.journal`)
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(account(1))
      expect(readdirSync(folder).sort()).toEqual(['state.json', 'state.json.journal'])
    }
  })
})

describe('startEmulator', () => {
  it('names an IPv6 host in brackets in its url, and is reachable there', async () => {
    const emulator = await start({ host: '::1' })
    expect(emulator.url).toMatch(/^http:\/\/\[::1\]:\d+$/)
    expect((await fetch(`${emulator.url}/?Action=DescribeHaVips&Version=2020-04-01`)).status).toBe(200)
  })

  it('takes a snapshot already loaded, and several key pairs, each of which signs', async () => {
    const loaded = readSnapshotFile((() => { const p = join(tempFolder('havip-loaded-'), 's.json'); writeFileSync(p, JSON.stringify(account(2))); return p })()).snapshot
    const emulator = await start({ snapshot: loaded, credentials: [{ accessKeyId: 'AK1', secretKey: 'SK1' }, { accessKeyId: 'AK2', secretKey: 'SK2' }] })
    expect(bound(emulator.state())).toEqual([])
    expect(emulator.state().Instances?.map((i) => i.InstanceId)).toEqual(['i-0', 'i-1'])
    const port = Number(new URL(emulator.url).port)
    for (const [key, secret] of [['AK1', 'SK1'], ['AK2', 'SK2']] as const) {
      const reply = await call(sdk(port, { accessKeyId: key, secretKey: secret }), { Action: 'DescribeHaVips' })
      expect(reply.status).toBe(200)
    }
    expect((await call(sdk(port, { accessKeyId: 'AK1', secretKey: 'SK2' }), { Action: 'DescribeHaVips' })).body.ResponseMetadata.Error?.Code).toBe('SignatureDoesNotMatch')
  })

  it('refuses a snapshot that does not load, or cannot be copied, naming why', async () => {
    await expect(startEmulator({ snapshot: { HaVips: 'none' } as unknown as SnapshotJson })).rejects.toThrow('the snapshot does not load')
    await expect(startEmulator({ snapshot: { Region: 'cn-beijing', n: 1n } as unknown as SnapshotJson })).rejects.toThrow('the snapshot cannot be copied as JSON')
  })

  it('gives up the file when it cannot listen: the port taken, another emulator can then serve the file', async () => {
    const path = join(tempFolder('havip-port-'), 'state.json')
    const first = await start({ snapshot: account(2) })
    const port = Number(new URL(first.url).port)
    await expect(startEmulator({ snapshot: account(2), snapshotPath: path, port })).rejects.toThrow(/EADDRINUSE/)
    const second = await start({ snapshotPath: path })
    expect(await bind(second, 'i-0')).toBe(200)
  })
})
