"""pandas reference for the ingest workload: read a numeric CSV as 32-bit floats.

    python3 bench/pandas_reference.py FILE

One JSON line: the rows read, the seconds `read_csv` took (the load phase alone) and the
process's peak resident memory. compare.sh times the whole process around it.
"""

import json
import resource
import sys
import time

import pandas as pd


def main():
    path = sys.argv[1]
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype="float32")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps({"rows": len(frame), "load_seconds": seconds, "peak_rss_bytes": peak}))


if __name__ == "__main__":
    main()
