/**
 * The one Prometheus HTTP API client of the toolkit (`report`, `preview`, `stack` and the tests):
 * instant and range queries, targets, alerts, reload. Errors say what failed and what to do, and
 * tell "cannot reach it" from "it refused the query".
 */

export interface InstantSample {
  metric: Record<string, string>;
  /** The sample's value; NaN and ±Inf come through as numbers. */
  value: number;
  /** Unix seconds. */
  time: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  /** [unix seconds, value]; non-finite values (NaN from 0/0) are dropped. */
  points: [number, number][];
}

export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds between points. */
  step: number;
}

export interface ScrapeTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastScrape: string;
  lastError: string;
  scrapeUrl: string;
}

export interface FiringAlert {
  labels: Record<string, string>;
  state: string;
}

/** Prometheus could not be reached, or did not answer as a Prometheus server does. */
export class PrometheusUnavailableError extends Error {
  override name = 'PrometheusUnavailableError';
}

/** Prometheus answered, and refused the request (a bad expression, a bad parameter). */
export class PrometheusQueryError extends Error {
  override name = 'PrometheusQueryError';
  constructor(
    message: string,
    readonly expr?: string,
  ) {
    super(message);
  }
}

interface ApiBody {
  status?: string;
  error?: string;
  data?: any;
}

export interface PrometheusClientOptions {
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export class PrometheusClient {
  readonly url: string;
  private readonly timeoutMs: number;

  /** Throws a TypeError naming the value when `url` is not an http(s) URL. */
  constructor(url: string, options: PrometheusClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`not a URL such as http://127.0.0.1:9090: "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`not an http(s) URL: "${url}"`);
    }
    this.url = parsed.href.replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private async call(
    path: string,
    params: Record<string, string> = {},
    expr?: string,
  ): Promise<ApiBody['data']> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error).cause ?? (error as Error).message;
      throw new PrometheusUnavailableError(
        `cannot reach Prometheus at ${this.url} (${String(cause)}); is it running?`,
      );
    }
    let body: ApiBody;
    try {
      body = (await response.json()) as ApiBody;
    } catch {
      throw new PrometheusUnavailableError(
        `${this.url} answered ${response.status} without JSON; is it a Prometheus server?`,
      );
    }
    if (body.status !== 'success') {
      throw new PrometheusQueryError(
        `Prometheus rejected ${path}: ${body.error ?? response.status}${expr ? `\n  ${expr}` : ''}`,
        expr,
      );
    }
    return body.data;
  }

  /** An instant query at `time` (unix seconds; default now). Scalars come back as one sample. */
  async query(expr: string, time?: number): Promise<InstantSample[]> {
    const data = await this.call(
      '/api/v1/query',
      { query: expr, ...(time !== undefined ? { time: String(time) } : {}) },
      expr,
    );
    if (data.resultType === 'scalar')
      return [{ metric: {}, time: data.result[0], value: Number(data.result[1]) }];
    if (data.resultType !== 'vector') return [];
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      time: r.value[0],
      value: Number(r.value[1]),
    }));
  }

  /** A range query; non-finite points are dropped. */
  async queryRange(expr: string, range: TimeRange): Promise<RangeSeries[]> {
    const data = await this.call(
      '/api/v1/query_range',
      { query: expr, start: String(range.start), end: String(range.end), step: String(range.step) },
      expr,
    );
    return (data.result as { metric: Record<string, string>; values?: [number, string][] }[]).map((r) => ({
      metric: r.metric,
      points: (r.values ?? [])
        .map(([t, v]): [number, number] => [t, Number(v)])
        .filter(([, v]) => Number.isFinite(v)),
    }));
  }

  /** The active scrape targets and their health. */
  async targets(): Promise<ScrapeTarget[]> {
    const response = await fetch(`${this.url}/api/v1/targets?state=active`, {
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((error: Error) => {
      throw new PrometheusUnavailableError(
        `cannot reach Prometheus at ${this.url} (${String(error.cause ?? error.message)})`,
      );
    });
    const body = (await response.json()) as ApiBody;
    return (body.data?.activeTargets ?? []) as ScrapeTarget[];
  }

  /** Alerts pending or firing in Prometheus. */
  async alerts(): Promise<FiringAlert[]> {
    const response = await fetch(`${this.url}/api/v1/alerts`, {
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await response.json()) as ApiBody;
    return (body.data?.alerts ?? []) as FiringAlert[];
  }

  /** Whether Prometheus says it is ready to serve queries. */
  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(this.timeoutMs) })).ok;
    } catch {
      return false;
    }
  }

  /** Reload the configuration (needs `--web.enable-lifecycle`). */
  async reload(): Promise<void> {
    const response = await fetch(`${this.url}/-/reload`, {
      method: 'POST',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok)
      throw new PrometheusQueryError(`Prometheus reload failed: ${response.status} ${await response.text()}`);
  }
}
