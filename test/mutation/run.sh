#!/usr/bin/env bash
# Mutation testing with Stryker.NET (not part of CI: it takes about an hour per folder on two cores).
# Usage: test/mutation/run.sh relaxations|relaxations-rest|relaxations-all|matmul|discretevae|discretevae-rest|gatedselection|gatedselection-settings|gatedselection-subset [output folder] [more Stryker options, e.g. -c 2]
# relaxations: the sampling kernels with their fast same-draw and unit tests (about an hour on two shared cores);
# relaxations-rest: the rest of Relaxations/ (checks, Concrete, the Gumbel-Softmax API, probabilities, Hard Concrete's
# constants, row parallelism, temperature schedules) and Binary Concrete's two log-densities, with every test of
# Tests/Relaxations and the relaxation property tests (all fast: about 20 minutes on two shared cores; the log-densities
# are picked by a character span of BinaryConcrete.cs, to update when that file changes);
# relaxations-all: every file of Relaxations/ with every relaxation test (several hours).
# discretevae: the objective (Evaluation, Training) with the model-level tests; discretevae-all: the whole folder.
# discretevae-rest: the rest of Models/DiscreteVae (model, inference, architecture, MLP, records) with the fast model and
# ONNX-graph tests (not the estimator tests, which fit for seconds per mutant). Any test/mutation/NAME.json is a NAME.
# gatedselection: Models/GatedSelection except GatedSelectorSettings.cs, with the unit tests of that code (not the
# estimator-level FeatureSelection tests, which made a run take hours); gatedselection-settings: GatedSelectorSettings.cs
# with its own checks' tests (every fit validates its settings, so the model tests would run for each of its mutants).
# gatedselection-subset: the joint subset search of a selector given k (ConcreteSelectorModel.cs, JointSubsetSearch.cs,
# HeadLoss.cs, GateSelection.cs) with the unit tests of those classes and GatedSelectorModelTests (HeadLoss's other user).
# It runs on a copy of the committed tree (git archive HEAD), because Stryker rebuilds the test project and places
# mutated assemblies in its bin folder, which would clash with builds in the working tree.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
name="$1"
out="${2:-$root/test/mutation/out/$name}"
out="$(mkdir -p "$out" && cd "$out" && pwd)" # absolute: Stryker runs in (and the script then deletes) a temporary copy
shift $(( $# < 2 ? $# : 2 ))
copy="$(mktemp -d)"
git -C "$root" archive HEAD | tar -x -C "$copy"
cd "$copy"
dotnet tool restore >/dev/null
cd test/mutation
dotnet dotnet-stryker -f "$name.json" -O "$out" "$@"
rm -rf "$copy"
