/**
 * Seeded randomness. Runs must be reproducible from a seed, so nothing here touches
 * Math.random; each device gets its own stream so adding a device or a fault does not
 * shift every other device's readings.
 */
export type Rng = () => number;

/** mulberry32: a 32-bit state PRNG, plenty for simulation and a few lines long. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a over the parts, so `streamSeed(42, 'rad-1', 'faults')` is stable across runs and platforms. */
export function streamSeed(seed: number, ...parts: string[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // One mulberry step spreads the FNV bits, which are weak in the low byte for short inputs.
  return Math.floor(mulberry32(h)() * 4_294_967_296);
}

export const rngFor = (seed: number, ...parts: string[]): Rng => mulberry32(streamSeed(seed, ...parts));

export const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

export const chance = (rng: Rng, p: number): boolean => p > 0 && rng() < p;

export const pick = <T>(rng: Rng, xs: readonly T[]): T => {
  if (xs.length === 0) throw new RangeError('pick from an empty list');
  return xs[Math.floor(rng() * xs.length)] as T;
};

/** Standard normal via Box-Muller (one value per call; the twin is discarded for simplicity). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  const u = 1 - rng(); // (0, 1], keeps log finite
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Poisson draw. Knuth's product method is exact but O(lambda), so above 30 the normal
 * approximation (continuity-corrected) takes over; at that size the difference is invisible.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    return k;
  }
  return Math.max(0, Math.round(normal(rng, lambda, Math.sqrt(lambda))));
}

/** Exponential waiting time with the given mean. */
export const exponential = (rng: Rng, mean: number): number => -Math.log(1 - rng()) * mean;
