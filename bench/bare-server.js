// The floor for "durable before acknowledged": a bare node:http server that appends each request's
// URL to a file and fdatasyncs it before answering, synchronously (`fs.writeSync` +
// `fs.fdatasyncSync`: the fastest way a lone request can be made durable in Node, with no hop
// through the thread pool). No parsing, no rules, no grouping of flushes. Used by bench/serve.js as
// the baseline of the same run.
import { fdatasyncSync, openSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'

const fd = openSync(process.argv[2], 'a')
const server = createServer((req, res) => {
  req.resume()
  writeSync(fd, Buffer.from(`${req.url}\n`))
  fdatasyncSync(fd)
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2' })
  res.end('{}')
})
server.listen(0, '127.0.0.1', () => { console.log(`listening on http://127.0.0.1:${server.address().port}`) })
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections() })
