#!/bin/bash
# Boots one lab node. Runs as:
#   env -i ... ip netns exec <netns> unshare --mount --uts --propagation private boot.sh NAME DIR
# Its stdout/stderr (the boot log) were opened by the caller in the host's mount namespace:
# a file opened for writing through this namespace's root mount would make the read-only
# remount below fail with EBUSY.
set -euo pipefail
N=$1 D=$2
cd /
hostname "$N"
ovl() { mount -t overlay "lab-$N-$2" -o "lowerdir=$1,upperdir=$D/$2,workdir=$D/.work/$2" "$1"; }
ovl /etc etc            # node-private /etc: trust stores, containerd, passwd, sudoers, ssh
ovl /var var
ovl /usr/local usrlocal # systemctl and rehash_ca_certificates.sh shims
mount --bind "$D/containerd" /var/lib/containerd   # overlayfs snapshots cannot sit on an overlay
mount --bind "$D/opt" /opt
mount --bind "$D/home" /home
mount --bind "$D/root" /root
mount --bind "$D/run" /run
mount --bind "$D/tmp" /tmp    # last: hides the lab's state directory from the node
# Hooks that would rebuild Java keystores and the like on update-ca-certificates.
rm -f /etc/ca-certificates/update.d/* 2>/dev/null || true
mount -o remount,bind,ro /    # this namespace's view of / only: stray writes fail with EROFS
if [ "${NODE_CONTAINERD:-1}" = 1 ]; then /usr/local/sbin/systemctl start containerd; fi
echo "node $N booted"
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
