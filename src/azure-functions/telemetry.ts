import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';

/**
 * Application Insights through OpenTelemetry (@azure/monitor-opentelemetry 1.18, the last
 * line that runs on Node 20): traces of HTTP calls, Azure SDK calls (Cosmos DB, Service
 * Bus, Key Vault) and logs go to the resource named by the connection string. Off when no
 * connection string is set (tests, local runs). Returns whether it started.
 */
export function startTelemetry(env: Readonly<Record<string, string | undefined>>): boolean {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return false;
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString } });
  return true;
}

/**
 * Flushes and stops the exporter (at host shutdown; in tests). A last export that fails
 * (ingestion unreachable) loses that telemetry, never the shutdown: it resolves false.
 */
export async function stopTelemetry(): Promise<boolean> {
  try {
    await shutdownAzureMonitor();
    return true;
  } catch {
    return false;
  }
}
