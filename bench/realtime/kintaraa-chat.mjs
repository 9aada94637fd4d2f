// Load script for bench/Haven.Bench.Sync: opens one real @microsoft/signalr connection (WebSockets) per survivor to
// /hubs/kintaraa, each joined to its own case's group, plus a few coordinator connections that send chat messages
// with the hub's message.send (the real ChatService: encrypted message, read cursor, audit, outbox event,
// notification). Latency is send → receipt of message.received at the survivor, on one clock (this process).
//   node bench/realtime/kintaraa-chat.mjs <hub url> <messages> <messages per second> <sender connections> <accounts file>
// The accounts file (written by the bench host): {"survivors": [{"access_token", "incident_id"}], "sender_token"}.
// Prints one JSON object with percentiles per phase.
import * as signalR from "@microsoft/signalr";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [url, messagesArg, rateArg, sendersArg, accountsPath] = process.argv.slice(2);
const messages = Number(messagesArg ?? 2000);
const rate = Number(rateArg ?? 100);
const senderCount = Number(sendersArg ?? 16);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(text + "\n");

const { survivors, sender_token: senderToken } = JSON.parse(readFileSync(accountsPath, "utf8"));
const sentAt = new Map();
const samples = { delivery: [], sendCall: [], echo: [] };

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const round = (v) => Math.round(v * 100) / 100;
  return sorted.length === 0
    ? { count: 0 }
    : { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

function connect(token) {
  return new signalR.HubConnectionBuilder()
    .withUrl(url, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
    .configureLogging(signalR.LogLevel.None)
    .build();
}

async function openSurvivor({ access_token: token, incident_id: incident }) {
  const connection = connect(token);
  connection.on("message.received", (e) => {
    const sent = sentAt.get(e.payload.message_id);
    if (sent !== undefined) {
      sentAt.delete(e.payload.message_id);
      samples.delivery.push(now() - sent);
    }
  });
  await connection.start();
  const answer = await connection.invoke("subscribe", { cursor: null, groups: [`kintaraa-case:${incident}`] });
  if (!answer.ok || answer.joined.length !== 1) throw new Error("subscribe failed: " + JSON.stringify(answer));
  return connection;
}

async function paced(count, perSecond, action) {
  const interval = 1000 / perSecond;
  const started = now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const wait = started + i * interval - now();
    if (wait > 1) await sleep(wait);
    pending.push(action(i));
  }
  await Promise.all(pending);
}

async function drain(isDone, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (!isDone() && now() < deadline) await sleep(20);
}

const connections = [];
const connectStarted = now();
for (let i = 0; i < survivors.length; i += 100) {
  connections.push(...(await Promise.all(survivors.slice(i, i + 100).map(openSurvivor))));
}
const connectSeconds = (now() - connectStarted) / 1000;
log(`${survivors.length} survivors connected and joined their cases in ${connectSeconds.toFixed(1)} s`);

// Coordinators' connections: SignalR runs one call at a time per connection, so the sends are spread over several.
const senders = [];
for (let i = 0; i < senderCount; i++) {
  const connection = connect(senderToken);
  await connection.start();
  await connection.invoke("subscribe", { cursor: null, groups: [] });
  senders.push(connection);
}

const incidentFor = (i) => survivors[(i * 7919) % survivors.length].incident_id;
async function send(i, body) {
  const id = randomUUID();
  const started = now();
  sentAt.set(id, started);
  const answer = await senders[i % senders.length].invoke("message.send", { incident_id: incidentFor(i), id, body });
  if (!answer.ok) throw new Error("message.send failed: " + JSON.stringify(answer));
  return now() - started;
}

// Warm-up (not measured): JIT, pools, EF model, first encryption.
await paced(200, rate, (i) => send(i, `warm-up ${i}`));
await drain(() => sentAt.size === 0, 10_000);
samples.delivery.length = 0;

// Baseline: a hub round trip with no database work (leaving a group the connection is not in).
await paced(Math.min(messages, 1000), rate, async (i) => {
  const started = now();
  await senders[i % senders.length].invoke("leave", "kintaraa-case:00000000-0000-0000-0000-000000000000");
  samples.echo.push(now() - started);
});

// Measured: coordinators' messages through the Kintaraa hub to each survivor's case group.
await paced(messages, rate, async (i) => samples.sendCall.push(await send(i, `Message ${i}: we have arranged a counsellor for Thursday.`)));
await drain(() => sentAt.size === 0, 30_000);

console.log(JSON.stringify({
  clients: survivors.length,
  sender_connections: senders.length,
  connect_seconds: Math.round(connectSeconds * 10) / 10,
  messages,
  rate_per_second: rate,
  message_send_to_receipt_ms: { ...percentiles(samples.delivery), lost: sentAt.size },
  message_send_call_ms: percentiles(samples.sendCall),
  baseline_hub_round_trip_ms: percentiles(samples.echo),
}));
await Promise.allSettled([...connections, ...senders].map((c) => c.stop()));
process.exit(0);
