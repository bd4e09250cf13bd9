// Pure parts of `doctor`: the kubelet's pull-failure events read back. Two kubelet forms
// (before 1.28 `rpc error: code = Unknown desc = …`, after it the runtime's text alone),
// and containerd's wrapping (`failed to pull and unpack image "…": failed to resolve
// reference "…": failed to do request: Head "…": …`) are peeled to the innermost cause,
// which is then read for a hint of the code. The probes decide the verdict; the hint is
// what the node said.

export interface PullEvent {
  image: string;
  /** The innermost cause, or the whole message when nothing could be peeled. */
  cause: string;
  /** The message as the event has it. */
  message: string;
  backOff: boolean;
  /** A pull that worked (`Successfully pulled image`, `already present on machine`): earlier failures are past. */
  pulled?: boolean;
  /** What the text suggests, when it does. */
  hint: string | undefined;
}

const FAILED = /^Failed to pull image "([^"]+)": ([\s\S]*)$/;
const BACKOFF = /^Back-off pulling image "([^"]+)"/;
// kubernetes pkg/kubelet/images/image_manager.go: the events of a pull that worked.
const PULLED = /^(?:Successfully pulled image|Container image) "([^"]+)"(?: in | already present on machine)/;
const RPC = /^rpc error: code = \w+ desc = /;
const WRAPPERS = [
  /^failed to pull and unpack image "[^"]*": /,
  /^failed to resolve reference "[^"]*": /,
  /^failed to copy: /,
  /^failed to do request: (?:Head|Get) "[^"]*": /,
  /^pulling from host [^ ]+ failed with status code \[manifests [^\]]*\]: /,
  /^failed to authorize: /,
  /^failed to fetch (?:anonymous|oauth) token: /,
  /^unexpected status from (?:HEAD|GET) request to [^:]+(?::\d+)?[^:]*: /,
];

/** The runtime's innermost cause: the rpc prefix and containerd's wrappers taken off. */
export function peel(message: string): string {
  let s = message.trim().replace(RPC, '');
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of WRAPPERS) {
      const next = s.replace(w, '');
      if (next !== s) {
        s = next;
        changed = true;
      }
    }
  }
  return s;
}

const HINTS: Array<[RegExp, string]> = [
  [/certificate signed by unknown authority|failed to verify certificate: x509: .*unknown/i, 'ca-untrusted'],
  [/doesn't contain any IP SANs|not valid for IP|cannot validate certificate for [0-9.]+/i, 'ip-san-missing'],
  [/certificate is valid for .*, not |certificate is not valid for/i, 'name-mismatch'],
  [/certificate has expired|is not yet valid/i, 'cert-expired'],
  [/server gave HTTP response to HTTPS client/i, 'plain-http'],
  [/429 Too Many Requests|toomanyrequests/i, 'rate-limited'],
  [/412 Precondition Failed/i, 'policy-blocked'],
  [/401 Unauthorized/i, 'bad-credentials'],
  [/insufficient_scope|403 Forbidden|pull access denied|authorization failed/i, 'no-pull-permission'],
  [/: not found$|manifest unknown|404 Not Found/i, 'image-not-found'],
  [/no such host|server misbehaving|Temporary failure in name resolution/i, 'dns'],
  [/connection refused|no route to host|network is unreachable/i, 'unreachable'],
  [/i\/o timeout|context deadline exceeded|TLS handshake timeout/i, 'timeout'],
];

export function hintOf(cause: string): string | undefined {
  return HINTS.find(([re]) => re.test(cause))?.[1];
}

/** The pull-failure event a message is, or undefined for any other event. */
export function parsePullEvent(message: string): PullEvent | undefined {
  const failed = FAILED.exec(message.trim());
  if (failed) {
    const cause = peel(failed[2]!);
    return { image: failed[1]!, cause, message, backOff: false, hint: hintOf(cause) };
  }
  const back = BACKOFF.exec(message.trim());
  if (back) return { image: back[1]!, cause: message.trim(), message, backOff: true, hint: undefined };
  const pulled = PULLED.exec(message.trim());
  if (pulled)
    return { image: pulled[1]!, cause: message.trim(), message, backOff: false, pulled: true, hint: undefined };
  return undefined;
}

/**
 * The most telling failure per image (events oldest first): a Failed one over a Back-off, the
 * latest of each; a later pull that worked clears the image (its failures are past).
 */
export function latestByImage(events: readonly PullEvent[]): Map<string, PullEvent> {
  const out = new Map<string, PullEvent>();
  for (const e of events) {
    if (e.pulled) {
      out.delete(e.image);
      continue;
    }
    const have = out.get(e.image);
    if (!have || have.backOff || !e.backOff) out.set(e.image, e);
  }
  return out;
}
