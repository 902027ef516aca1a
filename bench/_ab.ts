/**
 * What `queue_ab.ts` and `pool_ab.ts` share: two checkouts of the library
 * loaded into one process, their cases timed in interleaved rounds (each
 * round times every case once, in rotating order, after two warm-up
 * rounds), and the median of the after/before ratios taken within a round.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The two checkouts' roots (`before`: the one named on the command line) and the rounds to time. */
export interface AbRun {
  readonly before: URL;
  readonly after: URL;
  readonly rounds: number;
}

/** Reads `<baseline checkout> [rounds]`; exits with a usage line (code 2) without a baseline. */
export function abArgs(script: string, defaultRounds: number): AbRun {
  const [baseline, roundsArg] = Deno.args;
  if (baseline === undefined) {
    console.error(`usage: deno run -A bench/${script} <baseline checkout> [rounds]`);
    Deno.exit(2);
  }
  return {
    before: pathToFileURL(resolve(baseline) + "/"),
    after: new URL("..", import.meta.url),
    rounds: Number(roundsArg ?? defaultRounds),
  };
}

/** Times `cases` in `rounds` interleaved rounds; returns each case's samples (ms of wall time). */
export async function interleaveAsync(cases: (() => Promise<unknown>)[], rounds: number): Promise<number[][]> {
  const samples = cases.map(() => [] as number[]);
  for (let r = -2; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + Math.max(r, 0)) % cases.length;
      const start = performance.now();
      await cases[i]();
      if (r >= 0) samples[i].push(performance.now() - start);
    }
  }
  return samples;
}

/** The median of `values`. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

/** The median over rounds of `after[r] / before[r]`. */
export const ratioOfRounds = (before: number[], after: number[]): number => median(after.map((v, r) => v / before[r]));
