// The flags every command shares, the order every command runs in, and the one place
// where a command's failure is printed. kubectl hands every argument to a plugin
// unparsed, so these are ours to parse: --kubeconfig, --context, -n/--namespace,
// -o/--output, -v, --request-timeout, each as `--flag value` or `--flag=value`.
//
// A run: flags -> typed request (request(); every usage error is thrown here, exit 2,
// before any file, network or API access) -> a Session -> the use case (run()) -> exit code.
import { Command, Option, type BaseContext } from 'clipanion';
import * as t from 'typanion';
import type { GlobalRequest, Session, Stdio } from '../app/session.js';
import { parseDryRun, type DryRun } from '../dryrun.js';
import { parseDuration } from '../duration.js';
import { CliError, isUsageError, UsageError } from '../errors.js';
import type { Interruption } from '../interrupt.js';
import { checkNamespaceName } from '../names.js';
import { OUTPUT_FORMATS, Printer, type OutputFormat } from '../output/printer.js';
import { colorEnabled } from '../output/style.js';
import { translate } from '../translate.js';

export interface HarborContext extends BaseContext {
  /** The user's home directory (for ~/.kube/config, ~/.docker/config.json). */
  homedir: string;
  /** Ctrl-C and SIGTERM for work that stops cleanly (set by main.ts; none in-process). */
  interrupt?: Interruption;
}

export const DEFAULT_REQUEST_TIMEOUT = '30s';

export abstract class BaseCommand<R = void> extends Command<HarborContext> {
  kubeconfig = Option.String('--kubeconfig', {
    description: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
  });

  kubeContext = Option.String('--context', {
    description: 'The kubeconfig context to use (default: the current context)',
  });

  namespace = Option.String('-n,--namespace', {
    description: "The namespace (default: the context's namespace, else default)",
  });

  output = Option.String('-o,--output', {
    description: 'Output format: json, yaml, name or wide',
    validator: t.isEnum(OUTPUT_FORMATS),
  });

  verbose = Option.Counter('-v,--verbose', 0, {
    description: 'More detail on stderr (-vv for every API request); never prints secrets',
  });

  requestTimeout = Option.String('--request-timeout', DEFAULT_REQUEST_TIMEOUT, {
    description: 'How long to wait for one API request: 0 (no limit), 30s, 1m, ...',
  });

  private printerMemo: Printer | undefined;

  /** Flags to a typed request. Throw UsageError for anything wrong; touch nothing. */
  protected abstract request(): R;

  /** The use case, usually `(await import('../app/x.js')).x(session, request)`. Returns the exit code. */
  protected abstract run(session: Session, request: R): Promise<number | void>;

  /** What this command supports of -o; others are refused. */
  protected outputFormats(): readonly OutputFormat[] {
    return OUTPUT_FORMATS;
  }

  /** The raw --dry-run of commands that have one. */
  protected dryRunFlag(): string | boolean | undefined {
    return undefined;
  }

  /** The raw --supervisor-context of commands that have one. */
  protected supervisorContextFlag(): string | undefined {
    return undefined;
  }

  get printer(): Printer {
    if (!this.printerMemo) {
      const { stdout, stderr, env } = this.context;
      let dryRun: DryRun;
      try {
        dryRun = parseDryRun(this.dryRunFlag());
      } catch {
        dryRun = undefined;
      }
      this.printerMemo = new Printer(stdout, stderr, {
        output: this.output,
        verbose: this.verbose,
        dryRun,
        colorStdout: colorEnabled(stdout as { isTTY?: boolean }, env),
        colorStderr: colorEnabled(stderr as { isTTY?: boolean }, env),
      });
    }
    return this.printerMemo;
  }

  /** The shared flags, checked. */
  protected globalRequest(): GlobalRequest {
    const timeoutMs = parseDuration(this.requestTimeout);
    if (timeoutMs === undefined)
      throw new UsageError(
        `invalid --request-timeout "${this.requestTimeout}": use 0, a number of seconds, or a duration such as 30s or 1m`,
      );
    if (this.output && !this.outputFormats().includes(this.output)) {
      throw new UsageError(
        `this command does not support -o ${this.output} (supported: ${this.outputFormats().join(', ') || 'none'})`,
      );
    }
    if (this.kubeconfig !== undefined && this.kubeconfig.trim() === '')
      throw new UsageError('--kubeconfig needs a file path');
    if (this.kubeContext !== undefined && this.kubeContext.trim() === '')
      throw new UsageError('--context needs a context name');
    if (this.namespace !== undefined) {
      if (this.namespace.trim() === '') throw new UsageError('--namespace needs a name');
      checkNamespaceName(this.namespace);
    }
    const supervisorContext = this.supervisorContextFlag();
    if (supervisorContext !== undefined && supervisorContext.trim() === '')
      throw new UsageError('--supervisor-context needs a context name');
    return {
      kubeconfig: this.kubeconfig,
      context: this.kubeContext,
      namespace: this.namespace,
      supervisorContext,
      timeoutMs,
      verbose: this.verbose,
      dryRun: parseDryRun(this.dryRunFlag()),
    };
  }

  async execute(): Promise<number> {
    let session: Session | undefined;
    try {
      const global = this.globalRequest();
      const request = this.request();
      const { Session } = await import('../app/session.js');
      const { stdin, stdout, stderr, env, homedir, interrupt } = this.context;
      session = new Session(this.printer, { stdin, stdout, stderr, env, homedir, interrupt } as Stdio, global);
      const code = await this.run(session, request);
      await this.printer.flush();
      return code ?? 0;
    } catch (e) {
      return this.fail(e);
    } finally {
      session?.close();
    }
  }

  /** Print one line for a failure and return its exit code. Stack traces only for bugs, and only with -v. */
  protected fail(e: unknown): number {
    const p = this.printer;
    if (isUsageError(e)) {
      p.error((e as Error).message);
      p.status(`See '${this.cli.binaryName} ${this.path.join(' ')} --help' for usage.`);
      return 2;
    }
    const err = translate(e, { doing: `${this.cli.binaryName} ${this.path.join(' ')}` });
    if (err instanceof CliError) {
      p.error(err.message);
      if (err.detail) p.debug(err.detail);
      return err.exitCode;
    }
    const bug = err instanceof Error ? err : new Error(String(err));
    p.error(`internal error: ${bug.message.split('\n')[0]}${this.verbose ? '' : ' (run with -v for details)'}`);
    if (this.verbose && bug.stack) p.status(bug.stack);
    return 1;
  }
}
