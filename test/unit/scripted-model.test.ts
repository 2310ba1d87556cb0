import { afterEach, describe, expect, it, vi } from 'vitest';
import { startScriptedModel } from '../../src/scripted-model/index.js';
import type { ScriptedModelOptions, ScriptedModelServer } from '../../src/scripted-model/index.js';

let server: ScriptedModelServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: ScriptedModelOptions): Promise<ScriptedModelServer> {
  server = await startScriptedModel(options);
  return server;
}

function chat(
  s: ScriptedModelServer,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${s.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: s.modelId, stream: true, messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}

/** Parses an SSE body into its `data:` payloads (JSON objects, or the literal `[DONE]`). */
async function sseEvents(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}

interface Chunk {
  object?: string;
  choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
}

describe('scripted model server', () => {
  it('lists its model on GET /v1/models', async () => {
    const s = await start({ script: [], modelId: 'my-model' });
    expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${s.baseUrl}/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id)).toEqual(['my-model']);
  });

  it('streams text in the given chunks, then finish_reason stop, a usage chunk and [DONE]', async () => {
    const s = await start({ script: [{ kind: 'text', text: ['Hel', 'lo'] }] });
    const response = await chat(s);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseEvents(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Chunk[];
    const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content)).filter((d) => d);
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    // Default usage is derived from the request size and the output length, and recorded.
    const recorded = s.requests[0]?.usage;
    expect(recorded).toEqual({ input: Math.ceil(s.requests[0]!.bodyBytes / 4), output: 2, cacheRead: 0 });
    expect(usageChunk?.usage?.completion_tokens).toBe(2);
    expect(usageChunk?.usage?.prompt_tokens).toBe(recorded?.input);
  });

  it('streams tool calls with id, name and fragmented JSON arguments, finishing with tool_calls', async () => {
    const s = await start({
      script: [
        {
          kind: 'tool_calls',
          text: 'Let me write it.',
          calls: [
            { name: 'write', arguments: { path: 'a.txt', content: 'x' } },
            { name: 'bash', arguments: { command: 'cat a.txt' }, id: 'call_custom' },
          ],
        },
      ],
    });
    const chunks = (await sseEvents(await chat(s))).slice(0, -1) as Chunk[];
    const toolDeltas = chunks.flatMap((c) =>
      c.choices.flatMap((choice) => (choice.delta.tool_calls as unknown[]) ?? []),
    );
    const byIndex = new Map<number, { id?: string; name?: string; args: string }>();
    for (const delta of toolDeltas as {
      index: number;
      id?: string;
      type?: string;
      function: { name?: string; arguments?: string };
    }[]) {
      const entry = byIndex.get(delta.index) ?? { args: '' };
      if (delta.id) entry.id = delta.id;
      if (delta.function.name) entry.name = delta.function.name;
      entry.args += delta.function.arguments ?? '';
      byIndex.set(delta.index, entry);
    }
    expect(byIndex.get(0)).toEqual({ id: 'call_0_0', name: 'write', args: '{"path":"a.txt","content":"x"}' });
    expect(byIndex.get(1)).toEqual({ id: 'call_custom', name: 'bash', args: '{"command":"cat a.txt"}' });
    // Arguments of one call arrive in more than one fragment.
    expect(toolDeltas.length).toBeGreaterThan(4);
    expect(chunks.some((c) => c.choices[0]?.delta.content === 'Let me write it.')).toBe(true);
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
  });

  it('reports overridden usage with cached tokens counted inside prompt_tokens', async () => {
    const s = await start({ script: [{ kind: 'text', text: 'ok', usage: { input: 100, output: 7, cacheRead: 40 } }] });
    const chunks = (await sseEvents(await chat(s))).slice(0, -1) as Chunk[];
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 140,
      completion_tokens: 7,
      prompt_tokens_details: { cached_tokens: 40 },
    });
    expect(s.requests[0]?.usage).toEqual({ input: 100, output: 7, cacheRead: 40 });
  });

  it('records when each response finished, so the time spent "in the model" can be measured', async () => {
    const s = await start({ script: [{ kind: 'text', text: 'slow', delayMs: 150 }] });
    await sseEvents(await chat(s));
    // 'close' may land just after the client has read the last byte.
    await vi.waitFor(() => expect(s.requests[0]?.finishedAt).toBeDefined());
    const record = s.requests[0]!;
    expect(record.durationMs).toBe(record.finishedAt! - record.receivedAt);
    expect(record.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    const s = await start({ script: [{ kind: 'tool_calls', calls: [{ name: 'read', arguments: { path: 'x' } }] }] });
    const response = await chat(s, { stream: false });
    const body = (await response.json()) as {
      object: string;
      choices: {
        message: { tool_calls: { function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
    };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls[0]?.function).toEqual({ name: 'read', arguments: '{"path":"x"}' });
  });

  it('returns scripted HTTP errors with headers and an OpenAI-style body', async () => {
    const s = await start({
      script: [{ kind: 'http_error', status: 429, headers: { 'retry-after': '3' }, message: 'Rate limit reached' }],
    });
    const response = await chat(s);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({
      error: { message: 'Rate limit reached', type: 'rate_limit_error', param: null, code: null },
    });
    expect(s.requests[0]?.stepKind).toBe('http_error');
    expect(s.requests[0]?.usage).toBeUndefined();
  });

  it('rejects a missing or wrong key with 401 and records the auth outcome without the secret', async () => {
    const s = await start({ script: [{ kind: 'text', text: 'ok' }], apiKey: 'sk-test-123' });
    expect((await chat(s)).status).toBe(401);
    expect((await chat(s, {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await chat(s, {}, { authorization: 'Bearer sk-test-123' });
    expect(ok.status).toBe(200);
    await ok.text();
    expect(s.requests.map((r) => r.auth)).toEqual([
      { present: false, matched: false },
      { present: true, matched: false },
      { present: true, matched: true },
    ]);
    expect(s.requests[2]?.headers.authorization).toBe('Bearer <redacted>');
    expect(JSON.stringify(s.requests)).not.toContain('sk-test-123');
    // Rejected requests do not consume script steps: the authorized one got the first step.
    expect(s.requests[2]?.completionIndex).toBe(0);
  });

  it('ends a stall promptly when the server closes', async () => {
    const s = await start({ script: [{ kind: 'stall', seconds: 60, mode: 'headers' }] });
    const response = await chat(s);
    expect(response.status).toBe(200);
    const body = response.text().then(
      () => 'ended',
      () => 'errored',
    );
    const started = Date.now();
    await s.close();
    expect(await body).toBe('errored');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('continues a stall with its follow-up step', async () => {
    const s = await start({ script: [{ kind: 'stall', seconds: 0.2, then: { kind: 'text', text: 'late' } }] });
    const started = Date.now();
    const chunks = (await sseEvents(await chat(s))).slice(0, -1) as Chunk[];
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(chunks.some((c) => c.choices[0]?.delta.content === 'late')).toBe(true);
  });

  it('streams forever until the client disconnects', async () => {
    const s = await start({ script: [{ kind: 'stream_forever', intervalMs: 20, delta: 'x' }] });
    const response = await chat(s);
    const reader = response.body!.getReader();
    let received = '';
    while ((received.match(/"content":"x"/g) ?? []).length < 3) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect((received.match(/"content":"x"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(received).not.toContain('[DONE]');
    // The server notices the disconnect and stops; closing it afterwards is immediate.
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('records method, path, redacted headers and parsed body of every request', async () => {
    const s = await start({ script: [{ kind: 'text', text: 'ok' }] });
    await (
      await chat(s, { messages: [{ role: 'user', content: 'Build the thing' }] }, { authorization: 'Bearer whatever' })
    ).text();
    await (await fetch(`${s.baseUrl}/nope`)).text();
    expect(s.requests).toHaveLength(2);
    const [first, second] = s.requests;
    expect(first).toMatchObject({
      seq: 0,
      method: 'POST',
      path: '/v1/chat/completions',
      completionIndex: 0,
      stepKind: 'text',
    });
    expect(first?.auth).toEqual({ present: true, matched: null });
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.body).toMatchObject({ messages: [{ role: 'user', content: 'Build the thing' }] });
    expect(second).toMatchObject({ seq: 1, method: 'GET', path: '/v1/nope' });
    expect(second?.completionIndex).toBeUndefined();
    expect(s.completionRequests()).toEqual([first]);
  });

  it('consumes steps in order, then falls back; a script function sees each request', async () => {
    const s = await start({ script: [{ kind: 'text', text: 'one' }], fallback: { kind: 'text', text: 'fallback' } });
    const texts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const chunks = (await sseEvents(await chat(s))).slice(0, -1) as Chunk[];
      texts.push(chunks.map((c) => String(c.choices[0]?.delta.content ?? '')).join(''));
    }
    expect(texts).toEqual(['one', 'fallback']);
    await s.close();

    const seen: number[] = [];
    const f = await start({
      script: (request, index) => {
        seen.push(index);
        const body = request.body as { messages: { content: string }[] };
        return { kind: 'text', text: `echo:${body.messages[0]?.content}` };
      },
    });
    const chunks = (await sseEvents(await chat(f, { messages: [{ role: 'user', content: 'ping' }] }))).slice(
      0,
      -1,
    ) as Chunk[];
    expect(chunks.map((c) => String(c.choices[0]?.delta.content ?? '')).join('')).toBe('echo:ping');
    expect(seen).toEqual([0]);
  });

  it('waits for completion requests to arrive', async () => {
    const s = await start({ script: [{ kind: 'stall', seconds: 30 }] });
    const pending = chat(s).catch(() => undefined);
    await s.waitForCompletions(1, 2000);
    expect(s.completionRequests()).toHaveLength(1);
    await expect(s.waitForCompletions(2, 50)).rejects.toThrow(/Timed out/);
    await s.close();
    await pending;
  });
});
