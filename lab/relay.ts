// A user-space delaying TCP relay, for link latency where the kernel has no netem: every
// chunk read on one side is written to the other MS later, in order, in each direction,
// so a round trip through it costs at least 2 x MS more. The upstream connection is
// opened 2 x MS after a client connects, which charges the round trip of the TCP
// handshake that the client's local connect did not pay. An end or a reset travels with
// the same delay.
//
// Run as a daemon (lab/relay-control.ts starts one per node, in the pod network
// namespace):  node --import tsx lab/relay.ts LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT MS [GID]
// GID: the group the relay switches to before it connects anywhere, so that an iptables
// owner match can tell its own connections from the ones it must catch.
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RelayOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  /** One-way delay in ms, added in each direction. */
  delayMs: number;
}

/** Copy `from` to `to`, each chunk `ms` later, in order; stop reading while `to` is full. */
function delayed(from: net.Socket, to: net.Socket, ms: number): void {
  let inFlight = 0;
  // Timers with the same duration fire in the order they were set: chunks stay in order.
  from.on('data', (chunk: Buffer) => {
    inFlight += chunk.length;
    if (inFlight > 1 << 20) from.pause();
    setTimeout(() => {
      inFlight -= chunk.length;
      if (to.destroyed) return;
      const more = to.write(chunk);
      if (!more) to.once('drain', () => from.resume());
      else if (inFlight <= 1 << 20) from.resume();
    }, ms);
  });
  from.on('end', () => setTimeout(() => to.end(), ms));
  from.on('close', (hadError) => {
    if (hadError) setTimeout(() => to.destroy(), ms);
  });
  from.on('error', () => undefined);
}

/** Start a relay; resolves when it listens. */
export function startDelayRelay(o: RelayOptions): Promise<net.Server> {
  // Half-open on both sides: an end is passed on MS later, not answered at once.
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    client.on('error', () => undefined);
    client.setNoDelay(true);
    let upstream: net.Socket | undefined;
    const timer = setTimeout(() => {
      const up = net.connect({ port: o.target.port, host: o.target.host, allowHalfOpen: true });
      upstream = up;
      up.setNoDelay(true);
      up.on('error', () => undefined);
      let connected = false;
      up.once('connect', () => {
        connected = true;
        delayed(client, up, o.delayMs);
        delayed(up, client, o.delayMs);
        client.resume();
      });
      // Refused or unreachable: the client sees a reset, as it would on the real link.
      up.once('close', () => connected || setTimeout(() => client.destroy(), o.delayMs));
    }, 2 * o.delayMs);
    client.once('close', () => {
      clearTimeout(timer);
      if (upstream?.connecting) upstream.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => resolve(server));
  });
}

async function main(argv: string[]): Promise<void> {
  const [lh, lp, th, tp, ms, gid] = argv;
  const n = [lp, tp, ms].map(Number);
  if (!lh || !th || n.some((x) => !Number.isFinite(x) || x < 0) || !Number.isInteger(n[0]! + n[1]!)) {
    process.stderr.write('usage: relay.ts LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT MS [GID]\n');
    process.exit(2);
  }
  if (gid) {
    process.setgroups?.([]);
    process.setgid?.(Number(gid));
  }
  await startDelayRelay({
    listen: { host: lh, port: n[0]! },
    target: { host: th, port: n[1]! },
    delayMs: n[2]!,
  });
  process.stdout.write(`relay ${lh}:${lp} -> ${th}:${tp}, ${ms} ms each way\n`);
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
