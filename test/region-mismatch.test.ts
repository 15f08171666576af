import { describe, expect, it } from 'vitest'
import { startEmulator } from 'havip-rules/server'
import { pullPages } from '../src/io/pull.js'

const credentials = { accessKeyId: 'AK', secretKey: 'SK' }

describe('a region other than the endpoint\'s', () => {
  it('is named in snapshot pull\'s message, even when the vendor\'s words blame the secret key', async () => {
    const vendor = JSON.stringify({ ResponseMetadata: { Error: { Code: 'SignatureDoesNotMatch', Message: 'Check your Secret Access Key and signing method.' } } })
    const error = await pullPages({ region: 'cn-shanghai', credentials, retries: 0, fetch: () => Promise.resolve(new Response(vendor, { status: 401 })) })
      .then(() => '', (e: unknown) => (e as Error).message)
    expect(error).toBe('DescribeHaVips was refused: HTTP 401 SignatureDoesNotMatch: Check your Secret Access Key and signing method. ' +
      '(signed for region cn-shanghai: check that it is the endpoint\'s region, then the secret key)')
  })

  it('is named, with the region served, when the endpoint is the emulator', async () => {
    const emulator = await startEmulator({ snapshot: { Region: 'cn-beijing' }, credentials })
    try {
      const error = await pullPages({ region: 'cn-shanghai', credentials, retries: 0, endpoint: emulator.url }).then(() => '', (e: unknown) => (e as Error).message)
      expect(error).toContain('The request is signed for region cn-shanghai; this server serves region cn-beijing.')
    } finally {
      await emulator.close()
    }
  })
})
