import type { Client, PublishPacket } from 'aedes';
import type { Rejection, RejectionCode } from '../core/errors.ts';
import type { Addressed, Reading } from '../readings/intake.ts';

/** One device publish as aedes hands it to the gateway (authorizePublish). */
export interface Publish {
  readonly client: Client | null;
  readonly packet: PublishPacket;
  /** Its client id; a will published after its device left arrives without a client, and its topic still names the device. */
  readonly deviceId: string;
  readonly receivedAt: number;
  /** aedes' answer, once: null lets the publish through (QoS 1: the PUBACK), an error drops the connection. */
  readonly answer: (error?: Error | null) => void;
}

/** What each step adds, in pipeline order. */
export type Authenticated = Publish & { readonly addressed: Addressed };
export type Validated = Publish & { readonly reading: Reading };
/** `journalId` null: the journal already holds this reading (a device's resend). */
export type Journaled = Validated & { readonly journalId: number | null };
export type Taken = Validated & { readonly journalId: number };

/**
 * What a step decides: pass the publish on (with what it learned), refuse it (the runner counts,
 * logs unless `quiet`, diverts and acknowledges it), or stop because the step answered aedes itself.
 */
export type Outcome<Out> = { pass: Out } | { refuse: Rejection; quiet?: boolean; context?: Record<string, unknown> } | { stop: true };

export interface Step<In, Out> {
  readonly name: string;
  run(publish: In): Outcome<Out> | Promise<Outcome<Out>>;
}

/**
 * A refused publish is acknowledged to the device and diverted to a dead-letter topic nobody
 * subscribes to: refusing by disconnecting would make a QoS 1 device resend the same poison
 * message forever.
 */
export function divert(packet: PublishPacket, code: RejectionCode): void {
  packet.topic = `$atrium/rejected/${code}`;
  packet.retain = false;
}
