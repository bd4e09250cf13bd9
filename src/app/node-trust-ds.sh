# kubectl-harbor push-ca --via daemonset: the container of each node's pod (sh -c). Inputs in
# the environment: MODE (install|remove), HOST (host[:port]), CA (PEM, install only), CERTS_D
# (containerd's certs.d, a hostPath), CONFIG (containerd's config.toml, read-only hostPath),
# STATE (this tool's directory in the node's backup hostPath).
# It touches only $CERTS_D/$HOST/ca.crt and hosts.toml, each only when different, through a
# temp file and a rename. The first time it replaces a file it keeps the previous bytes (or
# that there was none) in $STATE/$HOST, and what it wrote; MODE=remove puts those bytes back
# (or removes the file) only where the file still holds what it wrote.
# Prints ONE line, then idles so the DaemonSet stays Ready:
#   RESULT <installed|unchanged|needs-restart|removed> no <verified yes|no|unknown> <changes|none>
#   FAILED <why>
set -u
umask 022
# The one process left is the sleep (exec): a stop signal ends it, nothing is left behind.
idle() { exec sleep 2147483647; }
say() { echo "$1"; idle; }
fail() { say "FAILED $*"; }
D=${CERTS_D%/}
S=$STATE/$HOST
tmp=""
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT
note() { did="${did:+$did,}$1"; }
# same A B: the two files hold the same bytes (text; no cmp needed).
same() { [ -f "$1" ] && [ -f "$2" ] && [ "$(cat "$1"; echo x)" = "$(cat "$2"; echo x)" ]; }

put() { # NAME CONTENT: $D/$HOST/NAME holds CONTENT afterwards; returns 1 when it already did.
  t="$D/$HOST/$1"
  tmp=$(mktemp "$D/$HOST/.kubectl-harbor.XXXXXX") || fail "cannot write in $D/$HOST"
  printf '%s\n' "$2" > "$tmp" && chmod 644 "$tmp" || fail "cannot write $tmp"
  if same "$tmp" "$t"; then rm -f "$tmp"; tmp=""; return 1; fi
  if [ ! -e "$S/$1.ours" ]; then
    if [ -f "$t" ]; then cp -p "$t" "$S/$1.orig" || fail "cannot back up $t"; else : > "$S/$1.none"; fi
  fi
  cp "$tmp" "$S/$1.ours" || fail "cannot record $t"
  mv -f "$tmp" "$t" || fail "cannot replace $t"
  tmp=""
}

verify() { # a TLS handshake with the registry against the CA just written, when openssl is there
  v=unknown
  command -v openssl >/dev/null 2>&1 || return 0
  case $HOST in *:*) hp=$HOST ;; *) hp=$HOST:443 ;; esac
  t=""; command -v timeout >/dev/null 2>&1 && t="timeout 10"
  if printf '' | $t openssl s_client -connect "$hp" -CAfile "$D/$HOST/ca.crt" -verify_return_error >/dev/null 2>&1
  then v=yes; else v=no; fi
}

install() {
  [ -n "${CA:-}" ] || fail "no CA in the pod's environment"
  [ -r "$CONFIG" ] || fail "cannot read $CONFIG"
  paths=$(sed -n "s/^[[:space:]]*config_path[[:space:]]*=[[:space:]]*[\"']\([^\"']*\)[\"'].*/\1/p" "$CONFIG" | head -n 1)
  # containerd without config_path reads no certs.d: only a restart after a system trust change helps.
  [ -n "$paths" ] || say "RESULT needs-restart no unknown none"
  case ":$paths:" in
    *":$D:"* | *":$D/:"*) ;;
    *) fail "containerd reads registry certificates from $paths, not $D (use --via jumpbox)" ;;
  esac
  mkdir -p "$S" || fail "cannot create $S"
  if [ ! -d "$D/$HOST" ]; then
    [ -e "$S/ca.crt.ours" ] || : > "$S/dir.created"
    mkdir -p "$D/$HOST" || fail "cannot create $D/$HOST"
  fi
  did=""
  put ca.crt "$CA" && note containerd-certs.d
  put hosts.toml "server = \"https://$HOST\"

[host.\"https://$HOST\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"$D/$HOST/ca.crt\"" && { [ -n "$did" ] || note containerd-certs.d; }
  verify
  if [ -n "$did" ]; then say "RESULT installed no $v $did"; else say "RESULT unchanged no $v none"; fi
}

remove() {
  did=""
  left=""
  [ -d "$S" ] || say "RESULT unchanged no unknown none"
  for f in ca.crt hosts.toml; do
    [ -e "$S/$f.ours" ] || continue
    t="$D/$HOST/$f"
    if same "$t" "$S/$f.ours"; then
      if [ -f "$S/$f.orig" ]; then
        tmp=$(mktemp "$D/$HOST/.kubectl-harbor.XXXXXX") && cp -p "$S/$f.orig" "$tmp" && mv -f "$tmp" "$t" ||
          fail "cannot restore $t"
        tmp=""
        note "restored-$f"
      else
        rm -f "$t" || fail "cannot remove $t"
        note "removed-$f"
      fi
    else
      left="${left:+$left+}$f" # changed since it was written: no longer ours to take away
    fi
  done
  [ ! -e "$S/dir.created" ] || rmdir "$D/$HOST" 2>/dev/null || true
  rm -rf "$S" || fail "cannot remove $S"
  rmdir "$STATE" 2>/dev/null || true
  r=unchanged
  [ -z "$did" ] || r=removed
  [ -z "$left" ] || note "kept-changed-$left"
  say "RESULT $r no unknown ${did:-none}"
}

case "${MODE:-}" in
  install) install ;;
  remove) remove ;;
  *) fail "unknown MODE ${MODE:-}" ;;
esac
