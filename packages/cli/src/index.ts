export type { AlertFeedState, ReceivedAlert } from './alert-feed.js';
export { exitCodes, ProblemFound, UnavailableError, UsageError } from './errors.js';
export { buildProgram, run, VERSION } from './program.js';
export { type RunningWebhookReceiver, startWebhookReceiver } from './webhook-receiver.js';
