# kubectl-harbor push-ca: runs on one TKC node as root (sudo -n sh -s), script and inputs
# on stdin, never on argv. Installs the CA only where it is missing, in each layout the
# node has, restarts containerd only when the system bundle changed (and only with
# RESTART=auto|always), then checks a TLS handshake to the registry against the node's
# own trust store. Presence is decided by the certificate, not by a file name: a CA already
# in the system bundle (put there by hand under another name, say) is not added again.
# Every file is written through a temp file in its own directory, removed if the script
# is stopped. Last line: RESULT <installed|unchanged|would-install> <restarted> <verified> <what>.
set -eu
umask 022
# One run at a time on a node: two push-ca runs (two users, or two clusters that share nodes)
# must not interleave their read-modify-writes of the bundles and backups. flock where the
# node has it (util-linux: Photon and Ubuntu do); the lock goes when the script ends.
if [ "$DRY" != 1 ] && command -v flock >/dev/null 2>&1; then
  mkdir -p /run/lock
  exec 9>/run/lock/kubectl-harbor.lock
  flock -w 120 9 || { echo "another kubectl-harbor run has held /run/lock/kubectl-harbor.lock on this node for 120 s" >&2; exit 1; }
fi
changed=0
system=0
did=""
note() { did="${did:+$did,}$1"; }
body() { awk '/-----BEGIN CERTIFICATE-----/{c=1;b="";next} /-----END CERTIFICATE-----/{if(c)print b;c=0;next} c{gsub(/[ \t\r]/,"");b=b $0}' "$@" 2>/dev/null; }
WANT=$(printf '%s\n' "$CA" | body)
# has FILE: every certificate of $CA is in FILE (compared by body, whatever the file's layout).
has() {
  [ -f "$1" ] || return 1
  got=$(body "$1")
  printf '%s\n' "$WANT" | while IFS= read -r w; do printf '%s\n' "$got" | grep -qxF "$w" || exit 1; done
}
tmp=""
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
same() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
put() { # path content: atomic write when different
  if same "$1" "$2"; then return 1; fi
  changed=1
  [ "$DRY" = 1 ] && return 0
  mkdir -p "$(dirname "$1")"
  tmp=$(mktemp "$(dirname "$1")/.harbor.XXXXXX")
  printf '%s\n' "$2" > "$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$1"
  tmp=""
}
# Backups go outside every certificate directory: Go programs (containerd) read every file
# in /etc/ssl/certs and /etc/pki/tls/certs, so a backup there would stay trusted.
BACKUPS=/var/backups/kubectl-harbor
backup() {
  [ "$DRY" = 1 ] || [ ! -f "$1" ] || { mkdir -p "$BACKUPS" && cp -p "$1" "$BACKUPS/$(echo "$1" | tr / _)"; }
}

if [ -f /etc/pki/tls/certs/ca-bundle.crt ] && [ ! -L /etc/pki/tls/certs/ca-bundle.crt ]; then
  # Photon OS: one PEM per CA in /etc/ssl/certs, folded into the bundle by rehash_ca_certificates.sh.
  BUNDLE=/etc/pki/tls/certs/ca-bundle.crt
  if has "$BUNDLE"; then
    : # already trusted, under whatever file name
  elif command -v rehash_ca_certificates.sh >/dev/null 2>&1; then
    put "/etc/ssl/certs/$NAME.pem" "$CA" || true
    changed=1; system=1; note photon-rehash
    [ "$DRY" = 1 ] || { backup "$BUNDLE"; rehash_ca_certificates.sh >/dev/null; }
  else
    changed=1; system=1; note photon-bundle
    if [ "$DRY" != 1 ]; then
      backup "$BUNDLE"
      tmp=$(mktemp /etc/pki/tls/certs/.harbor.XXXXXX)
      cat "$BUNDLE" > "$tmp"
      [ -z "$(tail -c1 "$tmp")" ] || echo >> "$tmp"
      printf '%s\n' "$CA" >> "$tmp"
      chmod 644 "$tmp"
      mv -f "$tmp" "$BUNDLE"
      tmp=""
    fi
  fi
elif command -v update-ca-certificates >/dev/null 2>&1; then
  # Ubuntu/Debian: /usr/local/share/ca-certificates/<name>.crt, then what update-ca-certificates
  # does for one added certificate: the /etc/ssl/certs/<name>.pem link, the certificate
  # appended to the bundle, the hash links (openssl rehash). Done here directly, because the
  # tool re-links every certificate with several processes each (~0.7 CPU-s a node) to add one.
  # The tool itself runs where the node has hooks in /etc/ca-certificates/update.d (a Java
  # keystore, say), or no openssl; the certificate stays in /usr/local/share, so its later runs
  # keep it.
  BUNDLE=/etc/ssl/certs/ca-certificates.crt
  if ! has "$BUNDLE"; then
    LOCAL="/usr/local/share/ca-certificates/$NAME.crt"
    put "$LOCAL" "$CA" || true
    changed=1; system=1
    HOOKS=/etc/ca-certificates/update.d
    if [ -f "$BUNDLE" ] && [ ! -L "$BUNDLE" ] && command -v openssl >/dev/null 2>&1 && { [ ! -d "$HOOKS" ] || [ -z "$(ls -A "$HOOKS")" ]; }; then
      note ubuntu-ca-certificates
      if [ "$DRY" != 1 ]; then
        backup "$BUNDLE"
        ln -sf "$LOCAL" "/etc/ssl/certs/$NAME.pem"
        tmp=$(mktemp /etc/ssl/certs/.harbor.XXXXXX)
        cat "$BUNDLE" > "$tmp"
        [ -z "$(tail -c1 "$tmp")" ] || echo >> "$tmp"
        printf '%s\n' "$CA" >> "$tmp"
        chmod 644 "$tmp"
        mv -f "$tmp" "$BUNDLE"
        tmp=""
        openssl rehash /etc/ssl/certs >/dev/null 2>&1 || true
      fi
    else
      note ubuntu-update-ca-certificates
      [ "$DRY" = 1 ] || { backup "$BUNDLE"; update-ca-certificates >/dev/null 2>&1; }
    fi
  fi
else
  BUNDLE=""
fi

# containerd with config_path: certs.d/<host>/ca.crt and hosts.toml, read per pull (no restart).
CFG=/etc/containerd/config.toml
if [ -f "$CFG" ] && grep -q 'config_path' "$CFG"; then
  DIR=$(sed -n 's/^[[:space:]]*config_path[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CFG" | head -n1)
  if [ -n "$DIR" ]; then
    a=0
    put "$DIR/$HOST/ca.crt" "$CA" && a=1
    put "$DIR/$HOST/hosts.toml" "server = \"https://$HOST\"

[host.\"https://$HOST\"]
  capabilities = [\"pull\", \"resolve\"]
  ca = \"$DIR/$HOST/ca.crt\"" && a=1
    [ "$a" = 0 ] || note containerd-certs.d
  fi
fi
# Docker reads /etc/docker/certs.d/<host>/ca.crt per connection.
if [ -d /etc/docker ]; then put "/etc/docker/certs.d/$HOST/ca.crt" "$CA" && note docker-certs.d; fi

restarted=no
if [ "$DRY" != 1 ] && { [ "$RESTART" = always ] || { [ "$RESTART" = auto ] && [ "$system" = 1 ]; }; }; then
  # 9>&-: a service started from here (where no init restarts it) must not inherit the lock.
  if systemctl is-active containerd >/dev/null 2>&1; then systemctl restart containerd 9>&- && restarted=yes; fi
fi

verified=unknown
if [ "$DRY" != 1 ] && [ -n "$BUNDLE" ] && command -v openssl >/dev/null 2>&1; then
  if printf '' | timeout 10 openssl s_client -connect "$HOST" -CAfile "$BUNDLE" -verify_return_error >/dev/null 2>&1; then verified=yes; else verified=no; fi
fi

if [ "$changed" = 1 ]; then r=installed; [ "$DRY" = 1 ] && r=would-install; else r=unchanged; fi
echo "RESULT $r $restarted $verified ${did:-none}"
