import { LIVE_EVENTS, type AlertEvent } from '@atrium/shared';
import { ROOMS, type LiveServer } from '../live/socket.ts';

/**
 * In-app delivery of merchant alerts over socket.io. A merchant's sockets join only
 * `merchant:<their id>` (roomsFor in live/socket.ts decides it from the API key), and an alert
 * goes only to the room of the merchant whose shop it is about, plus the control room, which
 * sees every shop anyway. No other merchant's socket is in either room.
 */
export const alertRooms = (e: AlertEvent): string[] => [ROOMS.merchant(e.alert.merchantId), ROOMS.site];

export function emitMerchantAlert(io: Pick<LiveServer, 'to'>, e: AlertEvent): void {
  io.to(alertRooms(e)).emit(LIVE_EVENTS.merchantAlert, e);
}
