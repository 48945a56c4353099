// @ts-check
/**
 * The socket.io client, served by the cloud's own socket.io server, so the pages need no CDN
 * and no build step. Fetched once per page; a failed download is tried again next time.
 */

/** @typedef {typeof import('socket.io-client').io} IoFactory */

export const SOCKET_CLIENT = '/socket.io/socket.io.esm.min.js';

/** @type {Promise<{ io: IoFactory }> | undefined} */
let socketModule;

/** @returns {Promise<{ io: IoFactory }>} */
export function socketClient() {
  const url = SOCKET_CLIENT; // a variable, so type-checking does not try to resolve the URL
  socketModule ??= import(url);
  socketModule.catch(() => {
    socketModule = undefined;
  });
  return socketModule;
}
