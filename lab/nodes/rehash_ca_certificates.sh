#!/bin/sh
# Photon OS's rehash_ca_certificates.sh, as the lab's Photon-like nodes have it: the
# system bundle is the distribution's certificates plus every /etc/ssl/certs/*.pem file
# an administrator placed there, in name order.
set -e
[ "$(id -u)" = 0 ] || { echo "rehash_ca_certificates.sh: must be root" >&2; exit 1; }
BUNDLE=/etc/pki/tls/certs/ca-bundle.crt
BASE=/etc/pki/tls/certs/.distribution-bundle.crt
tmp=$(mktemp /etc/pki/tls/certs/.ca-bundle.XXXXXX)
cat "$BASE" > "$tmp"
find /etc/ssl/certs -maxdepth 1 -type f -name '*.pem' | sort | while read -r f; do cat "$f" >> "$tmp"; done
chmod 644 "$tmp"
mv -f "$tmp" "$BUNDLE"
