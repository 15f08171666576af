// The floor for "durable before acknowledged": a bare node:http server that appends each request's
// URL to a file and fdatasyncs it before answering, synchronously (`fs.writeSync` +
// `fs.fdatasyncSync`: the fastest way a lone request can be made durable in Node, with no hop
// through the thread pool). No parsing, no rules, no grouping of flushes. Used by bench/serve.js as
// the baseline of the same run. With `--preallocate`, the file is first filled with 256 MiB of
// zeros and each URL written over them, as havip serve's journal is (docs/performance.md compares
// the two floors). With `--no-flush`, nothing is written: what node:http alone costs a request
// (bench/one-client.js).
import { fdatasyncSync, openSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'

const preallocated = process.argv[3] === '--preallocate' ? 256 * 1024 * 1024 : 0
const flushing = process.argv[3] !== '--no-flush'
const fd = openSync(process.argv[2], preallocated > 0 ? 'w' : 'a')
const zeros = Buffer.alloc(1024 * 1024)
for (let at = 0; at < preallocated; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at)
if (preallocated > 0) fdatasyncSync(fd)
let position = 0
const durable = (url) => {
  const line = Buffer.from(`${url}\n`)
  if (preallocated > 0) {
    writeSync(fd, line, 0, line.length, position)
    position = (position + line.length) % (preallocated - 4096)
  } else {
    writeSync(fd, line)
  }
  fdatasyncSync(fd)
}
const server = createServer((req, res) => {
  req.resume()
  if (flushing) durable(req.url)
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2' })
  res.end('{}')
})
server.listen(0, '127.0.0.1', () => { console.log(`listening on http://127.0.0.1:${server.address().port}`) })
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections() })
