"""Run the benchmarks one after another: `python -m bench [name ...]` (e.g. `segment speech`).

Each prints its own figures and the load average: the machine is shared, so compare the
ratios within one run rather than absolute times. `synth` and `build` take minutes.
"""

import importlib
import sys

ALL = ["segment", "html", "speech", "polyphones", "synth", "audio", "build", "web"]

for name in sys.argv[1:] or ALL:
    if name not in ALL:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    print(f"== bench_{name}", flush=True)
    importlib.import_module(f"bench.bench_{name}").main()
