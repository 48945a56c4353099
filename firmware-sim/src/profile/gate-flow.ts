import type { SiteModel } from '@atrium/shared';
import { staffAt, VISIT_DWELL_MIN, visitorArrivals, type FootfallModel } from './expected-rate.ts';
import { VISITS_PER_VISITOR } from './weights.ts';

type GateKind = SiteModel['gates'][number]['kind'];

export interface GateFlow {
  /** passages per hour into the centre */
  entries: number;
  /** passages per hour out of it */
  exits: number;
}

/**
 * Staff doors carry the staff shifts; car-park turnstiles carry the shoppers who drove,
 * leaving one visit-length after they arrived. Split evenly over gates of the same kind.
 */
export function gateFlow(model: FootfallModel, kind: GateKind, sameKind: number, simTimeMs: number): GateFlow {
  const n = Math.max(1, sameKind);
  if (kind === 'door') {
    const staff = staffAt(model, model.calendar.at(simTimeMs));
    return { entries: staff.entries / n, exits: staff.exits / n };
  }
  const drove = VISITS_PER_VISITOR.carpark / n;
  const arriving = visitorArrivals(model, model.calendar.at(simTimeMs));
  const leaving = visitorArrivals(model, model.calendar.at(simTimeMs - VISIT_DWELL_MIN * 60_000));
  return { entries: arriving * drove, exits: leaving * drove };
}
