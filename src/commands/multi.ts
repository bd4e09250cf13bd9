// Flags of the commands that write to many namespaces at once (login, logout, bind-sa):
// where (-n, --namespaces, -A, --include-system), how many at a time, and dry runs.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from './base.js';

export abstract class MultiNamespaceCommand extends BaseCommand {
  namespaces = Option.String('--namespaces', { description: 'Comma-separated namespaces' });
  all = Option.Boolean('-A,--all-namespaces', false, { description: 'Every namespace except kube-* and vmware-system-*' });
  includeSystem = Option.Boolean('--include-system', false, { description: 'With -A, include kube-* and vmware-system-*' });
  dryRun = Option.String('--dry-run', { tolerateBoolean: true, description: 'client or server: show what would be written, write nothing' });
  parallel = Option.String('--parallel', '16', { validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 128)]), description: 'Namespaces worked on at once' });

  protected override dryRunMode(): 'client' | 'server' | undefined {
    return this.dryRun === true || this.dryRun === 'client' ? 'client' : this.dryRun === 'server' ? 'server' : undefined;
  }

  /** The namespace flags, as resolveNamespaces and checkDryRun take them. */
  protected where(): { namespaces: string | undefined; all: boolean; includeSystem: boolean; dryRun: string | boolean | undefined; parallel: number } {
    return { namespaces: this.namespaces, all: this.all, includeSystem: this.includeSystem, dryRun: this.dryRun, parallel: Number(this.parallel) };
  }
}
