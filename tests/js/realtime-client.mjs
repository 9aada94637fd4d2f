// A small driver for real @microsoft/signalr clients, for tests in any language: one Node process holds many
// connections and speaks JSON lines. Tests/Haven.Testing/Realtime/RealtimeClients.cs drives it from C#.
//
// stdin, one command per line (every command has an "id"; the answer carries the same id):
//   {"id":1,"cmd":"connect","name":"a","url":"http://127.0.0.1:5000/hubs/platform","token":"...","events":["assignment.new"]}
//   {"id":2,"cmd":"invoke","name":"a","method":"subscribe","args":[{"cursor":null,"groups":["case:1"]}]}
//   {"id":3,"cmd":"stop","name":"a"}
// stdout, one message per line:
//   {"id":1,"ok":true}                                   answer (result for invoke, error text when ok is false)
//   {"name":"a","event":"assignment.new","data":{...},"t":1732170000123.456}   a server message (t: wall-clock ms)
//   {"name":"a","closed":true,"error":null}             the connection closed (error text if it failed)
import * as signalR from "@microsoft/signalr";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";

const connections = new Map();
const now = () => performance.timeOrigin + performance.now();
const write = (message) => process.stdout.write(JSON.stringify(message) + "\n");
const describe = (error) => (error ? String(error.message ?? error) : null);

async function connect({ id, name, url, token, events }) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, {
      accessTokenFactory: () => token,
      transport: signalR.HttpTransportType.WebSockets,
      skipNegotiation: true,
    })
    .configureLogging(signalR.LogLevel.None)
    .build();
  for (const event of events ?? []) {
    connection.on(event, (data) => write({ name, event, data, t: now() }));
  }
  connection.onclose((error) => write({ name, closed: true, error: describe(error) }));
  connections.set(name, connection);
  try {
    await connection.start();
    write({ id, ok: true });
  } catch (error) {
    connections.delete(name);
    write({ id, ok: false, error: describe(error) });
  }
}

async function invoke({ id, name, method, args }) {
  const connection = connections.get(name);
  if (!connection) return write({ id, ok: false, error: `no connection named ${name}` });
  try {
    const result = await connection.invoke(method, ...(args ?? []));
    write({ id, ok: true, result: result ?? null });
  } catch (error) {
    write({ id, ok: false, error: describe(error) });
  }
}

async function stop({ id, name }) {
  const connection = connections.get(name);
  connections.delete(name);
  if (connection) await connection.stop();
  write({ id, ok: true });
}

const commands = { connect, invoke, stop };
const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  const handler = commands[command.cmd];
  if (!handler) return write({ id: command.id, ok: false, error: `unknown command ${command.cmd}` });
  handler(command);
});
input.on("close", async () => {
  await Promise.allSettled([...connections.values()].map((c) => c.stop()));
  process.exit(0);
});
