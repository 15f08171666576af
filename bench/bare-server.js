// The floor for "durable before acknowledged": a bare node:http server that appends each request's
// URL to a file and fdatasyncs it before answering. No parsing, no rules, no grouping of flushes.
// Used by bench/serve.js as the baseline of the same run.
import { fdatasync, openSync, write } from 'node:fs'
import { createServer } from 'node:http'

const fd = openSync(process.argv[2], 'a')
const server = createServer((req, res) => {
  const line = Buffer.from(`${req.url}\n`)
  req.resume()
  write(fd, line, (e) => {
    if (e) throw e
    fdatasync(fd, (f) => {
      if (f) throw f
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2' })
      res.end('{}')
    })
  })
})
server.listen(0, '127.0.0.1', () => { console.log(`listening on http://127.0.0.1:${server.address().port}`) })
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections() })
