import { readFileSync, writeFileSync } from 'node:fs'

/** Rewrites the part of a document between `<!-- NAME -->` and `<!-- /NAME -->`, leaving the rest. */
export const replaceSection = (url, name, text) => {
  const open = `<!-- ${name}: written by a benchmark, do not edit -->`
  const close = `<!-- /${name} -->`
  const doc = readFileSync(url, 'utf8')
  const from = doc.indexOf(open)
  const to = doc.indexOf(close)
  if (from === -1 || to === -1) throw new Error(`${url}: no ${name} section`)
  writeFileSync(url, `${doc.slice(0, from + open.length)}\n${text}\n${doc.slice(to)}`)
}
