import { z } from 'zod';

/**
 * GET /health: 200 when the cloud can take uplinks, 503 (same body) when it cannot. Loose on
 * purpose (plain numbers): a health answer must never fail its own serialization.
 */
export const CloudHealth = z.object({
  status: z.enum(['ok', 'failing']),
  store: z.object({
    ok: z.boolean(),
    uplinks: z.number().optional(),
    error: z.string().optional(),
    /** `influxdb` only: the disk buffer in front of InfluxDB and the last write failure */
    kind: z.enum(['embedded', 'influxdb']).optional(),
    accepting: z.boolean().optional(),
    influx: z
      .object({ url: z.string(), writing: z.boolean(), lastError: z.string().optional(), lastErrorAt: z.number().optional(), lastWriteAt: z.number().optional() })
      .optional(),
    buffer: z.object({ points: z.number(), uplinks: z.number(), maxPoints: z.number() }).optional(),
    deadLetter: z.object({ uplinks: z.number(), points: z.number() }).optional(),
    rollupPendingHours: z.number().optional(),
  }),
  dispatch: z
    .object({ openAlarms: z.number(), activeOrders: z.number(), queuedObservations: z.number(), lastStepAt: z.number().nullable() })
    .optional(),
  gatewaysConnected: z.number(),
  liveClients: z.number(),
  uptimeS: z.number(),
});
export type CloudHealth = z.infer<typeof CloudHealth>;
