// Latency on the way from the pod network to node i's sshd, without netem: a delaying
// relay (lab/relay.ts) runs in the pod network namespace on 127.0.0.1:RELAY_PORT_BASE+i,
// and an iptables rule there (nat OUTPUT) redirects every new connection to
// NODE_IP:22 into it, except the relay's own (it runs with group RELAY_GID, excluded by an
// owner match). The relay then dials NODE_IP:22 from the pod address, so sshd still sees
// the pod network as the source (its AllowUsers rule holds) and nothing inside the node
// changes. Connections already open keep their path; `lab down` ends the relays with the
// namespace.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeIp, nodeName, paths, podNetns, type LabConfig } from './config.js';
import { daemon, LabError, must, readPid, run, stop, waitFor } from './sh.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RELAY_PORT_BASE = 22000;
/** The relay's group: the iptables rule lets its own connections through. */
export const RELAY_GID = 64922;

const pidFile = (c: LabConfig, i: number): string => path.join(paths(c).pids, `relay-${nodeName(i)}.pid`);
const relayPort = (i: number): number => RELAY_PORT_BASE + i;

function ruleSpec(c: LabConfig, i: number): string[] {
  return [
    'OUTPUT',
    '-p',
    'tcp',
    '-d',
    nodeIp(c, i),
    '--dport',
    '22',
    '-m',
    'owner',
    '!',
    '--gid-owner',
    String(RELAY_GID),
    '-m',
    'comment',
    '--comment',
    `lab-relay-${nodeName(i)}`,
    '-j',
    'REDIRECT',
    '--to-ports',
    String(relayPort(i)),
  ];
}

const iptables = (c: LabConfig, args: string[]) =>
  run('ip', ['netns', 'exec', podNetns(c), 'iptables', '-w', '-t', 'nat', ...args]);

/** Whether iptables with the nat table and the owner match works in the pod network namespace. */
export async function relayAvailable(c: LabConfig): Promise<boolean> {
  return (await run('ip', ['netns', 'exec', podNetns(c), 'iptables', '-w', '-t', 'nat', '-S', 'OUTPUT'])).code === 0;
}

/** Remove node i's relay and its redirect rule; a no-op when there is none. */
export async function stopRelay(c: LabConfig, i: number): Promise<void> {
  for (let n = 0; n < 10 && (await iptables(c, ['-D', ...ruleSpec(c, i)])).code === 0; n++);
  await stop(readPid(pidFile(c, i)));
  fs.rmSync(pidFile(c, i), { force: true });
}

/** Put a relay adding `ms` each way between the pod network and node i's sshd (replacing any). */
export async function startRelay(c: LabConfig, i: number, ms: number): Promise<void> {
  await stopRelay(c, i);
  if (!(await relayAvailable(c)))
    throw new LabError('neither netem nor iptables (nat table) works here, so link latency cannot be set');
  const port = relayPort(i);
  daemon(
    'ip',
    [
      'netns',
      'exec',
      podNetns(c),
      process.execPath,
      '--import',
      'tsx',
      path.join(ROOT, 'lab/relay.ts'),
      '127.0.0.1',
      String(port),
      nodeIp(c, i),
      '22',
      String(ms),
      String(RELAY_GID),
    ],
    pidFile(c, i),
    path.join(paths(c).logs, `relay-${nodeName(i)}.log`),
    { PATH: process.env.PATH },
    ROOT,
  );
  const listening = async (): Promise<boolean> => {
    const r = await run('ip', ['netns', 'exec', podNetns(c), 'ss', '-Hltn', `sport = :${port}`]);
    return r.stdout.trim() !== '';
  };
  try {
    await waitFor(`the relay for ${nodeName(i)} to listen`, listening, 20_000, 50);
    await must('ip', ['netns', 'exec', podNetns(c), 'iptables', '-w', '-t', 'nat', '-A', ...ruleSpec(c, i)]);
  } catch (e) {
    await stopRelay(c, i);
    throw e;
  }
}
