"""Run the benchmarks one after another: `python -m bench [name ...] [options]` (e.g. `segment speech`,
`voice --ear`: options after the names go to each benchmark's own parser).

Each prints its own figures and the load average: the machine is shared, so compare the
ratios within one run rather than absolute times. `synth` and `build` take minutes.
"""

import importlib
import sys

ALL = ["segment", "html", "speech", "polyphones", "synth", "voice", "audio", "build", "web", "batch"]

args = sys.argv[1:]
split = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
names, sys.argv[1:] = args[:split], args[split:]
for name in names or ALL:
    if name not in ALL:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    print(f"== bench_{name}", flush=True)
    importlib.import_module(f"bench.bench_{name}").main()
