// The environment variables that hold a session password. kubectl-harbor reads them from
// its own copy of the environment; no process it starts (a kubeconfig exec credential
// plugin, a docker credential helper) ever sees them.
export const SESSION_PASSWORD_VARS = ['KUBECTL_VSPHERE_PASSWORD', 'VCF_CLI_VSPHERE_PASSWORD'] as const;

/** The environment for a child process: this one without the session passwords. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of SESSION_PASSWORD_VARS) delete out[k];
  return out;
}
