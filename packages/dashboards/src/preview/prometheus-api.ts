/** The two Prometheus HTTP API calls the preview needs. */

export interface RangeSeries {
  labels: Record<string, string>;
  /** [unix seconds, value]; non-finite values (NaN from 0/0) are dropped. */
  points: [number, number][];
}

interface ApiResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][] }[] };
}

export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds between points. */
  step: number;
}

/** `query_range`, with the error Prometheus gave when it rejects the expression. */
export async function queryRange(
  prometheusUrl: string,
  expr: string,
  range: TimeRange,
): Promise<RangeSeries[]> {
  const body = new URLSearchParams({
    query: expr,
    start: String(range.start),
    end: String(range.end),
    step: String(range.step),
  });
  const response = await fetch(`${prometheusUrl.replace(/\/$/, '')}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  let parsed: ApiResponse;
  try {
    parsed = (await response.json()) as ApiResponse;
  } catch {
    throw new Error(`Prometheus at ${prometheusUrl} answered ${response.status} without JSON`);
  }
  if (parsed.status !== 'success' || !parsed.data) {
    throw new Error(`Prometheus rejected the query (${parsed.error ?? response.status}): ${expr}`);
  }
  return parsed.data.result.map((r) => ({
    labels: r.metric,
    points: (r.values ?? [])
      .map(([t, v]): [number, number] => [t, Number(v)])
      .filter(([, v]) => Number.isFinite(v)),
  }));
}
