import { isServiceBusError } from '@azure/service-bus';
import { TributaryError } from '../../domain/errors.ts';

/** Any Service Bus failure as QUEUE_UNAVAILABLE (retryable), keeping our own errors as they are. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TributaryError) throw error;
    const code = isServiceBusError(error) ? error.code : undefined;
    throw new TributaryError('QUEUE_UNAVAILABLE', `Azure Service Bus did not answer${code ? ` (${code})` : ''}`, { cause: error });
  }
}
