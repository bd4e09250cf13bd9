// The flags every command shares, and the one place where a command's failure is
// printed. kubectl hands every argument to a plugin unparsed, so these are ours
// to parse: --kubeconfig, --context, -n/--namespace, -o/--output, -v, --request-timeout,
// each in both `--flag value` and `--flag=value` forms.
import { Command, Option, UsageError, type BaseContext } from 'clipanion';
import * as t from 'typanion';
import type { KubeClient } from '../kube/client.js';
import type { KubeTarget } from '../kube/config.js';
import { CliError, isUsageError } from '../errors.js';
import { OUTPUT_FORMATS, Printer } from '../output/printer.js';
import { colorEnabled } from '../output/style.js';
import { translate } from '../translate.js';
import { parseDuration } from '../duration.js';

export interface HarborContext extends BaseContext {
  /** The user's home directory (for ~/.kube/config, ~/.docker/config.json). */
  homedir: string;
}

export const DEFAULT_REQUEST_TIMEOUT = '30s';

export interface CommandIo {
  printer: Printer;
  kube: () => Promise<KubeClient>;
  /** A client for another context of the same kubeconfig (the Supervisor of a TKC context). */
  kubeFor: (context: string) => Promise<KubeClient>;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream;
  homedir: string;
  /** -n/--namespace as given (undefined: the context's). */
  namespace: string | undefined;
  timeoutMs: number;
  verbose: number;
  dryRun: 'client' | 'server' | undefined;
}

export abstract class BaseCommand extends Command<HarborContext> {
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
  private clientMemo: KubeClient | undefined;

  /** The command itself. Return an exit code, or nothing for 0. */
  abstract run(): Promise<number | void>;

  /** What this command supports of -o; others are refused. */
  protected outputFormats(): readonly string[] {
    return OUTPUT_FORMATS;
  }

  /** The dry-run mode the printer marks results with; commands that have --dry-run override it. */
  protected dryRunMode(): 'client' | 'server' | undefined {
    return undefined;
  }

  get printer(): Printer {
    if (!this.printerMemo) {
      const { stdout, stderr, env } = this.context;
      this.printerMemo = new Printer(stdout, stderr, {
        output: this.output,
        verbose: this.verbose,
        dryRun: this.dryRunMode(),
        colorStdout: colorEnabled(stdout as { isTTY?: boolean }, env),
        colorStderr: colorEnabled(stderr as { isTTY?: boolean }, env),
      });
    }
    return this.printerMemo;
  }

  /** The kubeconfig target (context, cluster, user, namespace) chosen by the flags; no client is built. */
  async target(): Promise<KubeTarget> {
    const { resolveTarget } = await import('../kube/config.js');
    return resolveTarget(
      { kubeconfig: this.kubeconfig, context: this.kubeContext, namespace: this.namespace },
      { env: this.context.env, homedir: this.context.homedir },
    );
  }

  /** A client for the chosen context, built once per command run. */
  async kube(): Promise<KubeClient> {
    if (!this.clientMemo) {
      const [{ KubeClient }, target] = await Promise.all([import('../kube/client.js'), this.target()]);
      this.clientMemo = new KubeClient(target, {
        timeoutMs: this.requestTimeoutMs(),
        log: this.verbose >= 2 ? (line) => this.printer.debug(line, 2) : undefined,
      });
      this.printer.debug(`context "${target.contextName}", server ${target.cluster.server}, namespace "${target.namespace}" (from ${target.namespaceSource})`);
    }
    return this.clientMemo;
  }

  /** What the lazily loaded implementation of a command needs from it. */
  protected io(): CommandIo {
    return {
      printer: this.printer,
      kube: () => this.kube(),
      kubeFor: async (context) => {
        const [{ KubeClient }, { resolveTarget }] = await Promise.all([import('../kube/client.js'), import('../kube/config.js')]);
        const target = resolveTarget({ kubeconfig: this.kubeconfig, context, namespace: undefined }, { env: this.context.env, homedir: this.context.homedir });
        return new KubeClient(target, { timeoutMs: this.requestTimeoutMs(), log: this.verbose >= 2 ? (line) => this.printer.debug(line, 2) : undefined });
      },
      env: this.context.env,
      stdin: this.context.stdin,
      stderr: this.context.stderr,
      homedir: this.context.homedir,
      namespace: this.namespace,
      timeoutMs: this.requestTimeoutMs(),
      verbose: this.verbose,
      dryRun: this.dryRunMode(),
    };
  }

  protected requestTimeoutMs(): number {
    const ms = parseDuration(this.requestTimeout);
    if (ms === undefined) throw new UsageError(`invalid --request-timeout "${this.requestTimeout}": use 0, a number of seconds, or a duration such as 30s or 1m`);
    return ms;
  }

  async execute(): Promise<number> {
    try {
      this.requestTimeoutMs();
      if (this.output && !this.outputFormats().includes(this.output)) {
        throw new UsageError(`this command does not support -o ${this.output} (supported: ${this.outputFormats().join(', ') || 'none'})`);
      }
      const code = await this.run();
      await this.printer.flush();
      return code ?? 0;
    } catch (e) {
      return this.fail(e);
    } finally {
      this.clientMemo?.close();
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
