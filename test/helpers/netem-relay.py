#!/usr/bin/env python3
"""
A user-space stand-in for netem (the test kernels have no sch_netem): forwards Ethernet frames
between two interfaces with AF_PACKET raw sockets, holding them for a delay with jitter (never
reordering them: a real link rarely does, and reordering makes libwebrtc's jitter buffer balloon),
dropping a share of them, or all of them during an outage.

    relay.py forward IF_A IF_B MAX_SECONDS   forward until stdin closes or MAX_SECONDS pass
    relay.py offload-off IF...               turn off checksum/segmentation offloads (run inside
                                             the interfaces' namespace)

Commands on stdin, one a line:  set DELAY_MS JITTER_MS LOSS_PERCENT  |  outage on  |  outage off
Each is answered with "ok" on stdout once applied. Test-only; needs root (CAP_NET_RAW).
"""
import ctypes
import fcntl
import os
import random
import select
import socket
import struct
import sys
import time
from collections import deque

ETH_P_ALL = 0x0003
SIOCETHTOOL = 0x8946
# Legacy ethtool "set" commands: tx checksum, scatter-gather, TSO, GSO, GRO.
ETHTOOL_SETS = (0x17, 0x19, 0x1F, 0x24, 0x2C)


def offload_off(names):
    """Without this the relay reads 64 KB super-frames and frames whose checksums the NIC was to finish."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for name in names:
        for cmd in ETHTOOL_SETS:
            value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
            ifreq = struct.pack("16sP", name.encode(), ctypes.addressof(value)).ljust(40, b"\0")
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq)
            except OSError:
                pass  # a feature the device cannot change is already off or fixed
    s.close()


def raw(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    return s


def forward(a_name, b_name, max_seconds):
    a, b = raw(a_name), raw(b_name)
    other = {a: b, b: a}
    queues = {a: deque(), b: deque()}  # frames read from the key, waiting to go out of the other
    last_due = {a: 0.0, b: 0.0}
    delay = jitter = loss = 0.0
    outage = False
    deadline = time.monotonic() + max_seconds
    stdin = sys.stdin.fileno()
    pending = b""
    os.set_blocking(stdin, False)
    print("ok", flush=True)
    while time.monotonic() < deadline:
        now = time.monotonic()
        due = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(due) - now) if due else 0.05
        readable, _, _ = select.select([a, b, stdin], [], [], min(timeout, 0.05))
        for r in readable:
            if r == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    words = line.decode().split()
                    if words[:1] == ["set"]:
                        delay, jitter, loss = float(words[1]) / 1000, float(words[2]) / 1000, float(words[3]) / 100
                    elif words == ["outage", "on"]:
                        outage = True
                        for q in queues.values():
                            q.clear()
                    elif words == ["outage", "off"]:
                        outage = False
                    print("ok", flush=True)
                continue
            while True:
                try:
                    frame, address = r.recvfrom(65535)
                except BlockingIOError:
                    break
                if address[2] == socket.PACKET_OUTGOING:
                    continue  # our own sends, seen again on the way out
                if outage or (loss > 0 and random.random() < loss):
                    continue
                now = time.monotonic()
                at = now + max(0.0, delay + random.uniform(-jitter, jitter))
                # Jitter without reordering: never before the frame ahead of it.
                at = max(at, last_due[r])
                last_due[r] = at
                queues[r].append((at, frame))
        now = time.monotonic()
        for source, q in queues.items():
            while q and q[0][0] <= now:
                _, frame = q.popleft()
                try:
                    other[source].send(frame)
                except OSError:
                    pass  # a full qdisc (the rate cap) drops it, like a full router queue


def main():
    if sys.argv[1] == "offload-off":
        offload_off(sys.argv[2:])
    elif sys.argv[1] == "forward":
        forward(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")


if __name__ == "__main__":
    main()
