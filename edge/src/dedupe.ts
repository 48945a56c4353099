/**
 * Remembers the last few (seq, ts) pairs per device. Devices resend after a lost PUBACK
 * and after reconnect bursts; the pair survives a device reboot that resets `seq`.
 */
export interface Dedupe {
  /** true the first time a reading is seen, false for a repeat */
  firstSeen(deviceId: string, channel: string, seq: number, ts: number): boolean;
}

export function createDedupe(window = 256): Dedupe {
  const recent = new Map<string, { keys: Set<string>; order: string[] }>();
  return {
    firstSeen(deviceId, channel, seq, ts) {
      const streamKey = `${deviceId}/${channel}`;
      let stream = recent.get(streamKey);
      if (!stream) {
        stream = { keys: new Set(), order: [] };
        recent.set(streamKey, stream);
      }
      const key = `${seq}@${ts}`;
      if (stream.keys.has(key)) return false;
      stream.keys.add(key);
      stream.order.push(key);
      if (stream.order.length > window) stream.keys.delete(stream.order.shift()!);
      return true;
    },
  };
}
