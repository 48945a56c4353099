/** The parts of a V8 CPU profile (the debugging protocol's Profiler.stop) read here. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Where a page's script time went: self time per function (name, file and line), biggest
 * first, in ms. Chromium's own entries stay in — '(program)' is the renderer's native work
 * (style, layout, paint), '(garbage collector)' the collector, '(idle)' time with nothing to do
 * — so the list says whether the page's code or the browser's rendering is the cost.
 */
export function summarizeProfile(profile: CpuProfile, top: number): Array<{ fn: string; selfMs: number; percent: number }> {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // each delta is the time before its sample, so sample i accounts for the time up to sample i+1
  for (let i = 0; i < samples.length; i++) {
    const frame = byNode.get(samples[i]!);
    if (!frame) continue;
    const file = frame.url ? frame.url.slice(frame.url.lastIndexOf('/') + 1) : '';
    const key = file ? `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}` : frame.functionName || '(anonymous)';
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms), percent: Math.round((ms / total) * 1000) / 10 }));
}
