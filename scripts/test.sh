#!/usr/bin/env bash
# Runs the whole test suite: builds the solution, prepares the reference data (npm), starts a throwaway
# PostgreSQL 15 cluster, runs every test project against it and against SQLite, then stops and deletes the cluster,
# even when tests fail. Exits non-zero on any failure, or when PostgreSQL cannot start.
# The shared test data (../shared beside the checkout, or AKASHML_SHARED_DIR) is optional: without it the tests that
# need it skip, and the list of skipped tests at the end says why. With it nothing may skip for want of it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

pg_bin="${AKASHML_PG_BIN:-/usr/lib/postgresql/15/bin}"
configuration="${CONFIGURATION:-Release}"
results="$repo/artifacts/test-results"
work="$(mktemp -d /tmp/akashml-test.XXXXXX)"
chmod 755 "$work"
pg_dir="$work/pg"
pg_port=""

log() { printf '==> %s\n' "$*"; }

# Starts every skip reason of a test that lacks shared data (tests/SharedFolder/SharedTestData.cs).
shared_skip_prefix="Needs ../shared:"

find_shared() {
  # As the tests look for it: AKASHML_SHARED_DIR alone when set (a missing path means none), else a `shared` folder
  # with models, tokenizers or chat_templates beside the checkout or one of its ancestors.
  if [ -n "${AKASHML_SHARED_DIR:-}" ]; then
    [ -d "$AKASHML_SHARED_DIR" ] && (cd "$AKASHML_SHARED_DIR" && pwd)
    return 0
  fi
  local dir="$repo"
  while :; do
    for part in models tokenizers chat_templates; do
      [ -d "$dir/shared/$part" ] && { echo "$dir/shared"; return 0; }
    done
    [ "$dir" = "/" ] && return 0
    dir="$(dirname "$dir")"
  done
}

as_pg_user() {
  # PostgreSQL refuses to run as root: use the unprivileged postgres account when we are root.
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
  if [ -n "$pg_port" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_pg_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap stop_postgres EXIT

install_system_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x "$pg_bin/initdb" ] || missing+=(postgresql-15)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
  fi
}

start_postgres() {
  log "starting a throwaway PostgreSQL cluster"
  mkdir -p "$pg_dir"
  [ "$(id -u)" = "0" ] && chown postgres "$pg_dir"
  as_pg_user "$pg_bin/initdb" -D "$pg_dir/data" -U akashml --auth=trust -E UTF8 --no-locale >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; echo "error: PostgreSQL initdb failed" >&2; exit 1; }
  pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  as_pg_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
    || { cat "$pg_dir/server.log" 2>/dev/null; echo "error: PostgreSQL did not start" >&2; exit 1; }
  "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -t 30 >/dev/null || { echo "error: PostgreSQL is not accepting connections" >&2; exit 1; }
  export AKASHML_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=akashml;Database=postgres;Pooling=true;Maximum Pool Size=50"
  export AKASHML_REQUIRE_POSTGRES=1
}

prepare_reference_data() {
  # Expected tokenizer ids and template renders come from Hugging Face's reference implementations (npm).
  if [ -f tests/reference/package.json ]; then
    log "computing reference outputs with Hugging Face's npm packages"
    npm ci --prefix tests/reference --no-audit --no-fund --loglevel=error >/dev/null
    export AKASHML_REFERENCE_DIR="$work/reference"
    mkdir -p "$AKASHML_REFERENCE_DIR"
    # The tokenizer.json our model builder converts from stories260K's SentencePiece vocabulary goes through Hugging
    # Face's tokenizer too, so the converter is held to HF's outputs rather than to a copy of our own merge loop.
    local converted=()
    local stories="${shared:-}/models/llama2c-stories260K"
    if [ -n "${shared:-}" ] && [ -d "$stories" ]; then
      dotnet run --no-build --no-launch-profile --project AkashML.Web -c "$configuration" -- models build llama2c "$stories/stories260K.bin" \
        --tokenizer "$stories/tok512.bin" --out "$work/converted/stories260K" --AkashML:DataDirectory="$work/cli-data" >/dev/null
      converted+=("$work/converted/stories260K/tokenizer.json")
    fi
    node tests/reference/tokenize.mjs "$AKASHML_REFERENCE_DIR" "${converted[@]}"
    node tests/reference/render-templates.mjs "$AKASHML_REFERENCE_DIR"
  fi
}

validate_deploy() {
  # deploy/ without a Docker engine or a cluster: the image's publish (the Dockerfile's own script, which fails without
  # libonnxruntime.so), then the Akash SDL through Akash's SDL parser and the Kubernetes manifests (npm).
  log "checking deploy/: container publish, Kubernetes manifests, Akash SDL"
  bash deploy/publish.sh "$work/publish" || return 1
  npm ci --prefix deploy/validate --no-audit --no-fund --loglevel=error >/dev/null || return 1
  node deploy/validate/validate.mjs "$work/publish" | tee "$work/deploy.log"
}

list_skipped() {
  # Prints every skipped test with its reason from the runs' trx files; fails when shared data is present and a test
  # still skipped for want of it.
  python3 - "$shared_skip_prefix" "${shared:-}" "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET

prefix, shared, files = sys.argv[1], sys.argv[2], sys.argv[3:]
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
skipped = []
for path in files:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        if result.get("outcome") == "NotExecuted":
            message = result.find("t:Output/t:ErrorInfo/t:Message", ns)
            reason = (message.text or "").strip() if message is not None else "(no reason given)"
            skipped.append((result.get("testName"), reason))
if skipped:
    print(f"skipped ({len(skipped)}):")
    for name, reason in sorted(skipped):
        print(f"  {name}: {reason}")
wanting = [name for name, reason in skipped if reason.startswith(prefix)]
if shared and wanting:
    print(f"error: {len(wanting)} tests skipped for missing shared data although {shared} is present", file=sys.stderr)
    sys.exit(1)
PY
}

scan_logs_for_secrets() {
  # An API key secret (akml- and 43 letters or digits) must never reach a log; hosts log key prefixes and last four only.
  python3 - "$AKASHML_HOST_LOG_DIR" <<'PY'
import pathlib, re, sys

secret = re.compile(r"akml-[0-9A-Za-z]{43}(?![0-9A-Za-z])")
files = sorted(pathlib.Path(sys.argv[1]).glob("*.log"))
lines = leaks = 0
for path in files:
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        lines += 1
        for match in secret.finditer(line):
            leaks += 1
            print(f"error: API key secret in {path.name}:{number}: {match.group()[:9]}…", file=sys.stderr)
print(f"host logs scanned for API key secrets: {len(files)} files, {lines} lines, {leaks} secrets found")
sys.exit(1 if leaks or not files else 0)
PY
}

shared="$(find_shared)"
if [ -n "$shared" ]; then
  log "shared test data: $shared"
  export AKASHML_SHARED_DIR="$shared"
else
  log "no shared test data (../shared beside the checkout, or AKASHML_SHARED_DIR): the tests that need it will skip"
fi

install_system_packages
log "restoring tools and building ($configuration)"
dotnet tool restore >/dev/null
dotnet build AkashML.sln -c "$configuration" -nologo -v:q -clp:ErrorsOnly
prepare_reference_data
deploy_status=0
validate_deploy || deploy_status=1
start_postgres

export AKASHML_ARTIFACTS_DIR="$results/artifacts"
# Every test host writes its log here; the run fails if any of them holds an API key secret.
export AKASHML_HOST_LOG_DIR="$results/host-logs"
rm -rf "$AKASHML_HOST_LOG_DIR"
mkdir -p "$results" "$AKASHML_ARTIFACTS_DIR" "$AKASHML_HOST_LOG_DIR"
summary="$work/summary.txt"
: >"$summary"
status=$deploy_status
# The deploy checks count with the tests: "deploy: N passed, N failed".
if [ -f "$work/deploy.log" ]; then
  tail -1 "$work/deploy.log" | awk '{print $2, $4, 0}' >>"$summary"
fi
trx_files=()
projects=(tests/*/*.csproj e2e/*/*.csproj)
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  log "testing $name"
  rm -f "$results/$name.trx"
  set +e
  dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" 2>&1 | tee "$work/$name.log" | grep -E '^\s*(Failed|Skipped) |Error Message|^\s*(Passed!|Failed!)|error' || true
  code=${PIPESTATUS[0]}
  set -e
  [ "$code" = "0" ] || status=1
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
    count() { echo "$counters" | grep -oE " $1=\"[0-9]+\"" | grep -oE '[0-9]+' || echo 0; }
    p=$(count passed); f=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) )); t=$(count total)
    echo "$name: $p passed, $f failed, $(( t - p - f )) skipped"
    echo "$p $f $(( t - p - f ))" >>"$summary"
    [ "$t" != "0" ] || { echo "error: $name ran no tests"; status=1; }
    trx_files+=("$trx")
  else
    echo "error: $name produced no results (exit $code)"; status=1
  fi
done

passed=$(awk '{s+=$1} END {print s+0}' "$summary")
failed=$(awk '{s+=$2} END {print s+0}' "$summary")
skipped=$(awk '{s+=$3} END {print s+0}' "$summary")
echo
if [ ${#trx_files[@]} -gt 0 ]; then
  list_skipped "${trx_files[@]}" || status=1
fi
scan_logs_for_secrets || status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = "0" ] || status=1
exit $status
