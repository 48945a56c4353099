// Node-RED's registry loads node files with require(), so this file is CommonJS. The nodes
// themselves are TypeScript (edge/src/node-red/nodes.ts); the gateway that embeds Node-RED
// hands them over through its runtime settings, with the site, edge bus and actions bound.
module.exports = function (RED) {
  const atrium = RED.settings.atrium;
  if (!atrium || typeof atrium.registerNodes !== 'function') {
    throw new Error('the Atrium nodes run only inside an Atrium edge gateway (settings.atrium is missing)');
  }
  atrium.registerNodes(RED);
};
