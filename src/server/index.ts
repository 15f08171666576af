/**
 * havip-rules/server: havip serve inside your own process, for test suites
 * (docs/endpoint.md).
 *
 * @packageDocumentation
 * @module havip-rules/server
 */
export type { Emulator, EmulatorOptions } from './emulator.js'
export type { Credentials } from '../wire/signature.js'
export type { FaultControl, Health, TraceControl } from './control.js'
export { ControlError } from './control.js'
export type { FaultEffect, FaultRule, FaultStatus } from './faults.js'
export type { Exchange } from './trace.js'
export { startEmulator } from './emulator.js'
