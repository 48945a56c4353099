/** Rounds to `dp` decimal places (sensors report fixed resolution, files stay diff-friendly). */
export const round = (x: number, dp: number): number => Math.round(x * 10 ** dp) / 10 ** dp;

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
