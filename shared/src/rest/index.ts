/** The REST API's requests and answers beyond the records themselves; routes declare these, never their own. */
export * from './common.ts';
export * from './query.ts';
export * from './ops.ts';
export * from './users.ts';
export * from './rules.ts';
export * from './reports.ts';
export * from './health.ts';
export * from './series.ts';
export * from './forecasting.ts';
export * from './session.ts';
export * from './merchant-portal.ts';
export * from './clock.ts';
export * from './control.ts';
export * from './staff-app.ts';
export * from './photos.ts';
