// One taker in the lock race of test/lock-race.test.ts: waits for the moment it is told, takes the
// lock of the file it is told, and says whether it got it (keeping it, if so, until it exits).
import { lockSnapshot } from '../../dist/io/lock.js'

const held = []
process.on('message', (m) => {
  if (m.exit) {
    for (const lock of held) lock.release()
    process.disconnect()
    return
  }
  while (Date.now() < m.at) { /* spin: every taker starts at the same instant */ }
  let got = false
  try {
    held.push(lockSnapshot(m.target, 'race'))
    got = true
  } catch {
    // Refused: someone else holds it.
  }
  process.send({ round: m.round, got })
})
process.send({ ready: true })
