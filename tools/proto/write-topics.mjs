#!/usr/bin/env node
// Rewrites libs/contracts/src/events/topics.json from the event catalogue (also done by generate.mjs).
import { TOPICS_FILE, writeTopics } from './lib.mjs';

await writeTopics();
console.log(`wrote ${TOPICS_FILE}`);
