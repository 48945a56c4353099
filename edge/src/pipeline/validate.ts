import { checkPayload, pseudonymiseReading } from '../readings/intake.ts';
import type { Authenticated, Step, Validated } from './step.ts';

/**
 * The payload: within the size bound, JSON, and what its channel's schema says (the refusal
 * names the field). Personal codes are hashed here, before anything stores or forwards them.
 */
export function validate(deps: { maxPayloadBytes: number; privacyKey: string }): Step<Authenticated, Validated> {
  return {
    name: 'validate',
    run({ addressed, ...publish }) {
      const result = checkPayload(addressed, publish.packet.payload as Buffer, deps.maxPayloadBytes);
      if (!result.ok) return { refuse: result.rejection, context: { topic: publish.packet.topic } };
      return { pass: { ...publish, reading: pseudonymiseReading(result.reading, deps.privacyKey) } };
    },
  };
}
