/**
 * How many cases a property runs: `n`, times FC_SCALE when set (mutation runs use a fraction, to
 * test thousands of mutants in reasonable time; FC_RUNS sets the default of properties that name
 * no count).
 */
export const runs = (n: number): number => Math.max(10, Math.round(n * Number(process.env.FC_SCALE ?? 1)))
