import { z } from 'zod';
import { SubjectKind } from './uplink.ts';

/**
 * What the forecast API serves, defined once; the cloud's stores and services use the inferred types.
 */
export const CONFIDENCES = ['normal', 'low'] as const;
/** why a forecast is low-confidence (series-forecast.ts); `ok` when it is not */
export const CONFIDENCE_REASONS = ['ok', 'no-history', 'short-history', 'sparse-recent'] as const;

export const ForecastHour = z.object({
  /** start of the real hour (epoch ms) */
  t: z.number(),
  /** hours between the hour the forecast was made in and this one */
  leadH: z.number().int(),
  mean: z.number(),
  lo80: z.number(),
  hi80: z.number(),
  lo95: z.number(),
  hi95: z.number(),
  /** the usual for that hour of the week; null when there is no history to say */
  usual: z.number().nullable(),
});

export const SeriesRun = z.object({
  subjectKind: SubjectKind,
  subjectId: z.string(),
  confidence: z.enum(CONFIDENCES),
  reason: z.enum(CONFIDENCE_REASONS),
  /** counted hours in the history the forecast was made from */
  observedHours: z.number().int(),
  hours: z.array(ForecastHour),
});

export const StoredSeriesForecast = SeriesRun.extend({ madeAt: z.number() });

export const RunInfo = z.object({
  madeAt: z.number(),
  /** first forecast hour (epoch ms) */
  origin: z.number(),
  horizonH: z.number().int(),
  series: z.number().int(),
  durationMs: z.number(),
});

export const MadeEarlier = z.object({ madeAt: z.number(), mean: z.number(), lo80: z.number(), hi80: z.number(), lo95: z.number(), hi95: z.number() });

export const VsActualHour = z.object({
  t: z.number(),
  local: z.string(),
  /** footfall counted in that hour; null when the counters sent nothing (or it has not happened yet) */
  actual: z.number().nullable(),
  made24h: MadeEarlier.nullable(),
  made72h: MadeEarlier.nullable(),
});

export const Accuracy = z.object({
  subjectKind: SubjectKind,
  subjectId: z.string(),
  /** sum |actual − forecast| / sum actual over the hours with both; null when nothing was counted */
  wape24h: z.number().nullable(),
  wape72h: z.number().nullable(),
  /** hours scored */
  hours24h: z.number().int(),
  hours72h: z.number().int(),
  /** share of the scored hours inside the 24 h forecast's 80% interval */
  coverage80_24h: z.number().nullable(),
});

/** What one refresh did (POST /api/v1/forecasts/refresh answers with it). */
export const RefreshSummary = z.object({
  madeAt: z.number(),
  series: z.number().int(),
  /** series forecast with low confidence (too little or too sparse history) */
  lowConfidence: z.number().int(),
  durationMs: z.number(),
});

export type Confidence = (typeof CONFIDENCES)[number];
export type ConfidenceReason = (typeof CONFIDENCE_REASONS)[number];
export type ForecastHour = z.infer<typeof ForecastHour>;
export type SeriesRun = z.infer<typeof SeriesRun>;
export type StoredSeriesForecast = z.infer<typeof StoredSeriesForecast>;
export type RunInfo = z.infer<typeof RunInfo>;
export type MadeEarlier = z.infer<typeof MadeEarlier>;
export type VsActualHour = z.infer<typeof VsActualHour>;
export type Accuracy = z.infer<typeof Accuracy>;
export type RefreshSummary = z.infer<typeof RefreshSummary>;
