// npm run lab -- deps|up|down|status|env|ssh N CMD|exec N CMD|fault N KIND|latency N MS|add-node CLUSTER|remove-node N|kubelet N down|up
// Environment: LAB_DIR (state, default /tmp/kubectl-harbor-lab), LAB_NODES (tkc-1's nodes, default 3),
// LAB_TKC2_NODES (tkc-2's nodes, default 2; 0: no tkc-2), LAB_NET (default 10.217.0), LAB_PREFIX (default khl).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bootNodes, labConfig, paths } from './config.js';
import { addNode, extraNodes, removeNode, setKubelet } from './control.js';
import { down, ensureDeps, info, sshArgs, status, up } from './lab.js';
import { nodeExec, setFault, setLatency, type NodeFault } from './nodes/nodes.js';
import { LabError } from './sh.js';

const USAGE =
  'usage: npm run lab -- deps|up|down|status|env|ssh <n> <cmd>|exec <n> <cmd>|fault <n> unreachable|refuse-key|deny-sudo|readonly-etc|clear|latency <n> <ms each way>|clear|add-node <cluster>|remove-node <n>|kubelet <n> down|up';
const say = (s: string): void => void process.stderr.write(`lab: ${s}\n`);
const [verb, ...rest] = process.argv.slice(2);
const c = ((): ReturnType<typeof labConfig> => {
  try {
    return labConfig();
  } catch (e) {
    process.stderr.write(`lab: ${(e as Error).message}\n`);
    process.exit(2);
  }
})();
const nodeIndex = (s: string | undefined): number => {
  const i = Number(String(s ?? '').replace(/^n/, ''));
  const all = [...bootNodes(c), ...extraNodes(c).map((n) => n.index)];
  if (!Number.isInteger(i) || !all.includes(i))
    throw new LabError(`no node ${s}; nodes are ${all.map((k) => `n${k}`).join(', ')}`);
  return i;
};

try {
  switch (verb) {
    case 'up': {
      const r = await up(c, say);
      if (!r.booted) say('already up');
      process.stdout.write(`${path.join(paths(c).state, 'env.sh')}\n`);
      break;
    }
    case 'deps':
      await ensureDeps(say);
      break;
    case 'down':
      await down(c);
      say('down');
      break;
    case 'status': {
      const s = await status(c);
      process.stdout.write(s.lines.join('\n') + '\n');
      process.exitCode = s.up ? 0 : 1;
      break;
    }
    case 'env':
      info(c);
      process.stdout.write(fs.readFileSync(path.join(paths(c).state, 'env.sh'), 'utf8'));
      break;
    case 'ssh': {
      const r = spawnSync('ip', sshArgs(c, nodeIndex(rest[0]), rest.slice(1)), { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
      break;
    }
    case 'exec': {
      const r = await nodeExec(c, nodeIndex(rest[0]), rest.slice(1));
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code;
      break;
    }
    case 'fault':
      await setFault(c, nodeIndex(rest[0]), rest[1] as NodeFault | 'clear');
      break;
    case 'latency': {
      const i = nodeIndex(rest[0]);
      const ms = rest[1] === 'clear' ? 0 : Number(rest[1]);
      if (!Number.isInteger(ms) || ms < 0)
        throw new LabError(`latency: ${rest[1] ?? '(none)'} is not 0, clear or whole ms`);
      const how = await setLatency(c, i, ms);
      say(how === 'none' ? `n${i}: no added latency` : `n${i}: +${ms} ms each way (${how})`);
      break;
    }
    case 'add-node': {
      if (!rest[0]) throw new LabError('add-node: which cluster? (tkc-1, tkc-2, vks-1)');
      process.stdout.write(`${JSON.stringify(await addNode(c, rest[0]))}\n`);
      break;
    }
    case 'kubelet': {
      if (!['down', 'up'].includes(rest[1] ?? '')) throw new LabError('kubelet: <node> down|up');
      const r = await setKubelet(c, `n${nodeIndex(rest[0])}`, rest[1] === 'up');
      say(`${r.name}: kubelet ${r.up ? 'up' : 'down'} in ${r.clusters.join(', ')}`);
      break;
    }
    case 'remove-node': {
      if (!rest[0]) throw new LabError('remove-node: which node? (one added with add-node)');
      await removeNode(c, rest[0]);
      say(`${rest[0]} removed`);
      break;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = 2;
  }
} catch (e) {
  process.stderr.write(`lab: ${e instanceof LabError ? e.message : (e as Error).stack}\n`);
  process.exitCode = 1;
}
