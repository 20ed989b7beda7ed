/**
 * Reading what a /metrics endpoint serves, for assertions on exact counts. Label values are
 * compared after unescaping, so a destination with a quote or backslash matches as written.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;

const unescapeLabelValue = (value: string) =>
  value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The samples of a Prometheus text exposition (comments skipped); throws on a line it cannot read. */
export function parseSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(labelPair))
      labels[name!] = unescapeLabelValue(value!);
    const raw = match[3]!;
    samples.push({
      name: match[1]!,
      labels,
      value:
        raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw),
    });
  }
  return samples;
}

/** GET a /metrics URL and parse it; throws on a status other than 200. */
export async function scrapeSamples(url: string): Promise<MetricSample[]> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return parseSamples(await response.text());
}

/** Sum of the samples of one series name whose labels include every given pair. */
export function sumSamples(
  samples: readonly MetricSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) total += sample.value;
  }
  return total;
}
