import { app } from '@azure/functions';
import { createAzureHandlers } from './handlers.ts';
import { functionsHostFromEnvironment } from './platform.ts';
import { startTelemetry } from './telemetry.ts';
import { processEnvironment } from '../runtime/config/index.ts';

/**
 * The Azure Functions app (v4 programming model): each reference function registered
 * over the runtime's handlers. Schedules and queues follow the reference: SyncScheduler
 * hourly, TokenRefresher every 6 h, workers on sync-inbound and sync-outbound, the
 * webhook intake and the API over HTTP. `AzureWebJobsServiceBus` is the app setting that
 * holds the Service Bus connection (a connection string, or `__fullyQualifiedNamespace`
 * for managed identity). host.json beside this file holds the scale settings.
 */
// Telemetry first, so that the instrumentation sees the SDK clients the platform creates.
startTelemetry(processEnvironment());
const handlers = createAzureHandlers(functionsHostFromEnvironment());
const SERVICE_BUS = 'AzureWebJobsServiceBus';

app.timer('SyncScheduler', { schedule: '0 0 * * * *', handler: handlers.syncScheduler });
app.timer('TokenRefresher', { schedule: '0 0 */6 * * *', handler: handlers.tokenRefresher });
// The outbox relay catches rows a crash left unrelayed; writers relay their own at once.
app.timer('OutboxRelay', { schedule: '0 * * * * *', handler: handlers.outboxRelay });
// The rate-limit usage history (the admin UI's usage over time); Cosmos DB's TTL expires old samples.
app.timer('RateLimitHistory', { schedule: '0 * * * * *', handler: handlers.rateLimitHistory });
app.serviceBusQueue('SyncInboundWorker', { connection: SERVICE_BUS, queueName: 'sync-inbound', handler: handlers.syncInboundWorker });
app.serviceBusQueue('SyncOutboundWorker', { connection: SERVICE_BUS, queueName: 'sync-outbound', handler: handlers.syncOutboundWorker });
app.serviceBusQueue('WebhookEventsWorker', { connection: SERVICE_BUS, queueName: 'webhook-events', handler: handlers.webhookEventsWorker });
// Re-enqueues events a crash left pending and renews watch channels close to expiry.
app.timer('WebhookMaintenance', { schedule: '0 * * * * *', handler: handlers.webhookMaintenance });
app.http('WebhookReceiver', { methods: ['POST', 'GET'], authLevel: 'anonymous', route: 'webhooks/{registrationId}/events', handler: handlers.webhookReceiver });
// The API does its own authentication (API keys): the Functions key is not required.
app.http('Api', { methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], authLevel: 'anonymous', route: 'v1/{*rest}', handler: handlers.api });
