/** One line of the request log: what came in, what went out, how long it took. */
export interface RequestLogEntry {
  readonly time: Date
  readonly method: string
  readonly action: string
  readonly status: number
  /** The error's `Code`; absent on success. */
  readonly code?: string
  readonly requestId: string
  readonly ms: number
}

export type LogFormat = 'text' | 'json'

const line = (e: RequestLogEntry, format: LogFormat): string =>
  format === 'json'
    ? JSON.stringify({ time: e.time.toISOString(), method: e.method, action: e.action, status: e.status, ...(e.code === undefined ? {} : { code: e.code }), requestId: e.requestId, ms: Number(e.ms.toFixed(3)) })
    : `${e.time.toISOString()} ${e.method} ${e.action || '-'} ${String(e.status)} ${e.code ?? '-'} ${e.requestId} ${e.ms.toFixed(1)}ms`

/** Where log lines go, and whether it went wrong (never thrown: a log that cannot be written is dropped). */
export interface RequestLog {
  readonly request: (entry: RequestLogEntry) => void
  /** A line of the server's own (a failed compaction, say). */
  readonly note: (text: string) => void
  /** Writes what is buffered now. */
  readonly flush: () => void
}

/**
 * A request log that writes once a turn of the event loop, however many requests it answered, and
 * never stops the server: a write that fails (a closed pipe) drops the line.
 */
export const requestLog = (write: (text: string) => void, format: LogFormat = 'text'): RequestLog => {
  let pending: Array<string> = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    try {
      write(text)
    } catch {
      // The log is for people; the requests do not depend on it.
    }
  }
  const add = (text: string): void => {
    pending.push(`${text}\n`)
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  return { request: (entry) => { add(line(entry, format)) }, note: add, flush }
}
