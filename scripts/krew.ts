// Rendering and checking the krew manifest. The checks follow krew's own
// ValidatePlugin (internal/index/validation/validate.go) and what krew-index's
// CI adds: no two platforms may match one os/arch pair, the LICENSE is extracted,
// archives are .tar.gz or .zip, and every `from` names a file in its archive.
import { parse, stringify } from 'yaml';

export const API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
export const TARGETS: Array<[string, string]> = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['darwin', 'amd64'],
  ['darwin', 'arm64'],
  ['windows', 'amd64'],
  ['windows', 'arm64'],
];
// Pairs checked for overlaps: the targets and the others krew knows of.
const PAIRS: Array<[string, string]> = [
  ...TARGETS,
  ['linux', '386'],
  ['linux', 'arm'],
  ['linux', 'ppc64le'],
  ['linux', 's390x'],
  ['windows', '386'],
  ['darwin', '386'],
];
const WINDOWS_FORBIDDEN = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`]),
];

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface Platform {
  selector?: Selector | null;
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: Array<{ from?: string; to?: string }> | null;
}

export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    shortDescription?: string;
    description?: string;
    homepage?: string;
    platforms?: Platform[];
  };
}

export interface Archive {
  os: string;
  arch: string;
  url: string;
  sha256: string;
  /** The names of the files in the archive. */
  entries: string[];
}

export function archiveName(version: string, os: string, arch: string): string {
  return `kubectl-harbor_${version}_${os}_${arch}.tar.gz`;
}

function selectorMatches(sel: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && e.values?.includes(val!))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(val!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A glob as krew's `from` takes it: * and ? within one path segment. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/^\.\//, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return re.test(name.replace(/^\.\//, ''));
}

/** Every rule the manifest breaks; empty when it is valid. `archives` adds the checks that need the files. */
export function validateManifest(m: Manifest, expectedName: string, archives: Archive[] = []): string[] {
  const errs: string[] = [];
  if (m.apiVersion !== API_VERSION) errs.push(`apiVersion must be ${API_VERSION}, not ${JSON.stringify(m.apiVersion)}`);
  if (m.kind !== 'Plugin') errs.push(`kind must be Plugin, not ${JSON.stringify(m.kind)}`);
  const name = m.metadata?.name ?? '';
  if (!/^[\w-]+$/.test(name) || WINDOWS_FORBIDDEN.includes(name.toUpperCase()))
    errs.push(`the plugin name ${JSON.stringify(name)} is not allowed, must match ^[\\w-]+$`);
  if (name !== expectedName)
    errs.push(`plugin should be named ${JSON.stringify(expectedName)}, not ${JSON.stringify(name)}`);
  const spec = m.spec ?? {};
  if (!spec.shortDescription) errs.push('should have a short description');
  else if (/[\r\n]/.test(spec.shortDescription)) errs.push('should not have line breaks in short description');
  if (!spec.version) errs.push('should have a version specified');
  else if (!/^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(spec.version))
    errs.push(`version ${spec.version} is not a semver with a leading v`);
  const platforms = spec.platforms ?? [];
  if (platforms.length === 0) errs.push('should have a platform specified');
  platforms.forEach((p, i) => {
    const at = `platforms[${i}]`;
    if (!p.uri) errs.push(`${at}: \`uri\` has to be set`);
    else if (!/\.(tar\.gz|zip)$/.test(p.uri)) errs.push(`${at}: uri ${p.uri} is not a .tar.gz or .zip archive`);
    if (!p.sha256) errs.push(`${at}: \`sha256\` sum has to be set`);
    else if (!/^[a-f0-9]{64}$/.test(p.sha256))
      errs.push(`${at}: \`sha256\` value ${p.sha256} is not valid, must match ^[a-f0-9]{64}$`);
    if (!p.bin) errs.push(`${at}: \`bin\` has to be set`);
    if (p.files !== undefined && p.files !== null) {
      if (p.files.length === 0) errs.push(`${at}: \`files\` has to be unspecified or non-empty`);
      for (const op of p.files) if (!op.from || !op.to) errs.push(`${at}: files: \`from\` and \`to\` have to be set`);
      if (!p.files.some((op) => op.from && /^(\.\/)?LICEN[SC]E/.test(op.from)))
        errs.push(`${at}: the LICENSE file is not extracted`);
    } else {
      errs.push(`${at}: the LICENSE file is not extracted (no files)`);
    }
    const sel = p.selector;
    if (!sel) errs.push(`${at}: nil selector is not supported`);
    else {
      if (!sel.matchLabels && !(sel.matchExpressions ?? []).length) errs.push(`${at}: empty selector is not supported`);
      const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
      for (const k of keys)
        if (k !== 'os' && k !== 'arch') errs.push(`${at}: selector key ${JSON.stringify(k)} not supported`);
      if (sel.matchLabels && Object.keys(sel.matchLabels).length === 0)
        errs.push(`${at}: \`matchLabels\` specified but empty`);
      if (sel.matchExpressions && sel.matchExpressions.length === 0)
        errs.push(`${at}: \`matchExpressions\` specified but empty`);
    }
    const archive = archives.find((a) => a.url === p.uri);
    if (archive) {
      if (archive.sha256 !== p.sha256) errs.push(`${at}: sha256 does not match ${p.uri}`);
      for (const op of p.files ?? [])
        if (op.from && !archive.entries.some((e) => globMatch(op.from!, e)))
          errs.push(`${at}: files: ${op.from} is not in the archive`);
      if (p.bin && !archive.entries.some((e) => e.replace(/^\.\//, '') === p.bin))
        errs.push(`${at}: bin ${p.bin} is not in the archive`);
    }
  });
  for (const [os, arch] of PAIRS) {
    const hits = platforms.filter((p) => p.selector && selectorMatches(p.selector, { os, arch }));
    if (hits.length > 1) errs.push(`two platforms match ${os}/${arch}`);
  }
  return errs;
}

export interface RenderResult {
  manifest: Manifest;
  yaml: string;
  /** Targets in the template with no archive (left out of the manifest). */
  missing: string[];
}

/** Fill the template: version, and URL and sha256 from each platform's archive. Platforms without one are dropped. */
export function renderManifest(template: string, version: string, archives: Archive[]): RenderResult {
  const m = parse(template.replaceAll('{{VERSION}}', version)) as Manifest;
  const missing: string[] = [];
  const platforms: Platform[] = [];
  for (const p of m.spec?.platforms ?? []) {
    const os = p.selector?.matchLabels?.os ?? '';
    const arch = p.selector?.matchLabels?.arch ?? '';
    const a = archives.find((x) => x.os === os && x.arch === arch);
    if (!a) {
      missing.push(`${os}/${arch}`);
      continue;
    }
    platforms.push({ ...p, uri: a.url, sha256: a.sha256 });
  }
  m.spec = { ...m.spec, platforms };
  return { manifest: m, yaml: stringify(m, { lineWidth: 0 }), missing };
}
