// The names Kubernetes and the trust stores accept, checked before anything is sent, so a
// bad name is a usage error (exit 2) and not a 422 from the API server.
import { UsageError } from './errors.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CA_NAME = /^[A-Za-z0-9._-]+$/;

/** An object name (Secret, ServiceAccount, Pod, Cluster): an RFC 1123 subdomain. */
export function checkObjectName(name: string, what: string): string {
  if (!name || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new UsageError(
      `${what} "${name}" is not a valid Kubernetes name: RFC 1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253)`,
    );
  }
  return name;
}

/** A namespace name: an RFC 1123 label. */
export function checkNamespaceName(name: string, what = 'namespace'): string {
  if (!name || name.length > 63 || !DNS1123_LABEL.test(name)) {
    throw new UsageError(
      `${what} "${name}" is not a valid Kubernetes name: RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63)`,
    );
  }
  return name;
}

/** A trust entry name (TKGS, cluster trust, node file name): letters, digits, '-', '_', '.'; never a path. */
export function checkCaName(name: string): string {
  if (!name || name.length > 253 || !CA_NAME.test(name) || name === '.' || name === '..') {
    throw new UsageError(
      `CA name "${name}" may only hold letters, digits, '-', '_' and '.' (at most 253, not "." or "..")`,
    );
  }
  return name;
}

/** A name derived from a registry host: harbor.example.com:8443 -> harbor.example.com-8443. */
export function caNameFor(host: string): string {
  return host
    .replace(/^\[|\]/g, '')
    .replace(/:/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 253);
}

/** `sha256:<hex>`, bare hex, or openssl's colon form, compared without case. */
export function normalizeFingerprint(pin: string): string {
  const hex = pin
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new UsageError(`--fingerprint "${pin}" is not a SHA-256 fingerprint (sha256: and 64 hex digits)`);
  return `sha256:${hex}`;
}
