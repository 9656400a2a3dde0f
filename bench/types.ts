import type { NetworkConnection } from "hardhat/types/network";

/** Benchmark figures: metric name → number. `npm run bench` merges them into bench/results.json. */
export type Metrics = Record<string, number>;

/**
 * A gas benchmark: deploys what it measures on the in-process network it is given (a fresh one,
 * shared with no other benchmark) and returns `gasUsed` figures of single transactions.
 */
export type GasBenchmark = (connection: NetworkConnection<"l1">) => Promise<Metrics>;
