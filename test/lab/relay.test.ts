// The lab's delaying relay (latency without netem): in-process, a round trip through it
// costs at least 2 x MS more, in order, with ends passed on; in the lab (root), `latency`
// on a node puts it between the pod network and that node's sshd, SSH still works
// through it, and clearing it leaves no rule and no process. Only lower bounds on times.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { nodeIp, podNetns, type LabConfig } from '../../lab/config.js';
import { sshArgs } from '../../lab/lab.js';
import { setLatency } from '../../lab/nodes/nodes.js';
import { startDelayRelay } from '../../lab/relay.js';
import { run } from '../../lab/sh.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';

const MS = 60;
const min = (xs: number[]): number => Math.min(...xs);
const listen = (s: net.Server): Promise<number> =>
  new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));

/** ms from connect to the first byte back after sending `ping` (or, with no ping, the server's first byte). */
function roundTrip(port: number, ping?: string): Promise<{ ms: number; first: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1', () => ping && s.write(ping));
    s.once('data', (d) => {
      resolve({ ms: performance.now() - t0, first: d.toString() });
      s.destroy();
    });
    s.once('error', reject);
  });
}

describe('delaying relay, in-process', () => {
  const echo = net.createServer((c) => c.pipe(c));
  let direct = 0;
  let relay: net.Server;
  let relayed = 0;
  before(async () => {
    direct = await listen(echo);
    relay = await startDelayRelay({
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: direct },
      delayMs: MS,
    });
    relayed = (relay.address() as net.AddressInfo).port;
  });
  after(() => {
    relay.close();
    echo.close();
  });

  test('a round trip costs at least 2 x MS more (plus the handshake), and the bytes come back', async () => {
    const base: number[] = [];
    const slow: number[] = [];
    for (let i = 0; i < 3; i++) {
      base.push((await roundTrip(direct, 'ping')).ms);
      const r = await roundTrip(relayed, 'ping');
      assert.equal(r.first, 'ping');
      slow.push(r.ms);
    }
    assert.ok(min(slow) - min(base) >= 2 * MS, `relayed ${min(slow)} ms, direct ${min(base)} ms`);
  });

  test('many chunks arrive whole and in order, and an end is passed on', async () => {
    const chunks = Array.from({ length: 200 }, (_, i) => `${i};`.repeat(50));
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect(relayed, '127.0.0.1');
      let buf = '';
      s.on('data', (d) => (buf += d.toString()));
      s.on('end', () => resolve(buf));
      s.on('error', reject);
      for (const c of chunks) s.write(c);
      s.end();
    });
    assert.equal(got, chunks.join(''));
  });
});

describe('lab latency through the relay', { skip: !canRunLab && 'needs root for the lab' }, () => {
  const N = 2;
  let cfg: LabConfig;
  /** ms from a TCP connect to node N's port 22, made in the pod network, to sshd's banner. */
  const banner = async (): Promise<number> => {
    const script = `const t=performance.now();const s=require('net').connect(22,process.argv[1]);s.once('data',d=>{console.log(performance.now()-t, String(d).trim());s.destroy()});`;
    const r = await run('ip', ['netns', 'exec', podNetns(cfg), process.execPath, '-e', script, nodeIp(cfg, N)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SSH-2\.0-/);
    return Number(r.stdout.split(' ')[0]);
  };
  const ssh = (): Promise<{ ms: number; out: string }> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn('ip', sshArgs(cfg, N, ['echo', 'through']), { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) =>
        code === 0
          ? resolve({ ms: performance.now() - t0, out: out.trim() })
          : reject(new Error(`ssh ${code}: ${err}`)),
      );
    });
  const rules = async (): Promise<string> =>
    (await run('ip', ['netns', 'exec', podNetns(cfg), 'iptables', '-w', '-t', 'nat', '-S', 'OUTPUT'])).stdout;

  before(async () => {
    cfg = (await sharedLab()).cfg;
    await setLatency(cfg, N, 0);
  });
  after(async () => {
    if (cfg) await setLatency(cfg, N, 0);
  });

  test('latency nN MS adds at least 2 x MS per round trip; SSH works through it; clearing removes it', async () => {
    const base = { banner: [] as number[], ssh: [] as number[] };
    for (let i = 0; i < 3; i++) {
      base.banner.push(await banner());
      base.ssh.push((await ssh()).ms);
    }
    const how = await setLatency(cfg, N, MS);
    if (how === 'relay')
      assert.match(await rules(), new RegExp(`-d ${nodeIp(cfg, N).replace(/\./g, '\\.')}/32 .*REDIRECT`));
    const slow = { banner: [] as number[], ssh: [] as number[] };
    for (let i = 0; i < 3; i++) {
      slow.banner.push(await banner());
      const r = await ssh();
      assert.equal(r.out, 'through');
      slow.ssh.push(r.ms);
    }
    // Connect to banner: the handshake's round trip plus one way, at least 2 x MS more.
    assert.ok(min(slow.banner) - min(base.banner) >= 2 * MS, `banner ${min(slow.banner)} vs ${min(base.banner)} ms`);
    // An SSH login and command takes several round trips; at least two more than before.
    assert.ok(min(slow.ssh) - min(base.ssh) >= 2 * 2 * MS, `ssh ${min(slow.ssh)} vs ${min(base.ssh)} ms`);

    assert.equal(await setLatency(cfg, N, 0), 'none');
    assert.doesNotMatch(await rules(), /lab-relay/);
    assert.equal((await ssh()).out, 'through');
  });
});
