#!/usr/bin/env node
// Starts telegram-test-api 4.2.1 on 127.0.0.1 behind a small proxy that patches what
// python-telegram-bot 22 needs, then prints one JSON line: {"port": <proxy port>}.
//
// The bot talks to http://127.0.0.1:<port>/bot<token>/<method>; tests use the emulator's
// client API (/sendMessage, /sendCommand, /sendCallback, /getUpdates) on the same port.
// Patches (known gaps of 4.2.1):
//   - getMe lacks is_bot (and the can_* flags);
//   - messages returned to the bot carry `date` in milliseconds;
//   - callback queries lack chat_instance;
//   - sendMessage echoes request fields (link_preview_options as a JSON string...);
//   - unknown methods (setMyCommands...) answer HTTP 500: here {"ok": true, "result": true},
//     and the call is recorded (GET /_calls lists them);
//   - getUpdates answers at once: here it waits up to 1 s for an update (long polling).
// And GET /_sent?from=N lists the messages the bot sent ({chat_id, text}), in the order the
// emulator accepted them, from the N-th on: cheap to poll when many chats talk at once.
'use strict';

const http = require('http');
const net = require('net');
const TelegramServer = require('telegram-test-api');

const HOST = '127.0.0.1';
const KNOWN = new Set([
  'getMe', 'getUpdates', 'sendMessage', 'answerCallbackQuery', 'editMessageText',
  'editMessageReplyMarkup', 'deleteMessage', 'setWebhook', 'deleteWebhook',
]);
const LONG_POLL_MS = 1000;
const unknownCalls = [];
const sentLog = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function fixDates(value) {
  if (Array.isArray(value)) return value.map(fixDates);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = key === 'date' && typeof item === 'number' && item > 1e11 ? Math.floor(item / 1000) : fixDates(item);
    }
    if (out.callback_query && !out.callback_query.chat_instance) {
      const from = out.callback_query.from || {};
      out.callback_query.chat_instance = `ci-${from.id || 0}`;
    }
    return out;
  }
  return value;
}

function cleanMessage(message) {
  // Keep only Message fields; the emulator echoes the request parameters too.
  const chatId = Number(message.chat_id !== undefined ? message.chat_id : message.chat && message.chat.id);
  const clean = {
    message_id: message.message_id,
    date: message.date,
    chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private', first_name: 'User' },
    from: { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' },
    text: message.text,
  };
  if (message.reply_markup && typeof message.reply_markup === 'object') clean.reply_markup = message.reply_markup;
  return clean;
}

function patch(method, body) {
  if (!body || typeof body !== 'object' || !('result' in body)) return body;
  let { result } = body;
  if (method === 'getMe' && result) {
    result = {
      ...result, is_bot: true, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true,
    };
  }
  if ((method === 'sendMessage' || method === 'editMessageText') && result && result.message_id) {
    result = cleanMessage(result);
  }
  if (method === 'editMessageText' && result === null) result = true;
  if (method === 'editMessageReplyMarkup' && result === null) result = true;
  if (method === 'answerCallbackQuery' && result === null) result = true;
  if (method === 'setWebhook' && result === null) result = true;
  return { ...body, result: fixDates(result) };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function forward(upstreamPort, req, body) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: `${HOST}:${upstreamPort}`, 'content-length': body.length };
    const up = http.request({ host: HOST, port: upstreamPort, method: req.method, path: req.url, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    up.on('error', reject);
    up.end(body);
  });
}

function send(res, status, payload) {
  const data = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
  res.end(data);
}

async function main() {
  const upstreamPort = await freePort();
  const server = new TelegramServer({ port: upstreamPort, host: HOST, storeTimeout: 3600 });
  await server.start();

  const proxy = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const match = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(req.url);
      if (req.url === '/_calls') {
        send(res, 200, { ok: true, result: unknownCalls });
        return;
      }
      if (req.url.startsWith('/_sent')) {
        const from = Number(new URL(req.url, `http://${HOST}`).searchParams.get('from') || 0);
        send(res, 200, { ok: true, result: sentLog.slice(from) });
        return;
      }
      if (!match) {
        const up = await forward(upstreamPort, req, body);
        res.writeHead(up.status, { 'content-type': up.headers['content-type'] || 'application/json' });
        res.end(up.body);
        return;
      }
      const method = match[2];
      if (!KNOWN.has(method)) {
        unknownCalls.push(method);
        send(res, 200, { ok: true, result: true });
        return;
      }
      const started = Date.now();
      for (;;) {
        const up = await forward(upstreamPort, req, body);
        let parsed;
        try {
          parsed = JSON.parse(up.body.toString('utf8'));
        } catch (e) {
          res.writeHead(up.status);
          res.end(up.body);
          return;
        }
        const waiting = method === 'getUpdates' && Array.isArray(parsed.result) && parsed.result.length === 0;
        if (waiting && Date.now() - started < LONG_POLL_MS) {
          await new Promise((r) => setTimeout(r, 25));
          continue;
        }
        const patched = patch(method, parsed);
        if (method === 'sendMessage' && patched.ok && patched.result) {
          sentLog.push({ chat_id: patched.result.chat.id, text: patched.result.text });
        }
        send(res, up.status, patched);
        return;
      }
    } catch (error) {
      send(res, 502, { ok: false, error_code: 502, description: `proxy: ${error.message}` });
    }
  });
  const port = await freePort();
  await new Promise((resolve) => proxy.listen(port, HOST, resolve));
  process.stdout.write(`${JSON.stringify({ port, upstream: upstreamPort })}\n`);

  const stop = async () => {
    proxy.close();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`launcher failed: ${error.stack || error}\n`);
  process.exit(1);
});
