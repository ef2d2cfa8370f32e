export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the Prometheus text exposition format (0.0.4) strictly enough for tests: every non-comment
 * line must be a sample, or it throws — a scrape that a Prometheus server would reject fails here too.
 */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const input of text.split('\n')) {
    const line = input.trim();
    if (!line || line.startsWith('#')) continue;
    const [, name, labelText = '', raw = ''] = LINE.exec(line) ?? [];
    if (!name) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key = '', escaped = ''] of labelText.matchAll(LABEL)) labels[key] = escaped.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad sample value: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function sumOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}
