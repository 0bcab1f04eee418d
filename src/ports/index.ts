export type * from './clock.ts';
export type * from './job-queue.ts';
export type * from './locks.ts';
export type * from './logger.ts';
export type * from './secret-store.ts';
export type * from './store.ts';
export { QUEUE_NAMES, JOB_PRIORITIES } from './job-queue.ts';
export type * from './rate-limit-backend.ts';
