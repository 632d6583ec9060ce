"""Reads the runs compare.sh left in a folder and prints the comparison (standard library only)."""

import json
import os
import platform
import statistics
import sys
from collections import defaultdict
from pathlib import Path

WORKLOADS = ["digits", "sine", "xor", "scale", "cnn"]


def cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load(folder):
    """runs[workload][peer] = [result per round]; matmul[peer] = [GFLOP/s per round]."""
    runs = defaultdict(lambda: defaultdict(list))
    matmul = defaultdict(list)
    stepwise_device = None
    for path in sorted(Path(folder).glob("*.json"), key=lambda p: int(p.name.split("-")[0])):
        round_, workload, peer = path.stem.split("-")
        text = path.read_text()
        if peer == "stepwise":
            report = json.loads(text)
            stepwise_device = f"{report['backend']} ({report['device']})"
            runs[workload]["stepwise"].append(report["workloads"][0])
            matmul["stepwise"].append(report["matmul_gflops_per_second"])
        elif workload == "matmul":
            matmul[peer].append(json.loads(text)["matmul_gflops_per_second"])
        else:
            runs[workload][peer].append(json.loads(text.strip().splitlines()[-1]))
    return runs, matmul, stepwise_device


def spread(values):
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main(folder):
    runs, matmul, device = load(folder)
    peers = [p for p in ("numpy", "torch") if any(runs[w][p] for w in WORKLOADS)]
    rounds = len(runs["digits"]["stepwise"])
    print(f"machine: {cpu()}, {os.cpu_count()} threads; stepwise on {device}; {rounds} rounds")
    print()
    header = f"{'workload':<8} {'metric':<10} {'stepwise':>10}"
    for peer in peers:
        header += f" {peer:>10}"
    for peer in peers:
        header += f"  {'stepwise/' + peer + ' min/med/max':>30}"
    print(header)
    for workload in WORKLOADS:
        # xor runs to a target loss, and the peers share an initialisation stepwise does not:
        # they need different numbers of updates, so compare updates per second.
        metric = "updates/s" if workload == "xor" else "samples/s"

        def rate(result):
            if workload == "xor":
                return 1000.0 / result["ms_per_step"]
            return result["samples_per_second"]

        line = f"{workload:<8} {metric:<10}"
        mine = [rate(r) for r in runs[workload]["stepwise"]]
        if not mine:
            continue
        line += f" {statistics.median(mine):>10.0f}"
        # A peer without the workload (NumPy has no CNN) shows a dash.
        for peer in peers:
            theirs = [rate(r) for r in runs[workload][peer]]
            line += f" {statistics.median(theirs):>10.0f}" if theirs else f" {'-':>10}"
        for peer in peers:
            theirs = [rate(r) for r in runs[workload][peer]]
            ratios = [a / b for a, b in zip(mine, theirs)]
            line += f"  {spread(ratios) if ratios else '-':>30}"
        print(line)
    print()
    print("xor to MSE < 0.01 (median ms, updates):", ", ".join(
        f"{peer} {statistics.median(r['seconds'] for r in runs['xor'][peer]) * 1000:.1f} ms "
        f"({runs['xor'][peer][0]['steps']})" for peer in ["stepwise", *peers]))
    print()
    print("peak RSS of the process, MiB (median):")
    for workload in WORKLOADS:
        values = []
        for peer in ["stepwise", *peers]:
            rss = [r["peak_rss_bytes"] for r in runs[workload][peer] if r.get("peak_rss_bytes")]
            values.append(f"{peer} {statistics.median(rss) / 2**20:.0f}" if rss else f"{peer} -")
        print(f"  {workload:<8} " + ", ".join(values))
    print()
    scale = runs["scale"]["stepwise"]
    flops = scale[0]["flops_per_step"]
    print(f"scale: {flops / 1e9:.3f} GFLOP per step (forward + backward); stepwise "
          f"{statistics.median(r['gflops_per_second'] for r in scale):.1f} GFLOP/s")
    print("1024x1024 matrix product, GFLOP/s (median): " + ", ".join(
        f"{peer} {statistics.median(values):.1f}" for peer, values in matmul.items()))
    for peer in peers:
        versions = {r.get("version") for w in WORKLOADS for r in runs[w][peer]}
        print(f"{peer} version: {', '.join(sorted(v for v in versions if v))}")


if __name__ == "__main__":
    main(sys.argv[1])
