/**
 * A strict reader of the Prometheus text format (0.0.4), for comparing what exporters serve.
 * It throws on anything it cannot read, so a malformed exposition fails the test that reads it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per family name. */
  types: Map<string, string>;
  /** `# HELP` per family name (unescaped). */
  help: Map<string, string>;
}

function unescapeText(text: string, quotes: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === 'n') out += '\n';
    else if (next === '\\') out += '\\';
    else if (next === '"' && quotes) out += '"';
    else throw new Error(`bad escape \\${next} in ${JSON.stringify(text)}`);
  }
  return out;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad sample value ${JSON.stringify(text)}`);
  return value;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
      if (!meta) continue; // a comment (the OTel exporter writes `# UNIT`)
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'TYPE') {
        if (types.has(name)) throw new Error(`TYPE of ${name} given twice`);
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`HELP of ${name} given twice`);
        help.set(name, unescapeText(rest, false));
      }
      continue;
    }
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    const name = head[1]!;
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
        if (!label) throw new Error(`bad label at ${i} in ${JSON.stringify(line)}`);
        i += label[0].length;
        let raw = '';
        while (line[i] !== '"') {
          if (i >= line.length) throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
          if (line[i] === '\\') raw += line[i++];
          raw += line[i++];
        }
        i++;
        if (labels[label[1]!] !== undefined) throw new Error(`label ${label[1]} twice in ${line}`);
        labels[label[1]!] = unescapeText(raw, true);
        if (line[i] === ',') i++;
      }
      i++;
    }
    if (line[i] !== ' ') throw new Error(`expected a space after the series in ${JSON.stringify(line)}`);
    const [value, timestamp, extra] = line.slice(i + 1).split(' ');
    if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) {
      throw new Error(`bad sample tail in ${JSON.stringify(line)}`);
    }
    samples.push({ name, labels, value: parseValue(value ?? '') });
  }
  return { samples, types, help };
}

/** A stable key for a sample's identity: name and sorted labels. */
export function sampleKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${sorted.join(',')}}`;
}
