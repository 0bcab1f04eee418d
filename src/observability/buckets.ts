/**
 * Histogram buckets, in seconds for latencies. Dense around the reference's thresholds
 * (sync latency p95 over 5 s) so that `histogram_quantile` gives p50/p95/p99 to within
 * one bucket from 5 ms to a minute.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 20, 30, 60];

/** HTTP requests are shorter: finer at the low end. */
export const HTTP_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Records processed by one sync run. */
export const RECORD_COUNT_BUCKETS: readonly number[] = [0, 1, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000];

/** Token refreshes are one HTTP round trip, occasionally behind a lock. */
export const REFRESH_BUCKETS_SECONDS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
