import { spawn } from 'node:child_process'

const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname

/** `havip serve --snapshot path --port 0 …` as a child process: its URL once it listens, its exit code, its standard error. */
export const serveChild = (path: string, ...flags: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [cli, 'serve', '--snapshot', path, '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
  const url = new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    void exited.then((code) => { reject(new Error(`exited ${String(code)} before listening: ${stderr}`)) })
  })
  url.catch(() => undefined)
  return { child, url, exited, stderr: () => stderr }
}
