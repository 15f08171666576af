/**
 * havip-rules/server: havip serve inside your own process, for test suites
 * (docs/endpoint.md).
 *
 * @packageDocumentation
 * @module havip-rules/server
 */
export type { Emulator, EmulatorOptions } from './emulator.js'
export type { Credentials } from '../wire/signature.js'
export { startEmulator } from './emulator.js'
