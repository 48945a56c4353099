/**
 * A misbehaving device can send thousands of bad messages a second; every one is counted,
 * but the log gets one line per device and reason per period.
 */
export function createLogThrottle(periodMs: number) {
  const last = new Map<string, number>();
  return {
    shouldLog(key: string, now = Date.now()): boolean {
      const at = last.get(key);
      if (at !== undefined && now - at < periodMs) return false;
      last.set(key, now);
      return true;
    },
  };
}
