import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readBaseline, writeBaseline } from '../src/io/baseline-file.js'
import { readConfiguration, sourceRoot } from '../src/io/tf-files.js'
import { UsageError } from '../src/io/usage-error.js'
import { unknownId, waivableIds } from '../src/plan/waivers.js'
import { tempFolder } from './support/temp.js'

/** What a call throws: its class and message (a usage error is what the CLI prints, in one line). */
const thrown = (action: () => unknown): { readonly usage: boolean; readonly message: string } => {
  try {
    action()
  } catch (e) {
    return { usage: e instanceof UsageError, message: e instanceof Error ? e.message : String(e) }
  }
  throw new Error('expected a throw')
}

const usageError = (message: string): { readonly usage: boolean; readonly message: string } => ({ usage: true, message })

const anError = waivableIds.find((id) => id !== unknownId) ?? unknownId

describe('baselines (--baseline FILE, --write-baseline FILE)', () => {
  const baselineFile = (content: unknown): string => {
    const path = join(tempFolder('havip-baseline-'), 'baseline.json')
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  it('a written baseline is two-space JSON ending in a newline, and reads back as instance waivers naming their entry', () => {
    const path = join(tempFolder('havip-baseline-'), 'baseline.json')
    const entries = [
      { address: 'volcengine_ha_vip_associate.web[0]', id: anError, reason: 'reviewed: the web tier moves next week' },
      { address: 'module.db.volcengine_ha_vip_associate.primary', id: unknownId, reason: 'the instance id is known after apply' },
    ]
    writeBaseline(path, entries)
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify({ havipBaseline: 1, waivers: entries }, null, 2)}\n`)
    expect(readBaseline(path)).toEqual([
      { ...entries[0], scope: 'instance', kind: 'baseline', where: `${path} waivers[0]` },
      { ...entries[1], scope: 'instance', kind: 'baseline', where: `${path} waivers[1]` },
    ])
  })

  it('an entry whose address, id or reason is missing, not a string, empty or blank is refused, each problem named by its JSON path', () => {
    const path = baselineFile({
      havipBaseline: 1,
      waivers: [
        { address: 'a.b', id: anError, reason: '' },
        { address: 'a.b', id: anError, reason: ' \t ' },
        { address: 'a.b', id: anError, reason: 7 },
        { id: anError, reason: 'why' },
        { address: 'a.b', id: '', reason: 'why' },
      ],
    })
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: not a havip plan baseline:\n` + [
      '  waivers[0].reason: expected a non-empty string, got string ""',
      '  waivers[1].reason: expected a non-empty string, got string " \\t "',
      '  waivers[2].reason: expected a non-empty string, got number 7',
      '  waivers[3].address: required a non-empty string is missing',
      '  waivers[4].id: expected a non-empty string, got string ""',
    ].join('\n')))
  })

  it('a file that is not a baseline names what it should be: the version 1, an array of waivers, a baseline object', () => {
    const wrongVersion = baselineFile({ havipBaseline: 2, waivers: {} })
    expect(thrown(() => readBaseline(wrongVersion))).toEqual(usageError(`${wrongVersion}: not a havip plan baseline:\n` +
      '  havipBaseline: expected the number 1, got number 2\n  waivers: expected an array of waivers, got an object'))
    const notAnEntry = baselineFile({ havipBaseline: 1, waivers: ['volcengine_ha_vip_associate.web'] })
    expect(thrown(() => readBaseline(notAnEntry))).toEqual(usageError(`${notAnEntry}: not a havip plan baseline:\n  waivers[0]: expected a waiver, got string "volcengine_ha_vip_associate.web"`))
    const notAnObject = baselineFile([])
    expect(thrown(() => readBaseline(notAnObject))).toEqual(usageError(`${notAnObject}: not a havip plan baseline:\n  (root): expected a baseline, got an array`))
  })

  it('a baseline that is not JSON is refused naming the file and what writes one', () => {
    const text = '{"havipBaseline": 1,'
    const path = baselineFile(text)
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: not JSON: ${thrown(() => JSON.parse(text)).message} (havip plan --write-baseline writes a baseline)`))
  })

  it('an entry naming an id havip plan never reports is refused with its JSON path', () => {
    const path = baselineFile({ havipBaseline: 1, waivers: [{ address: 'a.b', id: anError, reason: 'fine' }, { address: 'a.b', id: 'NoSuchError', reason: 'why' }] })
    expect(thrown(() => readBaseline(path))).toEqual(usageError(`${path}: waivers[1].id: "NoSuchError" is not an error id havip plan reports (see docs/errors.md)`))
  })
})
