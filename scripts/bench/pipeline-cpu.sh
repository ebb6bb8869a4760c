#!/bin/bash
# Prints the CPU clock ticks (1/100 s) used so far by PostgreSQL (the postmaster with its reaped children, plus
# its live children) and by nats-server: run it before and after a `srvv consume` run and subtract, to get each
# component's CPU per message (docs/benchmarks.md, "Where the CPU goes").
pm=$(head -1 /var/run/postgresql/15-main.pid 2>/dev/null || pgrep -o -x postgres)
pg=$(awk '{print $14+$15+$16+$17}' /proc/$pm/stat)
for p in $(pgrep -P $pm); do pg=$((pg + $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0))); done
nats=0; for p in $(pgrep -x nats-server); do nats=$((nats + $(awk '{print $14+$15}' /proc/$p/stat))); done
echo "$pg $nats"
