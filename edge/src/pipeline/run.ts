import type { Logger } from 'pino';
import type { Refusals } from '../core/refusals.ts';
import { divert, type Outcome, type Publish, type Step } from './step.ts';

type AnyStep = Step<unknown, unknown>;

/**
 * Runs a publish through its steps in order. Steps that answer at once run synchronously
 * (a refusal is answered in the same turn, as aedes expects of a plain check); a step that
 * returns a promise (the journal's commit) resumes the rest when it settles.
 */
export class PublishPipeline<Out> {
  private constructor(private readonly steps: readonly AnyStep[]) {}

  static start<Out>(first: Step<Publish, Out>): PublishPipeline<Out> {
    return new PublishPipeline<Out>([first as AnyStep]);
  }

  then<Next>(step: Step<Out, Next>): PublishPipeline<Next> {
    return new PublishPipeline<Next>([...this.steps, step as AnyStep]);
  }

  get names(): string[] {
    return this.steps.map((s) => s.name);
  }

  /** The handler for one publish; `refusals` counts and logs what a step refused. */
  handler(deps: { refusals: Refusals; logger: Logger }): (publish: Publish) => void {
    const { steps } = this;
    const settle = (publish: Publish, outcome: Outcome<unknown>): outcome is { pass: unknown } => {
      if ('pass' in outcome) return true;
      if ('refuse' in outcome) {
        const { refuse: rejection, quiet, context } = outcome;
        if (quiet) deps.refusals.count(rejection);
        else deps.refusals.report(publish.deviceId, rejection, context);
        divert(publish.packet, rejection.code);
        publish.answer(null);
      }
      return false;
    };
    const runFrom = (index: number, publish: Publish, value: unknown): void => {
      for (let i = index; i < steps.length; i++) {
        const step = steps[i]!;
        const outcome = step.run(value);
        if (outcome instanceof Promise) {
          outcome.then(
            (settled) => {
              if (settle(publish, settled)) runFrom(i + 1, publish, settled.pass);
            },
            (err: Error) => {
              deps.logger.error({ err: err.message, deviceId: publish.deviceId, step: step.name }, 'publish pipeline step failed');
              publish.answer(err);
            },
          );
          return;
        }
        if (!settle(publish, outcome)) return;
        value = outcome.pass;
      }
    };
    return (publish) => runFrom(0, publish, publish);
  }
}

/** aedes must be answered once per publish; a late or second answer is ignored. */
export function answerOnce(callback: (error?: Error | null) => void): (error?: Error | null) => void {
  let answered = false;
  return (error) => {
    if (answered) return;
    answered = true;
    callback(error);
  };
}
