/** Queues feature: operator actions on the job queue (dead letters). Other folders import this index only. */
export { DeadLetterAdmin, type DeadLetterActionContext, type DeadLetterAdminDeps, type DeadLetterPage, type DeadLetterScope, type DeadLetterView } from './dead-letters.ts';
