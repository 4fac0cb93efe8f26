// Checks deploy/ without a Docker engine or a cluster: the Akash SDL through Akash's own SDL parser (the one the
// Akash CLI and Console use), the Kubernetes manifests for what AkashML needs (kinds, probes on the host's real
// health paths, secret references, roles, drain timing), every setting they pass against appsettings.sample.json,
// and, when given a folder, the published output the Dockerfile ships.
// usage: node deploy/validate/validate.mjs [PUBLISH_DIR]
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SDL } from "@akashnetwork/chain-sdk";
import { parseAllDocuments } from "yaml";

const deploy = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(deploy, "..");
const failures = [];
let checks = 0;
const check = (condition, message) => {
  checks++;
  if (!condition) failures.push(message);
};

// The settings the manifests pass must be ones the host binds: appsettings.sample.json lists every one.
const sample = JSON.parse(readFileSync(join(repo, "appsettings.sample.json"), "utf8")
  .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (match, string) => string ?? ""));
const isSetting = (name) => {
  let node = sample;
  for (const part of name.split("__")) {
    const key = node && typeof node === "object" ? Object.keys(node).find((k) => k.toLowerCase() === part.toLowerCase()) : undefined;
    if (key === undefined) return false;
    node = node[key];
  }
  return true;
};
const checkSetting = (where, name) => {
  if (name.startsWith("ASPNETCORE_") || name.startsWith("DOTNET_")) return;
  check(isSetting(name), `${where}: ${name} is not a setting in appsettings.sample.json`);
};

// The probe paths the host really maps.
const healthSource = readFileSync(join(repo, "AkashML.Web/Hosting/HealthEndpoints.cs"), "utf8");
const healthPaths = [...healthSource.matchAll(/Map(?:Get)\("(\/[a-z]+)"/g)].map((m) => m[1]);
check(healthPaths.includes("/healthz") && healthPaths.includes("/readyz"), `HealthEndpoints.cs maps ${healthPaths.join(", ")}, not /healthz and /readyz`);

// --- Akash SDL ---------------------------------------------------------------------------------------------------
const sdlText = readFileSync(join(deploy, "akash/deploy.yaml"), "utf8");
try {
  const sdl = SDL.fromString(sdlText, "beta3");
  const manifest = sdl.manifest();
  check(Array.isArray(manifest) && manifest.length > 0, "akash/deploy.yaml: the SDL yields no manifest groups");
  const services = sdl.services();
  for (const [name, service] of Object.entries(services)) {
    const env = Object.fromEntries((service.env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    for (const key of Object.keys(env)) checkSetting(`akash/deploy.yaml ${name}`, key);
    check(env.Host__Role?.toLowerCase() === "inference", `akash/deploy.yaml ${name}: Host__Role must be Inference`);
    check((env.Nodes__SharedSecret ?? "").length >= 16, `akash/deploy.yaml ${name}: Nodes__SharedSecret must be set (16+ characters)`);
    const mounts = Object.values(service.params?.storage ?? {}).map((s) => s.mount);
    check(mounts.includes("/data") || mounts.includes(env.Models__Directory), `akash/deploy.yaml ${name}: the models volume is not mounted`);
  }
  for (const [name, profile] of Object.entries(sdl.data.profiles.compute)) {
    check((profile.resources.gpu?.units ?? 0) >= 1, `akash/deploy.yaml profile ${name}: no GPU`);
    const storage = [].concat(profile.resources.storage);
    check(storage.some((s) => s.attributes?.persistent === true || s.attributes?.persistent === "true"), `akash/deploy.yaml profile ${name}: no persistent storage for models`);
  }
  for (const placement of Object.values(sdl.data.profiles.placement)) {
    for (const [name, price] of Object.entries(placement.pricing)) check(price.denom === "uakt", `akash/deploy.yaml pricing ${name}: denom is ${price.denom}, expected uakt`);
  }
} catch (error) {
  check(false, `akash/deploy.yaml: Akash's SDL parser refused it: ${error.message}`);
}

// --- Kubernetes manifests ----------------------------------------------------------------------------------------
const k8sDir = join(deploy, "k8s");
const objects = [];
for (const file of readdirSync(k8sDir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(k8sDir, file), "utf8"))) {
    if (doc.errors.length > 0) {
      check(false, `k8s/${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = doc.toJS();
    if (object) objects.push({ file, object });
  }
}
const kustomization = parseAllDocuments(readFileSync(join(k8sDir, "kustomization.yaml"), "utf8"))[0].toJS();
for (const file of new Set(objects.map((o) => o.file))) check(kustomization.resources.includes(file), `k8s/kustomization.yaml does not list ${file}`);

const byKind = (kind) => objects.filter((o) => o.object.kind === kind).map((o) => o.object);
for (const { file, object } of objects) {
  check(object.apiVersion && object.kind && object.metadata?.name, `k8s/${file}: an object lacks apiVersion, kind or metadata.name`);
  check(object.kind === "Namespace" || object.metadata?.namespace === "akashml", `k8s/${file}: ${object.kind} ${object.metadata?.name} is not in namespace akashml`);
}
for (const kind of ["Namespace", "Secret", "Deployment", "StatefulSet", "Service", "HorizontalPodAutoscaler"]) {
  check(byKind(kind).length > 0, `k8s: no ${kind}`);
}

const secrets = new Map(byKind("Secret").map((s) => [s.metadata.name, new Set(Object.keys({ ...s.data, ...s.stringData }))]));
const durationSeconds = (value) => {
  const [h, m, s] = String(value).split(":").map(Number);
  return h * 3600 + m * 60 + s;
};

const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")];
for (const workload of workloads) {
  const where = `k8s ${workload.kind} ${workload.metadata.name}`;
  const pod = workload.spec.template.spec;
  const labels = workload.spec.template.metadata.labels;
  check(Object.entries(workload.spec.selector.matchLabels).every(([k, v]) => labels[k] === v), `${where}: the selector does not match the pod labels`);
  check(pod.securityContext?.runAsNonRoot === true, `${where}: pods must run as non-root`);
  for (const container of pod.containers) {
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    for (const name of Object.keys(env)) checkSetting(where, name);
    for (const e of Object.values(env)) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) check(secrets.get(ref.name)?.has(ref.key), `${where}: ${e.name} refers to secret ${ref.name}/${ref.key}, which the Secret does not define`);
    }
    const ports = new Set((container.ports ?? []).map((p) => p.name));
    for (const [probe, path] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
      const http = container[probe]?.httpGet;
      check(http?.path === path && healthPaths.includes(path), `${where}: ${probe} must be GET ${path}`);
      check(http && ports.has(http.port), `${where}: ${probe} uses port ${http?.port}, which the container does not name`);
    }
    const roleArg = container.args?.[container.args.indexOf("--role") + 1];
    const shutdown = env.Host__ShutdownTimeout ? durationSeconds(env.Host__ShutdownTimeout.value) : 30;
    const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    check(container.lifecycle?.preStop, `${where}: no preStop pause before SIGTERM`);
    check((pod.terminationGracePeriodSeconds ?? 30) > shutdown + preStop, `${where}: terminationGracePeriodSeconds must exceed Host:ShutdownTimeout (${shutdown} s) + preStop (${preStop} s)`);
    if (workload.kind === "Deployment") {
      check(roleArg === "gateway", `${where}: the gateway Deployment must run --role gateway`);
      check(env.ConnectionStrings__Postgres?.valueFrom?.secretKeyRef, `${where}: gateways need ConnectionStrings__Postgres from the Secret`);
      check(env.Keys__Pepper?.valueFrom?.secretKeyRef, `${where}: every gateway needs the same Keys__Pepper from the Secret`);
      const hpa = byKind("HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef.name === workload.metadata.name);
      check(hpa?.spec.metrics?.some((m) => m.resource?.name === "cpu"), `${where}: no CPU HorizontalPodAutoscaler targets it`);
    } else {
      check(roleArg === "inference", `${where}: the inference StatefulSet must run --role inference`);
      check(env.Nodes__SharedSecret?.valueFrom?.secretKeyRef, `${where}: nodes need Nodes__SharedSecret from the Secret`);
      const claims = (workload.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name);
      const modelsMount = container.volumeMounts?.find((m) => claims.includes(m.name));
      check(modelsMount, `${where}: no volume claim template mounted for the models`);
      check(modelsMount && env.Models__Directory?.value === modelsMount.mountPath, `${where}: Models__Directory must be the models volume's mount path`);
      const headless = byKind("Service").find((s) => s.metadata.name === workload.spec.serviceName);
      check(headless?.spec.clusterIP === "None", `${where}: its serviceName must be a headless Service`);
    }
  }
}
for (const service of byKind("Service")) {
  const matches = workloads.some((w) => Object.entries(service.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
  check(matches, `k8s Service ${service.metadata.name}: its selector matches no workload`);
}

// --- Dockerfile and its published output ---------------------------------------------------------------------------
const dockerfile = readFileSync(join(deploy, "Dockerfile"), "utf8");
check(/FROM mcr\.microsoft\.com\/dotnet\/sdk:10\.0 AS build/.test(dockerfile), "Dockerfile: the build stage must be mcr.microsoft.com/dotnet/sdk:10.0");
check(/ARG RUNTIME_IMAGE=mcr\.microsoft\.com\/dotnet\/aspnet:10\.0/.test(dockerfile), "Dockerfile: the runtime stage must default to mcr.microsoft.com/dotnet/aspnet:10.0");
check(/^USER \$\{APP_UID/m.test(dockerfile), "Dockerfile: the image must run as the non-root app user");
check(/deploy\/publish\.sh/.test(dockerfile), "Dockerfile: it must publish with deploy/publish.sh (the script the tests run)");
for (const match of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)) {
  if (match[1] !== ".") check(existsSync(join(repo, match[1])), `Dockerfile: COPY ${match[1]} names a file that does not exist`);
}
const publishDir = process.argv[2];
if (publishDir) {
  for (const file of ["AkashML.Web.dll", "libonnxruntime.so", "appsettings.json"]) {
    check(existsSync(join(publishDir, file)), `published output ${publishDir} has no ${file}`);
  }
}

for (const failure of failures) console.error(`error: ${failure}`);
console.log(`deploy: ${checks - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
