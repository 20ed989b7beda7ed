import { randomBytes } from 'node:crypto';

/** A name no other test run uses, for subjects, queues, streams and topics. */
export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ValidationError extends Error {
  override name = 'ValidationError';
}
