/**
 * The alerts the demo view shows: what the stack's webhook receiver has been told by
 * Alertmanager, read from its `GET /alerts`. Absent stack, the view says how to start one.
 */
export interface ReceivedAlert {
  name: string;
  status: 'firing' | 'resolved';
  severity: string;
  /** Destination or service the alert is about, when its labels say. */
  subject: string;
  summary: string;
  startsAt: string;
  /** When the webhook last heard of it (epoch ms). */
  receivedAt: number;
}

export interface AlertFeedState {
  /** False when the receiver could not be reached at the last poll. */
  reachable: boolean;
  alerts: ReceivedAlert[];
}

export class AlertFeed {
  private state: AlertFeedState = { reachable: false, alerts: [] };
  private polling = false;

  constructor(readonly url: string) {}

  get current(): AlertFeedState {
    return this.state;
  }

  /** Poll once; never throws (an unreachable receiver is a state, not an error). */
  async poll(): Promise<AlertFeedState> {
    if (this.polling) return this.state;
    this.polling = true;
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(800) });
      if (!response.ok) throw new Error(String(response.status));
      const body = (await response.json()) as { alerts?: ReceivedAlert[] };
      this.state = { reachable: true, alerts: body.alerts ?? [] };
    } catch {
      this.state = { reachable: false, alerts: this.state.alerts };
    } finally {
      this.polling = false;
    }
    return this.state;
  }
}
