// The credentials login checks and stores: the username from -u or the vSphere session;
// the password from --password-stdin, -p (warned), KUBECTL_VSPHERE_PASSWORD for the
// vSphere user (as `kubectl vsphere login` uses it), or a hidden prompt on a terminal.
import { UsageError } from '../errors.js';
import { type LoginTool, vspherePassword } from '../kube/vsphere.js';
import type { Prompter } from '../output/prompt.js';

export interface CredentialSources {
  username?: string | undefined;
  password?: string | undefined;
  passwordStdin: boolean;
  prompter: Pick<Prompter, 'ask' | 'readSecret' | 'stdinIsTty'>;
  env: NodeJS.ProcessEnv;
  /** The Supervisor login behind the context: its user is the default, its password variable a source. */
  session?: { username: string; login: LoginTool } | undefined;
  warn: (line: string) => void;
}

export async function resolveCredentials(s: CredentialSources): Promise<{ username: string; password: string }> {
  let username = s.username ?? s.session?.username;
  const tty = s.prompter.stdinIsTty;
  if (!username) {
    if (!tty || s.passwordStdin) throw new UsageError('no username: pass -u/--username');
    username = (await s.prompter.ask('Username: ', false)).trim();
    if (!username) throw new UsageError('no username given');
  }
  let password: string | undefined;
  if (s.passwordStdin) {
    password = await s.prompter.readSecret();
    if (!password) throw new UsageError('--password-stdin: standard input was empty');
  } else if (s.password !== undefined) {
    s.warn(
      'using --password on the command line is insecure: other users of this machine can see it; use --password-stdin',
    );
    password = s.password;
  } else if (s.session && username === s.session.username && vspherePassword(s.env, s.session.login)) {
    password = vspherePassword(s.env, s.session.login);
  } else if (tty) {
    password = await s.prompter.ask(`Password for ${username}: `, true);
  }
  if (!password) {
    throw new UsageError(
      `no password for ${username}: pipe it with --password-stdin${s.session ? ', or set KUBECTL_VSPHERE_PASSWORD' : ''}`,
    );
  }
  return { username, password };
}
