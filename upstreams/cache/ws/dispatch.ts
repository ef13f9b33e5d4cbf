// Handles one client message on one socket: parse, route to the action, reply;
// for streams, attach the plan's feeds to the shared hub and forward updates.
import type { Logger } from 'pino';
import { CacheActionError, toActionError } from '../actions/errors.ts';
import { findAction } from '../actions/registry.ts';
import type { ActionContext, ActionGroup, StreamPlan } from '../actions/types.ts';
import type { StreamHub } from '../streams/hub.ts';
import { errorOf, readRequestId, replyOf, streamStartedOf, updateFrameOf, type RequestId } from './messages.ts';
import { JSON_TOO_DEEP_MSG, jsonTooDeep } from '../../common/json-depth.ts';
import { SubscriptionLimitError, type SocketSession } from './session.ts';

export interface ConnectionState {
  connectionId: string;
  group: ActionGroup | null;
  context: ActionContext;
  session: SocketSession;
  hub: StreamHub;
  logger: Logger;
}

export async function handleMessage(state: ConnectionState, text: string): Promise<void> {
  if (jsonTooDeep(text)) return state.session.reply(errorOf(null, 'MALFORMED_MESSAGE', JSON_TOO_DEEP_MSG));
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return state.session.reply(errorOf(null, 'MALFORMED_MESSAGE', 'Malformed JSON message'));
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) {
    return state.session.reply(errorOf(null, 'MALFORMED_MESSAGE', 'Message must be a JSON object'));
  }
  // fullon_cache_api's /ws keyed requests `operation`; its per-group handlers `action`.
  const { action = (message as { operation?: unknown }).operation, params = {} } = message as { action?: unknown; params?: unknown };
  const requestId = readRequestId((message as { request_id?: unknown }).request_id);
  if (params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    return state.session.reply(errorOf(requestId, 'INVALID_PARAMS', 'params must be an object'));
  }
  const args = (params ?? {}) as Record<string, unknown>;
  try {
    if (action === 'ping') return state.session.reply(replyOf(requestId, 'ping', { status: 'ok', pong: true, timestamp: Date.now() / 1000 }));
    if (action === 'health_check') return state.session.reply(replyOf(requestId, 'health_check', await healthOf(state)));
    if (action === 'unsubscribe') return unsubscribe(state, requestId, args);
    const definition = findAction(action, state.group);
    if (!definition) {
      const name = typeof action === 'string' ? action.slice(0, 100) : String(action);
      return state.session.reply(errorOf(requestId, 'INVALID_OPERATION', `Operation '${name}' not implemented`));
    }
    if (definition.kind === 'get') {
      const result = await definition.run(state.context, args);
      return state.session.reply(replyOf(requestId, definition.name, result));
    }
    const streamKey = `${state.connectionId}:${requestId}`;
    if (state.session.hasStream(streamKey)) {
      return state.session.reply(errorOf(requestId, 'INVALID_OPERATION', `Stream '${streamKey}' is already active; use another request_id`));
    }
    const plan = await definition.run(state.context, args);
    await startStream(state, requestId, definition.name, streamKey, plan);
  } catch (error) {
    if (error instanceof SubscriptionLimitError) return state.session.reply(errorOf(requestId, 'INVALID_OPERATION', error.message));
    const mapped = error instanceof CacheActionError ? error : toActionError(error, 'data');
    if (mapped.code === 'CACHE_ERROR' || mapped.code === 'INTERNAL_ERROR') state.logger.warn({ err: mapped.cause ?? mapped, action }, 'cache action failed');
    state.session.reply(errorOf(requestId, mapped.code, mapped.message));
  }
}

/** fullon_cache_api's health_check result: {websocket, cache}, the cache part measured. */
async function healthOf(state: ConnectionState) {
  const { store } = state.context.deps;
  const websocket = { status: 'healthy', framework: 'fastify', transport: 'websocket', timestamp: Date.now() / 1000 };
  try {
    const latency = await store.ping();
    return { websocket, cache: { status: 'healthy', store: store.kind, latency_ms: Math.round(latency * 100) / 100, timestamp: Date.now() / 1000 } };
  } catch {
    return { websocket, cache: { status: 'unhealthy', store: store.kind, error: 'cache unreachable', timestamp: Date.now() / 1000 } };
  }
}

function unsubscribe(state: ConnectionState, requestId: RequestId, params: Record<string, unknown>) {
  const streamKey = params.stream_key;
  if (typeof streamKey !== 'string' || streamKey === '') return state.session.reply(errorOf(requestId, 'INVALID_PARAMS', 'stream_key parameter required'));
  if (!state.session.removeStream(streamKey)) return state.session.reply(errorOf(requestId, 'STREAM_NOT_FOUND', `Stream '${streamKey.slice(0, 200)}' not found`));
  state.session.reply(replyOf(requestId, 'unsubscribe', { stream_key: streamKey, unsubscribed: true }));
}

/** A stream whose sources cannot be attached in this time is refused with CACHE_ERROR. */
const ATTACH_TIMEOUT_MS = 3000;

async function startStream(state: ConnectionState, requestId: RequestId, action: string, streamKey: string, plan: StreamPlan) {
  const { session, hub } = state;
  const weight = plan.feeds.length;
  session.reserve(weight);
  // Detach functions arrive asynchronously; an unsubscribe (or close) that comes
  // first must still detach the feeds that attach later.
  const detachers: Array<() => void> = [];
  let released = false;
  session.addStream(streamKey, weight, () => {
    released = true;
    detachers.splice(0).forEach((detach) => detach());
  });

  const requestIdJson = JSON.stringify(requestId);
  const updateJson = JSON.stringify(plan.update);
  const streamKeyJson = JSON.stringify(streamKey);
  // Updates that arrive before the confirmation is sent wait here (latest per
  // feed), so the client always sees the confirmation first.
  let held: Map<string, string> | null = new Map();
  const deliver = (key: string, frame: string) => (held ? held.set(key, frame) : session.push(key, frame));
  let errorSent = false;
  const attachAll = Promise.all(
    plan.feeds.map(async (feed) => {
      const conflationKey = `${streamKey}\u0000${feed.source.id}`;
      const detach = await hub.attach(feed.source, {
        onData(payload) {
          errorSent = false;
          const fields = feed.render(payload);
          if (fields !== null) deliver(conflationKey, updateFrameOf(requestIdJson, updateJson, streamKeyJson, fields));
        },
        onError() {
          // One notice per stream per outage, however many feeds it has.
          if (errorSent) return;
          errorSent = true;
          session.reply(errorOf(requestId, 'CACHE_ERROR', 'Cache unavailable; the stream resumes when it reconnects', { stream_key: streamKey }));
        },
      });
      if (released) detach();
      else detachers.push(detach);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      attachAll,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('stream sources did not attach in time')), ATTACH_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    attachAll.catch(() => {});
    state.logger.warn({ err: error, streamKey }, 'stream could not start');
    session.removeStream(streamKey);
    return session.reply(errorOf(requestId, 'CACHE_ERROR', 'Failed to start stream', { stream_key: streamKey }));
  } finally {
    clearTimeout(timer);
  }
  session.reply(streamStartedOf(requestId, action, plan.message, streamKey));
  const early = held;
  held = null;
  for (const [key, frame] of early) session.push(key, frame);
}
