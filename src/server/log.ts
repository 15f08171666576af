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

/** How long request lines may wait to be written together: a lone client's request would otherwise pay a write of its own. */
const requestLinesEveryMs = 50
/** Past this much text, request lines are written at once: what one burst of requests makes the log hold is bounded. */
const mostPendingChars = 64 * 1024

/**
 * A request log that never stops the server: a write that fails (a closed pipe) drops the line.
 * Request lines are written together, every 50 ms (or at once past 64 KiB): one write for many
 * requests, where a write a request costs a lone client more than its rules do. The server's own
 * lines (`note`: a warning, a failed compaction) go out in the same turn of the event loop,
 * with whatever request lines wait before them, in order.
 */
export const requestLog = (write: (text: string) => void, format: LogFormat = 'text'): RequestLog => {
  let pending: Array<string> = []
  let pendingChars = 0
  let soon = false
  let later: NodeJS.Timeout | undefined
  const flush = (): void => {
    soon = false
    if (later !== undefined) clearTimeout(later)
    later = undefined
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    pendingChars = 0
    try {
      write(text)
    } catch {
      // The log is for people; the requests do not depend on it.
    }
  }
  const add = (text: string): void => {
    pending.push(`${text}\n`)
    pendingChars += text.length + 1
  }
  const flushSoon = (): void => {
    if (soon) return
    soon = true
    setImmediate(flush)
  }
  return {
    request: (entry) => {
      add(line(entry, format))
      if (pendingChars >= mostPendingChars) flushSoon()
      else later ??= setTimeout(flush, requestLinesEveryMs).unref()
    },
    note: (text) => {
      add(text)
      flushSoon()
    },
    flush,
  }
}
