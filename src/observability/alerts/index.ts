export { ALERT_NAMES, AlertTracker, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts, histogramQuantile } from './rules.ts';
export type { AlertName, AlertReading, AlertThresholds, AlertTransition, MetricsSample } from './rules.ts';
export { sampleFrom } from './sample.ts';
export type { MetricValues } from './sample.ts';
export { startAlertMonitor } from './monitor.ts';
export type { AlertMonitor, AlertMonitorOptions } from './monitor.ts';
export { LOCAL_ANNOUNCEMENTS, LeaseAnnouncements, announcementLease } from './announcements.ts';
export type { AlertAnnouncements, LeaseAnnouncementOptions } from './announcements.ts';
