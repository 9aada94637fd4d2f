// Load script for bench/Haven.Bench.Realtime: opens N real @microsoft/signalr connections (WebSockets) to the bench
// hub, pairs them into two-member case groups plus one group holding everyone, and measures send → receipt latency
// on one clock (this process): receipt time at the other member minus send time at the sender.
//   node bench/realtime/latency.mjs <hub url> <clients> <messages> <messages per second> <fanouts> <accounts file>
// The accounts file (written by the bench host) lists one real account per client: [{"user_id", "access_token"}].
// Prints one JSON object with percentiles per phase.
import * as signalR from "@microsoft/signalr";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [url, clientsArg, messagesArg, rateArg, fanoutsArg, accountsPath] = process.argv.slice(2);
const clients = Number(clientsArg ?? 2000);
const messages = Number(messagesArg ?? 2000);
const rate = Number(rateArg ?? 200);
const fanouts = Number(fanoutsArg ?? 10);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(text + "\n");

const accounts = JSON.parse(readFileSync(accountsPath, "utf8"));

const samples = { outbox: [], direct: [], fanout: [], directFanout: [], echo: [] };
const expected = { outbox: new Set(), direct: new Set(), fanout: 0 };
const connections = [];

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const round = (v) => Math.round(v * 100) / 100;
  return sorted.length === 0
    ? { count: 0 }
    : { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

async function open(index) {
  const { user_id: user, access_token: token } = accounts[index];
  const group = `bench:pair-${Math.floor(index / 2)}`;
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
    .configureLogging(signalR.LogLevel.None)
    .build();
  connection.on("message.received", (e) => {
    if (e.payload.sender !== user && expected.outbox.delete(e.payload.id)) samples.outbox.push(now() - e.payload.sent_at);
  });
  connection.on("bench.direct", (p) => {
    if (expected.direct.delete(p.id)) samples.direct.push(now() - p.sent_at);
  });
  connection.on("assignment.new", (e) => samples.fanout.push(now() - e.payload.sent_at));
  connection.on("bench.directfanout", (p) => samples.directFanout.push(now() - p.sent_at));
  await connection.start();
  const answer = await connection.invoke("subscribe", { cursor: null, groups: [group, "broadcast:all"] });
  if (!answer.ok || answer.joined.length !== 2) throw new Error("subscribe failed: " + JSON.stringify(answer));
  await connection.invoke("direct.join", group);
  connections[index] = { connection, group };
}

async function paced(count, perSecond, action) {
  const interval = 1000 / perSecond;
  const started = now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    pending.push(action(i));
  }
  await Promise.all(pending);
}

async function drain(isDone, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (!isDone() && now() < deadline) await sleep(20);
}

const connectStarted = now();
for (let i = 0; i < clients; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, clients - i) }, (_, k) => open(i + k)));
}
const connectSeconds = (now() - connectStarted) / 1000;
log(`${clients} clients connected and subscribed in ${connectSeconds.toFixed(1)} s`);
const pick = (i) => connections[(i * 7919) % clients];

// Warm-up (not measured): JIT, connection pools, EF model, first encryption.
for (let i = 0; i < 200; i++) {
  const { connection, group } = pick(i);
  await Promise.all([
    connection.invoke("echo", now()),
    connection.invoke("message.send", group, `w${i}`, now()),
    connection.invoke("direct.send", group, `w${i}`, now()),
  ]);
}
await sleep(1000);

// Baseline 1: hub round trip (client → server → same client), same pacing as the messages.
await paced(Math.min(messages, 1000), rate, async (i) => {
  const sent = now();
  await pick(i).connection.invoke("echo", sent);
  samples.echo.push(now() - sent);
});

// Measured: chat message through the outbox (store + publish in one transaction → sequencer → NOTIFY → dispatcher).
await paced(messages, rate, async (i) => {
  const id = `m${i}`;
  expected.outbox.add(id);
  const { connection, group } = pick(i);
  await connection.invoke("message.send", group, id, now());
});
await drain(() => expected.outbox.size === 0, 30_000);
const lostOutbox = expected.outbox.size;

// Baseline 2: SignalR's in-memory group send, no database.
await paced(messages, rate, async (i) => {
  const id = `d${i}`;
  expected.direct.add(id);
  const { connection, group } = pick(i);
  await connection.invoke("direct.send", group, id, now());
});
await drain(() => expected.direct.size === 0, 30_000);

// Fan-out: one event to all N clients through the outbox (a dashboard-wide broadcast).
for (let i = 0; i < fanouts; i++) {
  const before = samples.fanout.length;
  await pick(i).connection.invoke("fanout", `f${i}`, now());
  await drain(() => samples.fanout.length - before >= clients, 30_000);
  await sleep(200);
}

// Baseline 3: the same fan-out with SignalR's in-memory group send.
for (let i = 0; i < fanouts; i++) {
  const before = samples.directFanout.length;
  await pick(i).connection.invoke("direct.fanout", `g${i}`, now());
  await drain(() => samples.directFanout.length - before >= clients, 30_000);
  await sleep(200);
}
const expectedFanout = fanouts * clients;

console.log(JSON.stringify({
  clients,
  connect_seconds: Math.round(connectSeconds * 10) / 10,
  messages,
  rate_per_second: rate,
  message_via_outbox_ms: { ...percentiles(samples.outbox), lost: lostOutbox },
  baseline_signalr_group_send_ms: { ...percentiles(samples.direct), lost: expected.direct.size },
  baseline_hub_echo_round_trip_ms: percentiles(samples.echo),
  fanout_to_all_clients_ms: { ...percentiles(samples.fanout), expected: expectedFanout },
  baseline_signalr_fanout_ms: { ...percentiles(samples.directFanout), expected: expectedFanout },
}));
await Promise.allSettled(connections.map((c) => c.connection.stop()));
process.exit(0);
