'use strict';
// DynamoDB stream consumer: turns item changes into events on the custom EventBridge bus.
const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');

const events = new EventBridgeClient({});

exports.handler = async (event) => {
  const entries = (event.Records ?? []).map((record) => ({
    EventBusName: process.env.EVENT_BUS_NAME,
    Source: process.env.EVENT_SOURCE,
    DetailType: 'ItemChanged',
    Detail: JSON.stringify({ eventName: record.eventName, keys: record.dynamodb?.Keys, newImage: record.dynamodb?.NewImage }),
  }));
  for (let i = 0; i < entries.length; i += 10) {
    const result = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    // Throwing makes Lambda bisect the batch and retry, then send it to the on-failure queue.
    if (result.FailedEntryCount) throw new Error(`${result.FailedEntryCount} events were not accepted`);
  }
};
