// npm run lab:apiserver [-- --dir DIR] : start the Supervisor emulator (and one TKC API
// server) with the fixtures, write kubeconfigs shaped like `kubectl vsphere login` output,
// print where they are, and serve until interrupted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSupervisor, writeKubeconfig } from './supervisor.js';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, log: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write('usage: npm run lab:apiserver [-- --dir DIR] [--log FILE (one JSON line per request)]\n');
  process.exit(0);
}
const dir = values.dir ?? path.join(os.tmpdir(), 'kubectl-harbor-lab', 'apiserver');
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const log = values.log;
const lab = await startSupervisor({
  server: log ? { onRequest: (r) => fs.appendFileSync(log, JSON.stringify(r) + '\n') } : {},
});
const files = {
  admin: writeKubeconfig(dir, lab.kubeconfig('admin'), 'admin.kubeconfig'),
  devops: writeKubeconfig(dir, lab.kubeconfig('devops'), 'kubeconfig'),
  viewer: writeKubeconfig(dir, lab.kubeconfig('viewer'), 'viewer.kubeconfig'),
  vcf: writeKubeconfig(dir, lab.vcfKubeconfig('devops'), 'vcf.kubeconfig'),
};
process.stderr.write(
  [
    `Supervisor API  ${lab.supervisor.url}  (namespaces: ${lab.namespaces.join(', ')})`,
    ...[...lab.tkcs].map(([n, t]) => `TKC ${n} API    ${t.url}`),
    `kubeconfigs     ${files.devops} (devops@vsphere.local), ${files.admin}, ${files.viewer}, ${files.vcf} (VCF CLI)`,
    `try:            kubectl --kubeconfig ${files.admin} get secrets -A`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);
process.stdout.write(`${files.devops}\n`);
const stop = async (): Promise<void> => {
  await lab.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
