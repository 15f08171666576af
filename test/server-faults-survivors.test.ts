import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator, FaultRule } from 'havip-rules/server'
import { ControlError, startEmulator } from 'havip-rules/server'
import { oneHaVipAccount } from './support/snapshots.js'

// The fault rules of the control routes (docs/control.md): what a client is answered when a rule
// fires, which rule fires, and the exact refusal an operator reads when a rule is written wrong.

const emulators: Array<Emulator> = []
const emulator = async (): Promise<Emulator> => {
  const e = await startEmulator({ snapshot: oneHaVipAccount(3) })
  emulators.push(e)
  return e
}
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()))
})

interface Answer { readonly status: number; readonly error: Readonly<Record<string, unknown>> | undefined }

/** One AssociateHaVip over HTTP: the status, and `ResponseMetadata.Error` as sent. */
const associate = async (e: Emulator, instanceId: string, token: string): Promise<Answer> => {
  const res = await fetch(`${e.url}/?Action=AssociateHaVip&Version=2020-04-01&HaVipId=havip-1&InstanceId=${instanceId}&ClientToken=${token}`)
  const body = (await res.json()) as { ResponseMetadata: { Error?: Readonly<Record<string, unknown>> } }
  return { status: res.status, error: body.ResponseMetadata.Error }
}

/** The message of the ControlError a write of rules throws. */
const refusal = (write: () => unknown): string => {
  try {
    write()
  } catch (e) {
    expect(e).toBeInstanceOf(ControlError)
    expect((e as ControlError).code).toBe('InvalidField')
    return (e as ControlError).message
  }
  throw new Error('the rules were accepted')
}
const refused = (detail: string): string => `the fault rules were refused; nothing was changed: ${detail}`

const throttle: FaultRule = { action: 'AssociateHaVip', effect: 'error', code: 'Throttling' }

describe('fault rule errors: status, Code, Message and CodeN as a client reads them', () => {
  it('a catalogue code without a status gets the catalogue\'s status and text, its placeholders shown as ?, and its CodeN', async () => {
    const e = await emulator()
    e.faults.set([
      { ...throttle, code: 'InvalidHaVip.NotFound' },
      { ...throttle, code: 'MissingParameter' },
      { ...throttle, code: 'InternalError' },
      throttle,
    ])
    const answers: Array<Answer> = []
    for (let i = 0; i < 4; i++) answers.push(await associate(e, 'i-1', `t${String(i)}`))
    expect(answers).toEqual([
      { status: 404, error: { Code: 'InvalidHaVip.NotFound', Message: 'The specified HaVip does not exist.' } },
      { status: 400, error: { CodeN: 100002, Code: 'MissingParameter', Message: 'The request is missing ? parameter.' } },
      { status: 500, error: { CodeN: 100014, Code: 'InternalError', Message: 'Service has some internal Error. Pls Contact With Admin' } },
      { status: 429, error: { Code: 'Throttling', Message: 'Request was denied due to request throttling.' } },
    ])
  })

  it('a rule\'s own status and message win over the preset\'s; a code of one\'s own without a message answers its code as the message', async () => {
    const e = await emulator()
    e.faults.set([
      { ...throttle, status: 503, message: 'slow down' },
      { ...throttle, code: 'Teapot', status: 418 },
    ])
    expect(await associate(e, 'i-1', 'a')).toEqual({ status: 503, error: { Code: 'Throttling', Message: 'slow down' } })
    expect(await associate(e, 'i-1', 'b')).toEqual({ status: 418, error: { Code: 'Teapot', Message: 'Teapot' } })
    expect(e.faults.list().map((f) => f.message)).toEqual(['slow down', undefined])
  })
})

describe('which fault rule fires', () => {
  it('a rule that matches on a parameter, listed first, fires before a later rule that matches every request', async () => {
    const e = await emulator()
    e.faults.set([
      { ...throttle, match: { HaVipId: 'havip-1' }, code: 'InternalError' },
      { ...throttle, code: 'ServiceUnavailable' },
      { ...throttle, match: { InstanceId: 'i-1' }, code: 'FlowLimitExceeded' },
      throttle,
    ])
    const codes: Array<unknown> = []
    for (let i = 0; i < 5; i++) codes.push((await associate(e, 'i-1', `t${String(i)}`)).error?.Code)
    expect(codes).toEqual(['InternalError', 'ServiceUnavailable', 'FlowLimitExceeded', 'Throttling', undefined])
    expect(e.trace.list().map((x) => x.fault)).toEqual([0, 1, 2, 3, undefined])
  })

  it('fires only on a request that carries every parameter of its match', async () => {
    const e = await emulator()
    e.faults.set([{ ...throttle, match: { HaVipId: 'havip-1', InstanceId: 'i-2' } }])
    expect((await associate(e, 'i-1', 'a')).status).toBe(200)
    expect(e.faults.list()[0]).toMatchObject({ hits: 0, remaining: 1 })
    expect((await associate(e, 'i-2', 'b')).status).toBe(429)
    expect(e.faults.list()[0]).toMatchObject({ hits: 1, remaining: 0 })
  })
})

describe('the rule as the handle lists it', () => {
  it('has every default filled in and no field the rule did not give', async () => {
    const e = await emulator()
    e.faults.add({ action: 'AssociateHaVip', effect: 'drop-before' })
    const [rule] = e.faults.list()
    expect(rule).toStrictEqual({ action: 'AssociateHaVip', match: {}, after: 0, times: 1, effect: 'drop-before', hits: 0, remaining: 1 })
    expect(Object.keys(rule ?? {}).sort()).toEqual(['action', 'after', 'effect', 'hits', 'match', 'remaining', 'times'])
  })
})

describe('a rule written wrong: the refusal names the field at its path and says what it got', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['a value of the wrong type, quoted', { ...throttle, times: '2' }, 'times: must be a whole number from 1 to 1000000000; got "2"'],
    ['a fraction', { ...throttle, times: 1.5 }, 'times: must be a whole number from 1 to 1000000000; got 1.5'],
    ['a missing action', { effect: 'error', code: 'Throttling' }, 'action: is required: the action the rule applies to; got nothing'],
    ['an unknown field, with every field of a rule', { ...throttle, tims: 2 }, 'tims: is not a field of a rule (action, match, after, times, effect, code, status, message, ms)'],
    ['an unknown effect, with every effect', { ...throttle, effect: 'explode' }, 'effect: must be one of error, delay, drop-before, drop-after, fail-task; got "explode"'],
    ['a missing code', { action: 'AssociateHaVip', effect: 'error' }, 'code: is required with effect error: an error code such as Throttling; got nothing'],
    ['a code that is not a string', { ...throttle, code: true }, 'code: is required with effect error: an error code such as Throttling; got true'],
    ['a message that is not a string', { ...throttle, message: 5 }, 'message: must be a string of at most 4096 characters; got 5'],
    ['null', null, '(body): a rule is a JSON object, not null'],
    ['fail-task on an action the server does not answer: that problem only', { action: 'Nope', effect: 'fail-task' }, 'action: "Nope" is not an action this server answers (ACTIONS)'],
  ]
  for (const [what, rule, detail] of cases) {
    it(`POST one rule: ${what}`, async () => {
      const e = await emulator()
      const expected = refused(detail.replace('ACTIONS', e.health().actions.join(', ')))
      expect(refusal(() => e.faults.add(rule as FaultRule))).toBe(expected)
      expect(e.faults.list()).toEqual([])
    })
  }

  it('PUT a list: each problem at faults[i], the old list kept', async () => {
    const e = await emulator()
    e.faults.set([throttle])
    expect(refusal(() => e.faults.set([throttle, null as unknown as FaultRule, { ...throttle, times: 0 }]))).toBe(refused([
      'faults[1]: a rule is a JSON object, not null',
      'faults[2].times: must be a whole number from 1 to 1000000000; got 0',
    ].join('; ')))
    expect(e.faults.list().map((f) => f.code)).toEqual(['Throttling'])
  })

  it('over HTTP: a POSTed null is refused with 400 InvalidField, naming the body', async () => {
    const e = await emulator()
    const res = await fetch(`${e.url}/_havip/faults`, { method: 'POST', body: 'null' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: { code: 'InvalidField', message: refused('(body): a rule is a JSON object, not null') } })
  })
})
