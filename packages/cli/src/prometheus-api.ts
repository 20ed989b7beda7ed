import { UnavailableError, UsageError } from './errors.js';

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

/** A small Prometheus HTTP API client: instant queries, with errors that say what to do. */
export class PrometheusApi {
  readonly url: string;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--prometheus must be a URL such as http://127.0.0.1:9090, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`--prometheus must be an http(s) URL, got "${url}"`);
    }
    this.url = parsed.href.replace(/\/$/, '');
  }

  async query(expr: string, time: number): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: expr, time: String(time) });
    let response: Response;
    try {
      response = await fetch(`${this.url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new UnavailableError(
        `cannot reach Prometheus at ${this.url} (${(error as Error).cause ?? (error as Error).message}); is it running? (\`eventscope stack\` starts one)`,
      );
    }
    let body: {
      status?: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new UnavailableError(
        `${this.url} answered ${response.status} without JSON; is it a Prometheus server?`,
      );
    }
    if (body.status !== 'success' || !body.data) {
      throw new UsageError(`Prometheus rejected a query: ${body.error ?? response.status}\n  ${expr}`);
    }
    if (body.data.resultType !== 'vector') return [];
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
