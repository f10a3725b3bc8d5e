'use strict';
// HTTP API handler: reads items from the table, buffers writes through the SQS queue.
const { DynamoDBClient, QueryCommand } = require('@aws-sdk/client-dynamodb');
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

exports.handler = async (event) => {
  const owner = event.requestContext?.authorizer?.jwt?.claims?.sub ?? 'anonymous';
  if (event.requestContext?.http?.method === 'POST') {
    let item;
    try {
      item = JSON.parse(event.body ?? '{}');
    } catch {
      return json(400, { message: 'body must be JSON' });
    }
    const id = item.id ?? `${Date.now()}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.WRITE_QUEUE_URL, MessageBody: JSON.stringify({ ...item, id, owner }) }));
    return json(202, { id });
  }
  const result = await dynamodb.send(new QueryCommand({
    TableName: process.env.TABLE_NAME,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: `OWNER#${owner}` } },
    Limit: 50,
  }));
  return json(200, { items: (result.Items ?? []).map((i) => ({ id: i.sk?.S, data: i.data?.S })) });
};
