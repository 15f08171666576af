import type { ParamMap } from '../codec/request.js'

/** One API exchange as the trace shows it (docs/control.md). */
export interface Exchange {
  /** When the request arrived (ISO-8601). */
  readonly time: string
  readonly method: string
  readonly action: string
  /** The request's parameters, `ClientToken` included; never a signature or a credential. */
  readonly params: Readonly<Record<string, string>>
  /** The HTTP status answered (for a dropped answer: the one that was not sent, or 0 when nothing was done). */
  readonly status: number
  /** The error's `Code`, when it failed. */
  readonly code?: string
  readonly requestId: string
  /** The `AsyncTaskId` answered, when there is one. */
  readonly asyncTaskId?: string
  /** From arrival to answer. */
  readonly ms: number
  /** The index of the fault rule that fired on it. */
  readonly fault?: number
  /** The connection was closed without an answer (a `drop-before` or `drop-after` rule). */
  readonly dropped?: true
}

/** What the server records as it answers; made into an `Exchange` only when someone reads the trace. */
export interface Recorded {
  readonly time: number
  readonly method: string
  readonly action: string
  readonly params: ParamMap | undefined
  readonly status: number
  readonly code: string | undefined
  readonly requestId: string
  readonly asyncTaskId: string | undefined
  readonly ms: number
  readonly fault: number | undefined
  readonly dropped: boolean
}

/** Parameters that carry a signature or a credential: the vendor's `X-…` query signing, and anything named like a signature or a secret. */
const secret = /^x-|signature|secret|^authorization$/i

const shown = (params: ParamMap | undefined): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {}
  if (params === undefined) return out
  for (const [name, value] of params) {
    // defineProperty: a parameter named __proto__ is an ordinary one.
    if (!secret.test(name)) Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

const exchange = (r: Recorded): Exchange => ({
  time: new Date(r.time).toISOString(),
  method: r.method,
  action: r.action,
  params: shown(r.params),
  status: r.status,
  ...(r.code === undefined ? {} : { code: r.code }),
  requestId: r.requestId,
  ...(r.asyncTaskId === undefined ? {} : { asyncTaskId: r.asyncTaskId }),
  ms: Number(r.ms.toFixed(3)),
  ...(r.fault === undefined ? {} : { fault: r.fault }),
  ...(r.dropped ? { dropped: true as const } : {}),
})

/** The last `capacity` exchanges, oldest first: a fixed-size ring, so the trace never grows. */
export class Trace {
  private readonly ring: Array<Recorded | undefined>
  private next = 0
  private count = 0

  constructor(readonly capacity = 1000) {
    this.ring = new Array<Recorded | undefined>(capacity).fill(undefined)
  }

  record(r: Recorded): void {
    this.ring[this.next] = r
    this.next = (this.next + 1) % this.capacity
    if (this.count < this.capacity) this.count++
  }

  list(): ReadonlyArray<Exchange> {
    const out: Array<Exchange> = []
    for (let i = 0; i < this.count; i++) {
      const r = this.ring[(this.next - this.count + i + this.capacity) % this.capacity]
      if (r !== undefined) out.push(exchange(r))
    }
    return out
  }

  clear(): void {
    this.ring.fill(undefined)
    this.next = 0
    this.count = 0
  }
}
