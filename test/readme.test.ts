import { readFileSync } from 'node:fs'
import { expect, it, vi } from 'vitest'

const example = readFileSync(new URL('../examples/readme-example.ts', import.meta.url), 'utf8')

it('the README shows examples/readme-example.ts word for word', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  expect(readme).toContain(example.trim())
})

it('the README example prints what its last comment says', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
  await import('../examples/readme-example.js')
  const promised = example.trim().split('\n').at(-1)?.replace(/^\/\/ /, '')
  expect(log.mock.calls).toEqual([[promised]])
  log.mockRestore()
})
