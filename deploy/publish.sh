#!/usr/bin/env bash
# Publishes the host the way the container image ships it: framework-dependent for linux-x64, so ONNX Runtime's native
# library from the NuGet package's runtimes folder lands beside AkashML.Web.dll. The Dockerfile runs this script and
# scripts/test.sh runs it too, so the image's build is checked wherever the tests run, without a Docker engine.
# usage: deploy/publish.sh OUTPUT_DIR [ORT_GPU=false|true]
set -euo pipefail

out="${1:?usage: deploy/publish.sh OUTPUT_DIR [false|true]}"
gpu="${2:-false}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dotnet publish "$repo/AkashML.Web/AkashML.Web.csproj" -c Release -r linux-x64 --self-contained false \
  -p:AkashMLOnnxRuntimeGpu="$gpu" -o "$out" -nologo -v:q -clp:ErrorsOnly

for file in AkashML.Web.dll libonnxruntime.so appsettings.json; do
  [ -f "$out/$file" ] || { echo "error: the published output in $out has no $file" >&2; exit 1; }
done
