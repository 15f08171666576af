import fc from 'fast-check'
import { runs } from './support/runs.js'

// CI replays the same cases every run; FC_SEED replays a reported failure anywhere.
// fast-check prints the seed and the shrunk counterexample of every failure. FC_RUNS runs more cases.
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : process.env.CI ? 20261126 : undefined
fc.configureGlobal({ numRuns: runs(Number(process.env.FC_RUNS ?? 300)), ...(seed === undefined ? {} : { seed }) })
