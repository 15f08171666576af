// A lean HTTP/1.1 client for the endpoint benchmark: one keep-alive connection per client, one
// request at a time, responses framed by Content-Length. Node's own http client costs more CPU than
// the servers it measures; this one keeps the servers the bottleneck.
import { connect } from 'node:net'

/** Sends `paths` in turn (from the start again when done) until `until` (and an even count); latencies in ms, and statuses. */
export const run = (url, paths, until) => new Promise((resolve, reject) => {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.setNoDelay(true)
  const latencies = []
  const statuses = []
  let buffer = Buffer.alloc(0)
  let k = 0
  let sent = 0n
  const next = () => {
    if (Date.now() >= until && k % 2 === 0) {
      socket.end()
      resolve({ latencies, statuses })
      return
    }
    sent = process.hrtime.bigint()
    socket.write(`GET ${paths[k++ % paths.length]} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`)
  }
  socket.on('connect', next)
  socket.on('data', (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = buffer.subarray(0, end).toString('latin1')
      const declared = /content-length: *(\d+)/i.exec(head)?.[1]
      if (declared === undefined) {
        reject(new Error(`a response without Content-Length: ${head}`))
        socket.destroy()
        return
      }
      if (buffer.length < end + 4 + Number(declared)) return
      statuses.push(Number(head.slice(9, 12)))
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6)
      buffer = buffer.subarray(end + 4 + Number(declared))
      next()
    }
  })
  socket.on('error', reject)
})
