import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { runJobQueueContract } from '../../ports/contracts/job-queue.contract.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import { ServiceBusJobQueue } from './job-queue.ts';

/**
 * The JobQueue contract against a real Azure Service Bus namespace when
 * AZURE_SERVICEBUS_CONNECTION_STRING is set (Manage rights: each case creates its own
 * queues under a random prefix). No Service Bus emulator runs offline, so without it only
 * messages.test.ts runs. Cases that move the queue's clock (delays, backoff) cannot pass
 * there: Service Bus schedules by its own wall clock.
 */
const CONNECTION = process.env.AZURE_SERVICEBUS_CONNECTION_STRING;

if (CONNECTION) {
  runJobQueueContract('ServiceBusJobQueue', async () => {
    const entityPrefix = `t${randomBytes(4).toString('hex')}-`;
    const queues: JobQueue[] = [];
    return {
      open: async (options) => {
        const queue = new ServiceBusJobQueue({ connectionString: CONNECTION, entityPrefix, stopGraceMs: 1000, ...options });
        await queue.ensureQueues();
        queues.push(queue);
        return queue;
      },
      dispose: async () => {
        for (const queue of queues) await queue.close();
        const admin = new ServiceBusJobQueue({ connectionString: CONNECTION, entityPrefix, clock: { now: () => Date.now() } });
        await admin.deleteQueues();
        await admin.close();
      },
    };
  });
} else {
  describe('JobQueue contract: ServiceBusJobQueue', () => {
    it.skip('needs AZURE_SERVICEBUS_CONNECTION_STRING: no Service Bus emulator runs offline', () => undefined);
  });
}
