#!/usr/bin/env bash
# A NAT lab made of network namespaces, veth pairs and netfilter: real kernel NAT behaviour on one
# machine. Needs root, iproute2, Debian's iptables and nftables, and coturn.
#
#   scripts/nat-lab.sh up PROFILE         everything for one profile, under a fresh prefix
#   scripts/nat-lab.sh down PREFIX        kill its coturns, delete its namespaces
#   scripts/nat-lab.sh profiles           the profile names
#   scripts/nat-lab.sh list               labs still up (e.g. after a test run was killed)
# Building blocks (used by test/lab/lab.ts):
#   wan-up PREFIX | coturn-up PREFIX NAME IP [IP] [-- COTURN-ARGS] | site-up PREFIX NAME PROFILE INDEX
#   coturn-in PREFIX NAME NAMESPACE IP [-- COTURN-ARGS]   coturn on a site's host (e.g. behind 1:1 NAT)
#   site-readdress PREFIX NAME NEWIP   the site router's public address moves to NEWIP under live traffic
#
# Addresses: the "internet" is 198.51.100.0/24 on a bridge in PREFIX-wan (servers .1-.4, with
# 2001:db8:100::1-4 for IPv6 relays; router N at .(10+N)); behind a NAT the client is 10.77.0.2
# (router 10.77.0.1); behind a 1:1 NAT (a cloud VM's public IP) it is 10.88.0.2; with no NAT it is
# 203.0.113.2, routed. All of it lives inside namespaces this script makes: nothing leaves them.
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.lab"
PROFILES="no-nat full-cone restricted-cone port-restricted-cone symmetric udp-blocked tcp-443-only udp-rejected udp-prohibited one-to-one"
SERVER_IPS=(198.51.100.1 198.51.100.2 198.51.100.3 198.51.100.4)
# IPv6 server addresses (documentation range), for servers that relay IPv6: no client has an IPv6 route.
SERVER_IPS6=(2001:db8:100::1 2001:db8:100::2 2001:db8:100::3 2001:db8:100::4)

die() { echo "nat-lab: $*" >&2; exit 1; }

check_prefix() {
  # Only names this script made may be deleted: rdl + a few lowercase letters or digits.
  [[ "$1" =~ ^rdl[a-z0-9]{2,10}$ ]] || die "bad prefix '$1' (expected rdl followed by 2-10 letters/digits)"
}

state_dir() { echo "$LAB_ROOT/$1"; }

wan_up() {
  local p=$1 wan="$1-wan"
  mkdir -p "$(state_dir "$p")"
  ip netns add "$wan"
  ip -n "$wan" link set lo up
  ip -n "$wan" link add br0 type bridge
  ip -n "$wan" link set br0 up
  for a in "${SERVER_IPS[@]}"; do ip -n "$wan" addr add "$a/24" dev br0; done
  # nodad: usable at once, so a coturn relaying from them can start straight away.
  for a in "${SERVER_IPS6[@]}"; do ip -n "$wan" addr add "$a/64" dev br0 nodad; done
  # A default route into a dead link: packets for addresses nobody here owns (the private host
  # candidates peers send through TURN) are dropped silently, as on the internet. Without it
  # sendto() fails with ENETUNREACH, and coturn closes an allocation whose relay socket fails a
  # send ("udp send: Network is unreachable"): every later request on it is a 438, and relayed
  # ICE stalls. The peer end stays down, so nothing can leave the namespace.
  ip -n "$wan" link add bh0 type veth peer name bh1
  ip -n "$wan" link set bh0 arp off up
  ip -n "$wan" route add default dev bh0
}

# coturn-up PREFIX NAME IP [IP] [-- ARGS]: with two IPs coturn does RFC 5780 (OTHER-ADDRESS,
# CHANGE-REQUEST; the other port is 3479); with one IP it is a plain STUN/TURN server. ARGS are
# extra coturn options (e.g. --denied-peer-ip=..., --external-ip=PUBLIC/PRIVATE).
coturn_up() {
  local p=$1 name=$2
  shift 2
  coturn_start "$p" "$name" "$p-wan" "$@"
}

# coturn-in PREFIX NAME NAMESPACE IP [-- ARGS]: the same, on a host inside a site (NAMESPACE must be
# one of this lab's), e.g. a TURN server on a cloud VM behind a 1:1 NAT.
coturn_in() {
  local p=$1 name=$2 ns=$3
  shift 3
  [[ $ns == "$p-"* ]] || die "namespace '$ns' is not part of lab $p"
  coturn_start "$p" "$name" "$ns" "$@"
}

coturn_start() {
  local p=$1 name=$2 ns=$3 dir
  shift 3
  dir="$(state_dir "$p")"
  local ips=()
  while [[ $# -gt 0 && $1 != -- ]]; do ips+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  [[ ${#ips[@]} -gt 0 ]] || die "coturn $name: no listening IP"
  # TLS only when the extra options bring a certificate (--cert=... --pkey=...).
  local tls=(--no-tls)
  [[ " $* " == *" --cert="* ]] && tls=()
  local args=(-n "${tls[@]}" --no-dtls --no-cli --listening-port=3478 --lt-cred-mech --user=u:p --realm=lab
    --pidfile="$dir/$name.coturn-pid" --userdb="$dir/$name.sqlite" --log-file="$dir/$name.log" --simple-log)
  for ip in "${ips[@]}"; do args+=(-L "$ip"); done
  args+=("$@")
  ip netns exec "$ns" turnserver "${args[@]}" >/dev/null 2>&1 &
  echo $! >"$dir/$name.pid"
  # Ready once it listens on UDP 3478 on every address asked for.
  for _ in $(seq 1 100); do
    local all=1
    for ip in "${ips[@]}"; do
      ip netns exec "$ns" ss -Hlun "src $ip:3478" | grep -q . || all=0
    done
    [[ $all == 1 ]] && return 0
    kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null || die "coturn $name exited; see $dir/$name.log"
    sleep 0.1
  done
  die "coturn $name did not start listening within 10 s; see $dir/$name.log"
}

site_up() {
  local p=$1 name=$2 profile=$3 index=$4
  local wan="$p-wan" r="$p-$name-r" c="$p-$name-c" wanip="198.51.100.$((10 + index))"
  [[ " $PROFILES " == *" $profile "* ]] || die "unknown profile '$profile' (one of: $PROFILES)"
  ip netns add "$r"
  ip netns add "$c"
  ip -n "$r" link set lo up
  ip -n "$c" link set lo up
  ip -n "$wan" link add "w$index" type veth peer name n0 netns "$r"
  ip -n "$wan" link set "w$index" master br0 up
  ip -n "$r" addr add "$wanip/24" dev n0
  ip -n "$r" link set n0 up
  ip -n "$r" link add n1 type veth peer name eth0 netns "$c"
  local lan=10.77.0
  [[ $profile == one-to-one ]] && lan=10.88.0
  if [[ $profile == no-nat ]]; then
    lan=203.0.113
    ip -n "$wan" route add 203.0.113.0/24 via "$wanip"
  fi
  ip -n "$r" addr add "$lan.1/24" dev n1
  ip -n "$r" link set n1 up
  ip -n "$c" addr add "$lan.2/24" dev eth0
  ip -n "$c" link set eth0 up
  ip -n "$c" route add default via "$lan.1"
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
  apply_profile "$r" "$profile" "$wanip"
  echo "$profile" >"$(state_dir "$p")/$name.profile"
}

# The router's rules. n0 faces the internet, n1 the client.
apply_profile() {
  local r=$1 profile=$2 wanip=$3
  local ipt=(ip netns exec "$r" iptables)
  case $profile in
    no-nat) ;;
    full-cone)
      # MASQUERADE keeps the client's port while only one client uses it, so sending every inbound
      # UDP packet to the client makes the mapping reachable from anywhere.
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      "${ipt[@]}" -t nat -A PREROUTING -i n0 -p udp -j DNAT --to-destination 10.77.0.2
      # Hairpinning: the client's packet to its own public address comes back, from that address.
      "${ipt[@]}" -t nat -A PREROUTING -i n1 -d "$wanip" -p udp -j DNAT --to-destination 10.77.0.2
      "${ipt[@]}" -t nat -A POSTROUTING -o n1 -s 10.77.0.0/24 -d 10.77.0.2 -p udp -j SNAT --to-source "$wanip"
      ;;
    restricted-cone)
      # Inbound UDP gets through to a mapped port only from an address the client sent to from that
      # port. Keyed by (mapped port . remote address): keyed by address alone, the mapping tests'
      # packets to the other address would open it for the filtering tests too.
      ip netns exec "$r" nft -f - <<NFT
table ip rdl_restricted {
  set sent { type inet_service . ipv4_addr; flags dynamic,timeout; timeout 5m; }
  chain masq { type nat hook postrouting priority srcnat; policy accept; oifname "n0" masquerade; }
  chain remember { type filter hook postrouting priority 300; policy accept; oifname "n0" meta l4proto udp update @sent { udp sport . ip daddr }; }
  chain admit { type nat hook prerouting priority dstnat; policy accept; iifname "n0" meta l4proto udp udp dport . ip saddr @sent dnat to 10.77.0.2; }
}
NFT
      ;;
    port-restricted-cone)
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      # An unsolicited datagram to a mapped port would otherwise be taken by the router itself: its
      # conntrack entry then holds the port, and the client's own packet to that peer leaves from
      # another one (MASQUERADE avoids the clash), so two such NATs could never punch a hole, which
      # real port-restricted cones do. Dropped before conntrack confirms it, it holds nothing.
      "${ipt[@]}" -A INPUT -i n0 -p udp -m conntrack --ctstate NEW -j DROP
      ;;
    symmetric)
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE --random-fully
      ;;
    udp-blocked)
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      "${ipt[@]}" -A FORWARD -p udp -j DROP
      ;;
    tcp-443-only)
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      "${ipt[@]}" -A FORWARD -i n1 -p tcp --dport 443 -j ACCEPT
      "${ipt[@]}" -A FORWARD -i n1 -j DROP
      ;;
    udp-rejected)
      # REJECT's default answer to UDP: the ICMP port unreachable a host with no listener sends.
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      "${ipt[@]}" -A FORWARD -i n1 -p udp -j REJECT --reject-with icmp-port-unreachable
      ;;
    udp-prohibited)
      # ICMP "communication administratively prohibited" (type 3 code 13): only a filter says that.
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -j MASQUERADE
      "${ipt[@]}" -A FORWARD -i n1 -p udp -j REJECT --reject-with icmp-admin-prohibited
      ;;
    one-to-one)
      # A cloud VM's public IP: the host sees only its private address, the router maps every port
      # of the public one to it, both ways. A server here must be told its public address.
      "${ipt[@]}" -t nat -A PREROUTING -i n0 -d "$wanip" -j DNAT --to-destination 10.88.0.2
      "${ipt[@]}" -t nat -A POSTROUTING -o n0 -s 10.88.0.2 -j SNAT --to-source "$wanip"
      ;;
  esac
}

# site-readdress PREFIX NAME NEWIP: the router's public address changes (a new DHCP lease, a CGNAT
# re-mapping), as a client's network does under a live call. MASQUERADE forgets every mapping of an
# address that goes away (its inetaddr notifier drops their conntrack entries), so the client's
# next packets leave from NEWIP, and nothing sent to the old address arrives any more.
site_readdress() {
  local p=$1 name=$2 newip=$3 r="$1-$2-r" old routes
  ip netns list | awk '{print $1}' | grep -qx "$r" || die "no router namespace $r"
  old=$(ip -n "$r" -4 -o addr show dev n0 | awk '{print $4}' | head -n1)
  [[ -n $old ]] || die "$r has no address on n0"
  # Deleting the primary address would take the new (secondary) one with it.
  ip netns exec "$r" sysctl -qw net.ipv4.conf.n0.promote_secondaries=1
  ip -n "$r" addr add "$newip/24" dev n0
  # Routes through the lab's internet (e.g. to 203.0.113.0/24) may go with the old address: put them back.
  routes=$(ip -n "$r" -4 route show | grep " via " || true)
  ip -n "$r" addr del "$old" dev n0
  while read -r route; do
    [[ -n $route ]] || continue
    # shellcheck disable=SC2086 # the route's own words
    ip -n "$r" route replace $route 2>/dev/null || true
  done <<<"$routes"
}

down() {
  local p=$1 dir pid
  dir="$(state_dir "$p")"
  if [[ -d $dir ]]; then
    for f in "$dir"/*.pid; do
      [[ -e $f ]] || continue
      pid=$(cat "$f")
      # Only our own coturn: the pid may have been reused since.
      if [[ -n $pid && "$(cat "/proc/$pid/comm" 2>/dev/null)" == turnserver ]]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    done
  fi
  # Deleting a namespace deletes its veths (and the peers in other namespaces) with it.
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$p-" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$dir"
}

up() {
  local profile=$1 p
  p="rdl$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # A half-built lab is torn down whatever failed (globals: the trap runs after up() returned).
  UP_PREFIX=$p
  UP_DONE=0
  trap '[[ $UP_DONE == 1 ]] || down "$UP_PREFIX"' EXIT
  wan_up "$p"
  coturn_up "$p" rfc5780 198.51.100.1 198.51.100.2
  coturn_up "$p" single 198.51.100.3
  site_up "$p" lab "$profile" 1
  UP_DONE=1
  cat <<EOF
NAT lab $p is up: profile $profile.
  client namespace:  $p-lab-c   (address $( [[ $profile == no-nat ]] && echo 203.0.113.2 || echo 10.77.0.2 ))
  router namespace:  $p-lab-r   (198.51.100.11 outside)
  internet:          $p-wan     coturn RFC 5780 on 198.51.100.1 + .2 (ports 3478/3479), plain coturn on 198.51.100.3
Try:
  ip netns exec $p-lab-c turnutils_natdiscovery -m -f 198.51.100.1
  ip netns exec $p-lab-c node bin/rtc-doctor.js check --stun stun:198.51.100.1:3478   (after npm run build)
  ip netns exec $p-lab-c bash     (a shell on the client; exit to leave)
Tear down:
  npm run lab -- down $p
EOF
}

[[ $# -ge 1 ]] || die "usage: $0 up PROFILE | down PREFIX | list | profiles"
cmd=$1
shift
case $cmd in
  profiles) echo "$PROFILES" | tr ' ' '\n' ;;
  list) ip netns list | awk '{print $1}' | grep -oE '^rdl[a-z0-9]{2,10}-' | tr -d - | sort -u || true ;;
  up) [[ $# -eq 1 ]] || die "usage: $0 up PROFILE"; [[ $EUID -eq 0 ]] || die "needs root"; up "$1" ;;
  down) [[ $# -eq 1 ]] || die "usage: $0 down PREFIX"; check_prefix "$1"; down "$1" ;;
  wan-up) check_prefix "$1"; wan_up "$1" ;;
  coturn-up) check_prefix "$1"; coturn_up "$@" ;;
  coturn-in) check_prefix "$1"; coturn_in "$@" ;;
  site-up) check_prefix "$1"; site_up "$@" ;;
  site-readdress) check_prefix "$1"; site_readdress "$@" ;;
  *) die "unknown command '$cmd'" ;;
esac
