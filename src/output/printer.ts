// All output of a command goes through one Printer: data on stdout, status,
// warnings and progress on stderr. With -o json|yaml the objects written are
// collected and printed once at the end (one object, or a v1 List), so that the
// output of `--dry-run=client -o yaml` can be piped into `kubectl apply -f -`.
import type { Writable } from 'node:stream';
import type { DryRun } from '../dryrun.js';
import type { Overlay } from './spinner.js';
import { makeStyle, type Style } from './style.js';

export const OUTPUT_FORMATS = ['json', 'yaml', 'name', 'wide'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Action = 'created' | 'configured' | 'unchanged' | 'deleted' | 'bound' | 'unbound' | 'skipped' | 'failed';

export interface KubeObjectLike {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?: { name?: string | undefined; namespace?: string | undefined } | undefined;
}

export interface PrinterOptions {
  output?: OutputFormat | undefined;
  verbose: number;
  colorStdout: boolean;
  colorStderr: boolean;
  dryRun?: DryRun;
}

/** `secret/name`, or `kind.group/name` for objects outside the core group, as kubectl prints them. */
export function resourceRef(obj: KubeObjectLike): string {
  const kind = (obj.kind ?? 'object').toLowerCase();
  const api = obj.apiVersion ?? 'v1';
  const group = api.includes('/') ? api.slice(0, api.indexOf('/')) : '';
  return `${kind}${group ? `.${group}` : ''}/${obj.metadata?.name ?? ''}`;
}

export class Printer {
  readonly out: Style;
  readonly err: Style;
  private readonly objects: unknown[] = [];
  private warned = new Set<string>();
  /** A spinner drawn on a terminal: cleared before each line and drawn again after. */
  overlay: Overlay | undefined;

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    readonly opts: PrinterOptions,
  ) {
    this.out = makeStyle(opts.colorStdout);
    this.err = makeStyle(opts.colorStderr);
  }

  get output(): OutputFormat | undefined {
    return this.opts.output;
  }

  private write(stream: Writable, text: string): void {
    this.overlay?.clear();
    stream.write(text);
    this.overlay?.render();
  }

  /** A line of data on stdout. */
  line(text: string): void {
    this.write(this.stdout, `${text}\n`);
  }

  /** Status on stderr. */
  status(text: string): void {
    this.write(this.stderr, `${text}\n`);
  }

  /** Shown once per distinct text, on stderr, as kubectl does. */
  warn(text: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.write(this.stderr, `${this.err.yellow('Warning:')} ${text}\n`);
  }

  error(text: string): void {
    this.write(this.stderr, `${this.err.red('error:')} ${text}\n`);
  }

  /** Detail on stderr, only with -v (level 1) or -vv (level 2). Callers never pass secrets. */
  debug(text: string, level = 1): void {
    if (this.opts.verbose >= level) this.write(this.stderr, `${this.err.dim(`I ${text}`)}\n`);
  }

  /**
   * The result of writing one object. Default output: `secret/x created` on stdout
   * (kubectl's form); -o name: `secret/x`; -o json|yaml: the object, printed by flush().
   */
  result(obj: KubeObjectLike, action: Action): void {
    switch (this.opts.output) {
      case 'json':
      case 'yaml':
        this.objects.push(obj);
        return;
      case 'name':
        this.line(resourceRef(obj));
        return;
      default: {
        const dry =
          this.opts.dryRun === 'client' ? ' (dry run)' : this.opts.dryRun === 'server' ? ' (server dry run)' : '';
        this.line(`${resourceRef(obj)} ${action}${dry}`);
      }
    }
  }

  /**
   * Rows under a header, columns padded to the widest cell plus three spaces (as kubectl
   * prints them); the last column is not padded. Nothing is printed for no rows.
   */
  table(head: string[], rows: string[][]): void {
    if (rows.length === 0) return;
    const all = [head, ...rows];
    const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)) + 3);
    for (const r of all)
      this.line(
        r
          .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
          .join('')
          .trimEnd(),
      );
  }

  /** json or yaml: the command prints one document instead of text. */
  get structured(): boolean {
    return this.opts.output === 'json' || this.opts.output === 'yaml';
  }

  /** A non-Kubernetes document (version, context): json/yaml as asked, else the text form. */
  async document(doc: unknown, text: () => string): Promise<void> {
    if (this.opts.output === 'json' || this.opts.output === 'yaml') {
      this.stdout.write(await serialize(doc, this.opts.output));
    } else {
      this.stdout.write(text());
    }
  }

  /** Print the objects collected for -o json|yaml. Call once, at the end. */
  async flush(): Promise<void> {
    const fmt = this.opts.output;
    if ((fmt !== 'json' && fmt !== 'yaml') || this.objects.length === 0) return;
    const items = this.objects.splice(0);
    const doc =
      items.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
    this.stdout.write(await serialize(doc, fmt));
  }
}

export async function serialize(doc: unknown, fmt: 'json' | 'yaml'): Promise<string> {
  if (fmt === 'json') return `${JSON.stringify(doc, null, 4)}\n`;
  const { stringify } = await import('yaml');
  return stringify(doc, { lineWidth: 0 });
}
