import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTelemetry, stopTelemetry } from './telemetry.ts';

describe('Application Insights telemetry', () => {
  it('stays off without a connection string', () => {
    expect(startTelemetry({})).toBe(false);
  });

  it('registers an OpenTelemetry tracer provider exporting to the connection string given', async () => {
    const before = trace.getTracerProvider();
    // A reachable-nowhere ingestion endpoint: nothing is sent during the test.
    expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:1/' })).toBe(true);
    try {
      const span = trace.getTracer('tributary-test').startSpan('probe');
      expect(span.spanContext().traceId).not.toBe('00000000000000000000000000000000');
      span.end();
      expect(trace.getTracerProvider()).not.toBe(before);
    } finally {
      await stopTelemetry();
    }
  });
});
