/**
 * Counters and histograms for the hot paths of src/observe/metrics.ts: each label set's series is a plain object
 * found through nested Maps by its label values, and recording is an addition (a histogram: a bucket search
 * over a few bounds too) — about a tenth of what prom-client's own `inc`/`observe` cost, which validate and hash
 * the labels on every call. They are registered in the operator's prom-client Registry as metrics of their own
 * (`get()` gives prom-client the values it formats), so the exposition, the content type and the registry stay
 * prom-client's.
 */
import type { Metric, Registry } from 'prom-client';

/** One series: its labels and figures. */
interface Series {
  labels: Record<string, string>;
  value: number;
  /** Histograms: the observations in each bucket (not cumulative), the +Inf one last. */
  counts: number[] | null;
  sum: number;
}

/** What prom-client reads from a metric at a scrape. */
interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

/** Options of a series family. */
interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registry: Registry;
}

abstract class Family<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  abstract readonly type: 'counter' | 'histogram';
  readonly #labelNames: readonly L[];
  /** Nested by label value, one level per label; the innermost values are series. */
  readonly #root = new Map<string, unknown>();
  protected readonly series: Series[] = [];

  constructor(options: FamilyOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    // prom-client formats any metric that answers get() with its values: ours is one (a cast, as its types list
    // only its own classes).
    options.registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values (in the order of `labelNames`), created at first use. */
  protected find(values: string[]): Series {
    let level = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) level.set(values[i]!, (next = new Map()));
      level = next;
    }
    let found = level.get(values[last]!) as Series | undefined;
    if (!found) {
      const labels = Object.fromEntries(this.#labelNames.map((n, i) => [n, values[i]!]));
      found = { labels, value: 0, counts: this.emptyCounts(), sum: 0 };
      level.set(values[last]!, found);
      this.series.push(found);
    }
    return found;
  }

  protected emptyCounts(): number[] | null {
    return null;
  }

  /** For prom-client: the values to format. */
  abstract get(): Promise<Collected>;

  /** For prom-client's `resetMetrics()`: forgets every series. */
  reset(): void {
    this.#root.clear();
    this.series.length = 0;
  }
}

/** A counter whose series are found by label values. */
export class SeriesCounter<L extends string> extends Family<L> {
  readonly type = 'counter' as const;

  /** Adds `n` (default 1) to the series of these label values. */
  inc(values: string[], n = 1): void {
    this.find(values).value += n;
  }

  async get(): Promise<Collected> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.series.map((s) => ({ labels: s.labels, value: s.value })),
    };
  }
}

/** A histogram (cumulative `_bucket`, `_sum`, `_count`) whose series are found by label values. */
export class SeriesHistogram<L extends string> extends Family<L> {
  readonly type = 'histogram' as const;
  readonly #bounds: readonly number[];

  constructor(options: FamilyOptions<L> & { buckets: readonly number[] }) {
    super(options);
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected override emptyCounts(): number[] {
    return new Array<number>(this.#bounds.length + 1).fill(0);
  }

  /** Records one observation in the series of these label values. */
  observe(values: string[], value: number): void {
    const series = this.find(values);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts![i]!++;
    series.value++;
    series.sum += value;
  }

  async get(): Promise<Collected> {
    const values: Collected['values'] = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (const [i, bound] of this.#bounds.entries()) {
        cumulative += s.counts![i]!;
        values.push({
          labels: { le: bound, ...s.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.value, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.value, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
