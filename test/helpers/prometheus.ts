// Reading Prometheus metrics in tests: scrapes a /metrics URL (or takes the text) and parses it with a real
// text-format parser (parse-prometheus-text-format), then sums samples by name and labels. That parser keeps the
// labels of counters and gauges but folds a histogram's series into one without labels (prom2json's shape for
// an unlabelled histogram): read a histogram only where one label set exists ({@link Scrape.histogramCount}).
// Used by test/observe/metrics.test.ts.
import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';

/** Parsed metric families. */
export class Scrape {
  readonly families: Map<string, PromFamily>;
  constructor(readonly text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  }

  /** The family (throws when it is not exported: a missing metric is a failure, not a 0). */
  family(name: string): PromFamily {
    const f = this.families.get(name);
    if (!f)
      throw new Error(
        `The metric ${name} is not exported; exported: ${[...this.families.keys()].join(', ')}`,
      );
    return f;
  }

  /** The samples of `name` whose labels include `labels` (a RegExp value matches a label by pattern). */
  samples(name: string, labels: Record<string, string | RegExp> = {}): PromSample[] {
    return this.family(name).metrics.filter((m) =>
      Object.entries(labels).every(([k, v]) => {
        const actual = m.labels?.[k];
        return actual !== undefined && (typeof v === 'string' ? actual === v : v.test(actual));
      }),
    );
  }

  /**
   * The observations of a histogram that has one series (its `+Inf` bucket): a histogram with more label sets
   * cannot be told apart by the parser, so this refuses families whose text shows more than one.
   */
  histogramCount(name: string): number {
    const family = this.family(name);
    if (family.type !== 'HISTOGRAM') throw new Error(`${name} is a ${family.type}, not a histogram`);
    const series = this.text.split('\n').filter((line) => line.startsWith(`${name}_count`)).length;
    if (series !== 1) throw new Error(`${name} has ${series} series; the parser folds them into one`);
    return Number(family.metrics[0]?.buckets?.['+Inf'] ?? NaN);
  }

  /** The sum of the values (counters, gauges) or counts (histograms) of the matching samples. */
  sum(name: string, labels: Record<string, string | RegExp> = {}): number {
    return this.samples(name, labels).reduce((total, m) => total + Number(m.value ?? m.count ?? 0), 0);
  }
}

/** GETs the URL and parses the answer (which must be 200 with Prometheus' text content type). */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain'))
    throw new Error(`GET ${url}: content type ${type}, not the Prometheus text format`);
  return new Scrape(text);
}
