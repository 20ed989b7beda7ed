import { PrometheusClient } from '@eventscope/config/prometheus-client';
import { UsageError } from './errors.js';

/** The toolkit's Prometheus client for a `--prometheus` URL; a malformed URL is a usage error. */
export function prometheusClient(url: string, flag = '--prometheus'): PrometheusClient {
  try {
    return new PrometheusClient(url);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL such as http://127.0.0.1:9090, got "${url}"`);
  }
}
