// Every bad flag value is a usage error found before anything happens: exit 2, one
// `error:` line and the help hint on stderr, nothing on stdout, and no file, network or
// API access. The kubeconfig points at a port where nothing listens, so a command that
// reached for the network would say "connection refused" instead.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let dir: string;
let kubeconfig: string;
let caFile: string;

before(() => {
  dir = tempDir();
  kubeconfig = new KC().cluster('dead', 'https://127.0.0.1:1').ctx('dead', 'dead', 'u', 'dev').use('dead').write(dir);
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, 'not read before the flags are checked\n');
});

const CASES: Array<[string, string[], RegExp]> = [
  // the shared flags
  ['empty -n', ['login', 'h.example', '-n='], /--namespace needs a name/],
  ['bad -n', ['bind-sa', 'pull', '-n', 'Bad_NS'], /namespace "Bad_NS" is not a valid Kubernetes name: RFC 1123 label/],
  ['empty --kubeconfig', ['context', '--kubeconfig='], /--kubeconfig needs a file path/],
  ['empty --context', ['context', '--context='], /--context needs a context name/],
  ['bad --request-timeout', ['login', 'h.example', '--request-timeout', '5x'], /invalid --request-timeout "5x"/],
  ['-o not supported', ['logout', 'h.example', '-o', 'yaml'], /does not support -o yaml/],
  ['-o unknown', ['version', '-o', 'xml'], /Invalid value for --output|expected one of/i],
  ['bad --dry-run', ['bind-sa', 'pull', '--dry-run=maybe'], /--dry-run must be "client", "server" or "none"/],
  ['-n with -A', ['login', 'h.example', '-n', 'dev', '-A'], /use only one of -n\/--namespace, --namespaces and -A/],
  ['empty --namespaces', ['logout', 'h.example', '--namespaces', ','], /--namespaces needs at least one namespace/],
  [
    'bad name in --namespaces',
    ['bind-sa', 'pull', '--namespaces', 'dev,Prod'],
    /namespace "Prod" is not a valid Kubernetes name/,
  ],
  ['--parallel 0', ['bind-sa', 'pull', '--parallel', '0'], /--parallel/],
  // login and logout
  ['empty REGISTRY', ['login', ''], /the registry is empty/],
  ['REGISTRY with a path', ['login', 'h.example/project'], /has a path/],
  [
    'bad --secret-name',
    ['login', 'h.example', '--secret-name', 'Bad_Name!'],
    /--secret-name "Bad_Name!" is not a valid Kubernetes name: RFC 1123/,
  ],
  ['empty --secret-name', ['logout', 'h.example', '--secret-name='], /--secret-name "" is not a valid Kubernetes name/],
  ['bad --bind-sa', ['login', 'h.example', '--bind-sa', 'Bad SA'], /--bind-sa "Bad SA" is not a valid Kubernetes name/],
  ['empty --docker-config', ['login', 'h.example', '--docker-config='], /--docker-config needs a value/],
  ['empty --docker-config (logout)', ['logout', 'h.example', '--docker-config='], /--docker-config needs a value/],
  ['-p with --password-stdin', ['login', 'h.example', '-p', 'x', '--password-stdin'], /either --password-stdin or -p/],
  [
    '--ca-file with --insecure',
    ['login', 'h.example', '--ca-file', 'x', '--insecure-skip-tls-verify'],
    /either --ca-file or --insecure-skip-tls-verify/,
  ],
  ['empty --username', ['login', 'h.example', '-u='], /--username needs a value/],
  // bind-sa
  ['bind-sa without a secret', ['bind-sa'], /name the secret to bind/],
  [
    'bind-sa bad ServiceAccount',
    ['bind-sa', 'pull', 'Bad SA'],
    /ServiceAccount "Bad SA" is not a valid Kubernetes name/,
  ],
  ['bind-sa --unbind --create', ['bind-sa', 'pull', '--unbind', '--create'], /--create makes no sense with --unbind/],
  [
    'bind-sa names and --all-service-accounts',
    ['bind-sa', 'pull', 'sa1', '--all-service-accounts'],
    /either ServiceAccount names or --all-service-accounts/,
  ],
  // trust
  [
    'trust bad --name',
    ['trust', 'h.example', '--ca-file', 'ca.pem', '--name', 'bad name!', '--tkgs'],
    /CA name "bad name!" may only hold/,
  ],
  [
    'trust --name ..',
    ['trust', 'h.example', '--ca-file', 'ca.pem', '--name', '..', '--local'],
    /CA name "\.\." may only hold/,
  ],
  [
    'trust --name ../x',
    ['trust', 'h.example', '--ca-file', 'ca.pem', '--name', '../x', '--local'],
    /CA name "\.\.\/x" may only hold/,
  ],
  [
    'trust bad --fingerprint',
    ['trust', 'h.example', '--fingerprint', 'nothex', '--supervisor'],
    /--fingerprint "nothex" is not a SHA-256 fingerprint/,
  ],
  [
    'trust --ca-file and --from-registry',
    ['trust', '--ca-file', 'ca.pem', '--from-registry', 'h.example'],
    /either --ca-file or --from-registry/,
  ],
  [
    'trust --containerd-dir without --local',
    ['trust', 'h.example', '--containerd-dir', '/tmp/x'],
    /--containerd-dir goes with --local/,
  ],
  ['trust --remove without a target', ['trust', 'h.example', '--remove'], /--remove needs a target/],
  [
    'trust bad --cluster',
    ['trust', 'h.example', '--cluster', 'Tkc_1'],
    /--cluster "Tkc_1" is not a valid Kubernetes name/,
  ],
  [
    'trust empty --supervisor-context',
    ['trust', 'h.example', '--tkgs', '--supervisor-context='],
    /--supervisor-context needs a context name/,
  ],
  // push-ca and the jumpbox
  [
    'push-ca --ttl 5s',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--ttl', '5s'],
    /--ttl "5s" must be a duration of at least 1m/,
  ],
  ['push-ca --via', ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--via', 'ssh'], /--via/],
  [
    'push-ca --restart',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--restart', 'sometimes'],
    /--restart/,
  ],
  [
    'push-ca --role',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--role', 'worker'],
    /--role/,
  ],
  [
    'push-ca empty --image',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--image='],
    /--image needs a value/,
  ],
  [
    'push-ca bad --name',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--name', '../etc/x'],
    /CA name "\.\.\/etc\/x" may only hold/,
  ],
  ['push-ca without a registry', ['push-ca', 'tkc-1', '--ca-file', 'ca.pem'], /name the registry the nodes pull from/],
  [
    'push-ca bad --pull-secret',
    ['push-ca', 'tkc-1', '--ca-file', 'ca.pem', '--registry', 'h.example', '--pull-secret', 'A B'],
    /--pull-secret "A B" is not a valid Kubernetes name/,
  ],
  ['jumpbox exec without a command', ['jumpbox', 'exec', 'tkc-1', '--all'], /give the command after --/],
  ['jumpbox exec --role', ['jumpbox', 'exec', 'tkc-1', '--role', 'worker', '--', 'true'], /--role/],
  [
    'jumpbox exec two node choices',
    ['jumpbox', 'exec', 'tkc-1', '--all', '--node', 'n1', '--', 'true'],
    /choose the nodes/,
  ],
  [
    'jumpbox exec bad CLUSTER',
    ['jumpbox', 'exec', 'TKC', '--all', '--', 'true'],
    /CLUSTER "TKC" is not a valid Kubernetes name/,
  ],
  [
    'jumpbox create --ttl',
    ['jumpbox', 'create', 'tkc-1', '--ttl', '10'],
    /--ttl "10" must be a duration of at least 1m/,
  ],
  ['jumpbox delete without a cluster', ['jumpbox', 'delete'], /name the cluster, or pass --all/],
  ['jumpbox list -n with -A', ['jumpbox', 'list', '-n', 'dev', '-A'], /either -n\/--namespace or -A/],
  // local
  ['completion --dir without --install', ['completion', '--dir', '/tmp'], /--dir goes with --install/],
];

for (const [name, argv, message] of CASES) {
  test(`usage error before any I/O: ${name}`, async () => {
    const args = argv.map((a) => (a === 'ca.pem' ? caFile : a));
    const r = await cli(
      args.some((a) => a.startsWith('--kubeconfig')) ? args : [...args, '--kubeconfig', kubeconfig],
      {},
      dir,
    );
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /refused|internal error|subject:/);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, /^error: /);
    assert.match(lines[1]!, /^See 'kubectl harbor .*--help' for usage\.$/);
  });
}
