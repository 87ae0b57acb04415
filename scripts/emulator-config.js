#!/usr/bin/env node
// Generates the Azure Service Bus emulator's entity configuration from the bus topology
// (src/platform/messaging/topology.ts): every queue, topic and subscription, with ENTITY_DEFAULTS.
//   npm run emulator:config                 print the JSON to stdout
//   npm run emulator:config -- --write      write deploy/servicebus-emulator/config.json
//   npm run emulator:config -- --check      exit 1 when the committed file differs from the topology
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { ensureBuilt, root } = require('./ensure');
const { failer, firstDifference, parseMode } = require('./generated-file');

const TARGET = join(root, 'deploy', 'servicebus-emulator', 'config.json');
const WRITE_HINT = 'Run `npm run emulator:config -- --write` to regenerate it.';

/** The one namespace name the emulator accepts. */
const NAMESPACE = 'sbemulatorns';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The emulator's documented bounds (its Config-schema.json and usage quotas), tighter than the cloud
 * service's. A topology value outside them is brought inside and reported, so the file always loads.
 */
const LIMITS = {
  entities: 50,
  subscriptionsPerTopic: 50,
  queueLockDurationMs: { min: 5 * SECOND, max: 5 * MINUTE },
  subscriptionLockDurationMs: { min: MINUTE, max: 5 * MINUTE },
  maxDeliveryCount: { min: 1, max: 10 },
  duplicateDetectionWindowMs: { min: 5 * SECOND, max: 5 * MINUTE },
  /** Cloud Service Bus keeps messages indefinitely by default; one hour is the emulator's longest. */
  messageTimeToLiveMs: { min: 5 * MINUTE, max: HOUR },
};

const fail = failer('emulator-config');

/** Milliseconds as an ISO-8601 duration the emulator accepts (whole seconds: PT1H, PT5M, PT1M30S). */
function isoDuration(ms) {
  if (!Number.isInteger(ms / SECOND) || ms <= 0) throw new RangeError(`${ms} ms is not a positive whole number of seconds`);
  let seconds = ms / SECOND;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
}

/** `value` brought within `limits`; a change is recorded in `adjustments` with what it was for. */
function within(value, limits, what, adjustments, format = String) {
  const fitted = Math.min(limits.max, Math.max(limits.min, value));
  if (fitted !== value) adjustments.push(`${what}: ${format(value)} is outside the emulator's ${format(limits.min)}..${format(limits.max)}; ${format(fitted)} used`);
  return fitted;
}

function generate() {
  const { ENTITY_DEFAULTS, QUEUES, TOPICS } = require(join(root, 'dist', 'platform', 'messaging', 'topology.js'));
  const adjustments = [];
  const duration = (ms, limits, what) => isoDuration(within(ms, limits, what, adjustments, isoDuration));

  const entityCount = QUEUES.length + TOPICS.length;
  if (entityCount > LIMITS.entities) throw new RangeError(`The topology has ${entityCount} queues and topics; the emulator holds at most ${LIMITS.entities}`);
  for (const topic of TOPICS) {
    if (topic.subscriptions.length > LIMITS.subscriptionsPerTopic) {
      throw new RangeError(`Topic ${topic.name} has ${topic.subscriptions.length} subscriptions; the emulator holds at most ${LIMITS.subscriptionsPerTopic}`);
    }
  }

  const ttl = isoDuration(LIMITS.messageTimeToLiveMs.max);
  const duplicateWindow = duration(ENTITY_DEFAULTS.duplicateDetectionWindowMs, LIMITS.duplicateDetectionWindowMs, 'DuplicateDetectionHistoryTimeWindow');
  const maxDeliveryCount = within(ENTITY_DEFAULTS.maxDeliveryCount, LIMITS.maxDeliveryCount, 'MaxDeliveryCount', adjustments);
  const lock = (limits, what) => duration(ENTITY_DEFAULTS.lockDurationMs, limits, what);
  // Property order follows the emulator's schema and sample files, so a diff against them reads easily.
  const queueProperties = {
    DeadLetteringOnMessageExpiration: ENTITY_DEFAULTS.deadLetteringOnMessageExpiration,
    DefaultMessageTimeToLive: ttl,
    DuplicateDetectionHistoryTimeWindow: duplicateWindow,
    ForwardDeadLetteredMessagesTo: '',
    ForwardTo: '',
    LockDuration: lock(LIMITS.queueLockDurationMs, 'queue LockDuration'),
    MaxDeliveryCount: maxDeliveryCount,
    RequiresDuplicateDetection: true,
    RequiresSession: false,
  };
  const topicProperties = { DefaultMessageTimeToLive: ttl, DuplicateDetectionHistoryTimeWindow: duplicateWindow, RequiresDuplicateDetection: true };
  const subscriptionProperties = {
    DeadLetteringOnMessageExpiration: ENTITY_DEFAULTS.deadLetteringOnMessageExpiration,
    DefaultMessageTimeToLive: ttl,
    LockDuration: lock(LIMITS.subscriptionLockDurationMs, 'subscription LockDuration'),
    MaxDeliveryCount: maxDeliveryCount,
    ForwardDeadLetteredMessagesTo: '',
    ForwardTo: '',
    RequiresSession: false,
  };

  const config = {
    UserConfig: {
      Namespaces: [
        {
          Name: NAMESPACE,
          Queues: QUEUES.map((queue) => ({ Name: queue.name, Properties: { ...queueProperties } })),
          Topics: TOPICS.map((topic) => ({
            Name: topic.name,
            Properties: { ...topicProperties },
            Subscriptions: topic.subscriptions.map((subscription) => ({ Name: subscription.name, Properties: { ...subscriptionProperties } })),
          })),
        },
      ],
      Logging: { Type: 'Console' },
    },
  };
  // The same bound hits every entity: report each distinct adjustment once.
  return { json: `${JSON.stringify(config, null, 2)}\n`, adjustments: [...new Set(adjustments)] };
}

function main(args) {
  const mode = parseMode(args, fail);
  const write = mode === 'write';
  const check = mode === 'check';

  ensureBuilt();
  const { json, adjustments } = generate();
  const target = relative(root, TARGET);
  if (!write && !check) {
    process.stdout.write(json);
    for (const adjustment of adjustments) process.stderr.write(`emulator-config: ${adjustment}\n`);
    return;
  }

  const current = existsSync(TARGET) ? readFileSync(TARGET, 'utf8').replace(/\r\n/g, '\n') : undefined;
  if (check) {
    if (current === undefined) fail(`${target} not found. ${WRITE_HINT}`);
    const difference = firstDifference(json, current);
    if (!difference) {
      process.stdout.write(`${target} is up to date.\n`);
      return;
    }
    fail(
      [`${target} is out of date (first difference at line ${difference.line}):`, `  expected: ${difference.expected}`, `  found:    ${difference.actual}`, WRITE_HINT].join('\n'),
    );
  }

  for (const adjustment of adjustments) process.stdout.write(`Emulator limit: ${adjustment}\n`);
  if (current === json) {
    process.stdout.write(`${target} is already up to date.\n`);
    return;
  }
  writeFileSync(TARGET, json);
  process.stdout.write(`${target} updated.\n`);
}

main(process.argv.slice(2));
