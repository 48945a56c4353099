export * from './time.ts';
export * from './alarm.ts';
export * from './work-order.ts';
export * from './staff.ts';
export * from './effect.ts';
export * from './user.ts';
export * from './rules-version.ts';
export * from './engine-snapshot.ts';
