"""Runs WASI preview 1 modules under wasmtime (PyPI `wasmtime`), the reference that WVM's
differential WASI test compares against.

Usage: wasmtime_oracle.py PLAN.json RESULTS

PLAN is a JSON list of runs; each run is an object with
  module    path of a .wasm file
  args      argv, argv[0] included
  env       list of [name, value]
  preopens  list of [host path, guest path, writable (bool)]
  stdin, stdout, stderr   host files for the standard streams
  invoke    null to run `_start`, or the name of an export taking no arguments and returning
            one i32 (a single raw WASI call whose errno it returns)
RESULTS gets one line per run, in order: `exit N` when `_start` returned (N = 0) or the guest
called proc_exit(N), `result N` for an invoked export, or `trap MESSAGE` (on one line) when
execution trapped or the host ended it with an error.
"""

import json
import sys

import wasmtime


def run(engine, modules, plan):
    path = plan["module"]
    module = modules.get(path)
    if module is None:
        module = wasmtime.Module.from_file(engine, path)
        modules[path] = module
    config = wasmtime.WasiConfig()
    config.argv = plan["args"]
    config.env = plan["env"]
    for host, guest, writable in plan["preopens"]:
        config.preopen_dir(host, guest, writable)
    config.stdin_file = plan["stdin"]
    config.stdout_file = plan["stdout"]
    config.stderr_file = plan["stderr"]
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    try:
        instance = linker.instantiate(store, module)
        exports = instance.exports(store)
        if plan["invoke"] is None:
            exports["_start"](store)
            return "exit 0"
        return "result %d" % exports[plan["invoke"]](store)
    except wasmtime.ExitTrap as e:
        return "exit %d" % e.code
    except wasmtime.WasmtimeError as e:
        return "trap " + " | ".join(line.strip() for line in str(e).splitlines())


def main():
    plan_path, results_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plans = json.load(f)
    engine = wasmtime.Engine()
    modules = {}
    results = [run(engine, modules, plan) for plan in plans]
    with open(results_path, "w") as f:
        f.write("".join(r + "\n" for r in results))


if __name__ == "__main__":
    main()
