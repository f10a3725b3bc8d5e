'use strict';
// SQS consumer: writes buffered items to DynamoDB; failed messages are retried, then go to the queue's DLQ.
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');

const dynamodb = new DynamoDBClient({});

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const item = JSON.parse(record.body);
      await dynamodb.send(new PutItemCommand({
        TableName: process.env.TABLE_NAME,
        Item: { pk: { S: `OWNER#${item.owner}` }, sk: { S: String(item.id) }, data: { S: JSON.stringify(item) } },
      }));
    } catch (error) {
      console.error(JSON.stringify({ message: 'write failed', messageId: record.messageId, error: String(error) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
