import { label } from '@eventscope/config/promql';
import type { AlertContext } from '../alert.js';

/** Annotation templates naming the service, destination and instance an alert fired for. */

export const svc = (ctx: AlertContext) => `{{ $labels.${ctx.q.service} }}`;
export const dest = `{{ $labels.${label.destination} }}`;
export const inst = `{{ $labels.${label.instance} }}`;
