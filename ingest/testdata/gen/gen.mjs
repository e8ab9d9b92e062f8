// Records real OTLP/HTTP request bodies produced by the OpenTelemetry JS SDK
// and the Vercel AI SDK (v5 and v4) telemetry with mock language models.
// See ../README.md. Usage: node gen.mjs <outdir>
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { trace, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JSONExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { generateText, generateObject, streamText, embed, tool, stepCountIs, simulateReadableStream } from 'ai';
import { MockLanguageModelV2, MockEmbeddingModelV2 } from 'ai/test';
import * as ai4 from 'ai4';
import { MockLanguageModelV1 } from 'ai4/test';
import { z } from 'zod';

const outDir = process.argv[2] || '.';
fs.mkdirSync(outDir, { recursive: true });

// Capture server: stores each request body under the name in the URL path.
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const name = req.url.split('/')[1];
    fs.writeFileSync(path.join(outDir, name), Buffer.concat(chunks));
    console.log('captured', name, req.headers['content-type'], Buffer.concat(chunks).length, 'bytes');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'agentmark-client', 'agentmark.app_id': 'app-123' }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
trace.setGlobalTracerProvider(provider);

async function exportBoth(name) {
  const spans = memory.getFinishedSpans();
  memory.reset();
  for (const [Exp, ext] of [[ProtoExporter, 'pb'], [JSONExporter, 'json']]) {
    const exp = new Exp({ url: `${base}/${name}.${ext}/v1/traces` });
    await new Promise((resolve, reject) =>
      exp.export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error))));
    await exp.shutdown();
  }
}

const usageV2 = { inputTokens: 120, outputTokens: 45, totalTokens: 165, reasoningTokens: 12, cachedInputTokens: 100 };

// 1. AI SDK v5 generateText with a tool round trip, wrapped in an AgentMark-style span() root.
{
  const model = new MockLanguageModelV2({
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    doGenerate: [
      {
        content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: '{"city":"Paris"}' }],
        finishReason: 'tool-calls', usage: usageV2, warnings: [],
        providerMetadata: { openai: { reasoningTokens: 12 } },
      },
      {
        content: [{ type: 'text', text: 'It is sunny in Paris.' }],
        finishReason: 'stop', usage: { inputTokens: 200, outputTokens: 10, totalTokens: 210 }, warnings: [],
      },
    ],
  });
  const amTracer = trace.getTracer('agentmark');
  await amTracer.startActiveSpan('handle-weather', async (root) => {
    root.setAttributes({
      'agentmark.trace_name': 'handle-weather',
      'agentmark.session_id': 'sess-42',
      'gen_ai.conversation.id': 'sess-42',
      'agentmark.session_name': 'Weather chat',
      'agentmark.user_id': 'user-7',
      'agentmark.tags': JSON.stringify(['prod', 'weather']),
      'agentmark.metadata.feature': 'forecast',
      'agentmark.request.input': JSON.stringify({ city: 'Paris' }),
    });
    const r = await generateText({
      model,
      system: 'You are a weather bot.',
      prompt: 'Weather in Paris?',
      temperature: 0.3,
      maxOutputTokens: 256,
      tools: {
        weather: tool({
          description: 'Get the weather',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, forecast: 'sunny' }),
        }),
      },
      stopWhen: stepCountIs(3),
      experimental_telemetry: {
        isEnabled: true,
        functionId: 'weather-fn',
        metadata: { prompt_name: 'weather.prompt.mdx', props: JSON.stringify({ city: 'Paris' }), user_id: 'user-7', customKey: 'custom-value' },
      },
    });
    root.setAttribute('agentmark.response.output', JSON.stringify(r.text));
    root.setStatus({ code: 1 });
    root.end();
  });
  await exportBoth('aisdk-v5-generate-text');
}

// 2. AI SDK v5 generateObject + streamText + embed.
{
  const model = new MockLanguageModelV2({
    modelId: 'gpt-4o',
    doGenerate: {
      content: [{ type: 'text', text: '{"name":"Ada","age":36}' }],
      finishReason: 'stop', usage: { inputTokens: 30, outputTokens: 8, totalTokens: 38 }, warnings: [],
    },
    doStream: {
      stream: simulateReadableStream({
        chunks: [
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Hello, ' },
          { type: 'text-delta', id: 't1', delta: 'world!' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 } },
        ],
      }),
    },
  });
  await generateObject({
    model,
    schema: z.object({ name: z.string(), age: z.number() }),
    prompt: 'Invent a person.',
    experimental_telemetry: { isEnabled: true, metadata: { session_id: 'sess-obj', trace_name: 'person-gen' } },
  });
  const s = streamText({
    model,
    messages: [{ role: 'user', content: 'Say hello' }],
    experimental_telemetry: { isEnabled: true, metadata: { prompt_name: 'hello.prompt.mdx' } },
  });
  await s.consumeStream();
  await s.text;
  await embed({
    model: new MockEmbeddingModelV2({ modelId: 'text-embedding-3-small', doEmbed: async () => ({ embeddings: [[0.1, 0.2]], usage: { tokens: 4 } }) }),
    value: 'hello',
    experimental_telemetry: { isEnabled: true },
  });
  await exportBoth('aisdk-v5-object-stream-embed');
}

// 3. AI SDK v4 generateText with a tool round trip, plus generateObject.
{
  let call = 0;
  const model = new MockLanguageModelV1({
    provider: 'anthropic.messages',
    modelId: 'claude-3-5-sonnet-20241022',
    defaultObjectGenerationMode: 'json',
    doGenerate: async () => {
      call++;
      if (call === 1) {
        return {
          rawCall: { rawPrompt: null, rawSettings: {} }, finishReason: 'tool-calls',
          usage: { promptTokens: 50, completionTokens: 20 },
          toolCalls: [{ toolCallType: 'function', toolCallId: 'tc-9', toolName: 'lookup', args: '{"q":"go"}' }],
        };
      }
      if (call === 2) {
        return {
          rawCall: { rawPrompt: null, rawSettings: {} }, finishReason: 'stop',
          usage: { promptTokens: 80, completionTokens: 15 }, text: 'Go is a programming language.',
        };
      }
      return {
        rawCall: { rawPrompt: null, rawSettings: {} }, finishReason: 'stop',
        usage: { promptTokens: 10, completionTokens: 6 }, text: '{"ok":true}',
      };
    },
  });
  await ai4.generateText({
    model,
    prompt: 'What is Go?',
    maxSteps: 3,
    tools: {
      lookup: ai4.tool({ description: 'search', parameters: z.object({ q: z.string() }), execute: async ({ q }) => `result for ${q}` }),
    },
    experimental_telemetry: { isEnabled: true, functionId: 'v4-fn', metadata: { session_id: 'sess-v4', user_id: 'u-v4', tier: 'gold' } },
  });
  await ai4.generateObject({
    model,
    schema: z.object({ ok: z.boolean() }),
    prompt: 'ok?',
    experimental_telemetry: { isEnabled: true },
  });
  await exportBoth('aisdk-v4-generate-text');
}

// 4. Error span from the AgentMark scope (status ERROR with an exception event).
{
  const t = trace.getTracer('agentmark');
  const s = t.startSpan('failing-step');
  s.setAttribute('agentmark.span.kind', 'tool');
  s.recordException(new Error('boom'));
  s.setStatus({ code: 2, message: 'boom' });
  s.end();
  await exportBoth('agentmark-error');
}

await provider.shutdown();
server.close();
